"""The detector pool: a few threads sized to the machine, fed by a bounded queue.

Analysers submit a frame and its motion regions and never wait: when the queue is full the
oldest job is dropped and counted (``dropped``), so an overloaded detector loses detections,
never recording or motion. Each result goes to the writer with a snapshot crop.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from watchkeeper.analytics.detect import Box, Detection, Detector
from watchkeeper.analytics.zones import WHOLE_PICTURE, Zone, ZoneKind, rasterise

__all__ = ["DetectJob", "DetectorPool", "zone_of"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DetectJob:
    camera_id: str
    wall_us: int
    frame: Any
    """The decoded PyAV frame (full sub-stream size)."""
    regions: list[Box]
    zones: list[Zone]


class DetectionSink(Protocol):
    def detection(self, camera_id: str, wall_us: int, det: Detection, zone: str,
                  crop: bytes | None) -> None: ...  # fmt: skip


def zone_of(box: Box, zones: list[Zone]) -> str | None:
    """The zone holding the box's foot point (bottom centre); None when it is masked."""
    foot = ((box[0] + box[2]) / 2, box[3] - 0.01)
    for z in zones:
        if z.kind is ZoneKind.MASK:
            poly = np.array(z.points, np.float32)
            if cv2.pointPolygonTest(poly, foot, False) >= 0:
                return None
    named = [z for z in zones if z.kind is ZoneKind.ZONE]
    if not named:
        return WHOLE_PICTURE
    for z in named:
        if cv2.pointPolygonTest(np.array(z.points, np.float32), foot, False) >= 0:
            return z.name
    return ""


def _crop(bgr: Any, box: Box, zones: list[Zone]) -> bytes | None:
    h, w = bgr.shape[:2]
    for z in zones:
        if z.kind is ZoneKind.MASK:
            bgr[rasterise(z.points, w, h) > 0] = 0
    x0, y0 = max(0, int(box[0] * w)), max(0, int(box[1] * h))
    x1, y1 = min(w, int(box[2] * w) + 1), min(h, int(box[3] * h) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(bgr[y0:y1, x0:x1]))
    return bytes(buf) if ok else None


class DetectorPool:
    def __init__(
        self, detector: Detector, sink: DetectionSink, workers: int | None = None,
        maxsize: int = 16,
    ) -> None:  # fmt: skip
        self.detector = detector
        self.sink = sink
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)
        self._queue: deque[DetectJob] = deque()
        self._maxsize = maxsize
        self._cv = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.dropped = 0
        self.done = 0
        self.found = 0

    def submit(self, job: DetectJob) -> None:
        with self._cv:
            if len(self._queue) >= self._maxsize:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append(job)
            self._cv.notify()

    def start(self) -> None:
        self._stop.clear()
        for i in range(self.workers):
            t = threading.Thread(target=self._run, name=f"detector-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._cv:
            self._cv.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cv:
                while not self._queue and not self._stop.is_set():
                    self._cv.wait(1.0)
                if self._stop.is_set():
                    return
                job = self._queue.popleft()
            try:
                self._detect(job)
            except (cv2.error, ValueError) as exc:
                log.warning("%s: detection failed: %s", job.camera_id, exc)

    def _detect(self, job: DetectJob) -> None:
        grey = job.frame.reformat(format="gray").to_ndarray()
        found = self.detector.detect(np.ascontiguousarray(grey), job.regions)
        self.done += 1
        bgr = None
        for det in found:
            zone = zone_of(det.box, job.zones)
            if zone is None:
                continue  # a person behind a mask is not seen
            if bgr is None:
                bgr = job.frame.reformat(format="bgr24").to_ndarray()
            self.found += 1
            self.sink.detection(
                job.camera_id, job.wall_us, det, zone, _crop(bgr.copy(), det.box, job.zones)
            )
