"""The analytics writer: one thread turns analysers' findings into rows, alerts, faults and
MQTT messages. Analysers hand it work and never wait (a bounded queue, oldest dropped and
counted), so a slow database slows analytics' records, never analysis or recording.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from watchkeeper.analytics.detect import Detection
from watchkeeper.analytics.models import Alert, DetectionRow
from watchkeeper.analytics.rules import Fire, Presence, RuleEngine
from watchkeeper.analytics.spans import MotionSpan
from watchkeeper.analytics.store import add_span, last_fired, load_rules
from watchkeeper.analytics.tamper import TamperEvent
from watchkeeper.analytics.zones import Zone, ZoneKind, rasterise
from watchkeeper.audit.service import Actor
from watchkeeper.db.engine import Database
from watchkeeper.errors import WatchkeeperError
from watchkeeper.mqtt.client import MqttLink
from watchkeeper.mqtt.topics import CameraTopic
from watchkeeper.records.faults import camera_fault
from watchkeeper.timeutil import Clock, format_utc

__all__ = ["AnalyticsWriter", "thumbnail_jpeg"]

log = logging.getLogger(__name__)
ANALYTICS = Actor.system("analytics")


def thumbnail_jpeg(frame: Any, zones: list[Zone], width: int = 320) -> bytes | None:
    """A small JPEG of a decoded frame with every mask blacked out (invariant 4)."""
    if frame is None:
        return None
    height = max(2, round(frame.height * width / max(1, frame.width)) // 2 * 2)
    img = frame.reformat(width=width, height=height, format="bgr24").to_ndarray()
    for z in zones:
        if z.kind is ZoneKind.MASK:
            img[rasterise(z.points, width, height) > 0] = 0
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(img), [cv2.IMWRITE_JPEG_QUALITY, 70])
    return bytes(buf) if ok else None


class AnalyticsWriter:
    """Implements the analyser's :class:`~watchkeeper.analytics.pipeline.Outbox`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        mqtt: MqttLink | None = None,
        maxsize: int = 5000,
        rules_refresh_s: float = 5.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.mqtt = mqtt
        self.engine = RuleEngine()
        self._queue: deque[tuple[str, Callable[[], None]]] = deque()
        self._maxsize = maxsize
        self._cv = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rules_refresh_s = rules_refresh_s
        self._rules_at = -1e9
        self._motion_on: dict[str, set[str]] = {}
        self.listeners: list[Callable[[Alert], None]] = []
        """Called on the writer thread after an alert row is committed (console push)."""
        self.dropped = 0
        self.written = 0
        self._seen: dict[tuple[str, str, str], tuple[int, int]] = {}
        """(camera, zone, label) -> (first, last) sighting: one presence for the rules."""
        self.presence_gap_us = 5_000_000

    # -- Outbox (analyser threads) ---------------------------------------------------------
    def _submit(self, what: str, job: Callable[[], None]) -> None:
        with self._cv:
            if len(self._queue) >= self._maxsize:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append((what, job))
            self._cv.notify()

    def span_opened(self, span: MotionSpan) -> None:
        self._submit("motion on", lambda: self._motion(span, True))

    def span_closed(self, span: MotionSpan, zones: list[Zone]) -> None:
        self._submit("motion span", lambda: self._store_span(span, zones))

    def presence(self, p: Presence) -> None:
        self._submit("presence", lambda: self._presence(p))

    def tamper(self, camera_id: str, event: TamperEvent) -> None:
        self._submit("tamper", lambda: self._tamper(camera_id, event))

    def detection(
        self, camera_id: str, wall_us: int, det: Detection, zone: str, crop: bytes | None
    ) -> None:
        """From the detector pool's threads."""
        self._submit("detection", lambda: self._detection(camera_id, wall_us, det, zone, crop))

    # -- the writer thread -----------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="analytics-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._cv:
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until the queue is empty (tests, stop); real time, whatever the clock."""
        end = time.monotonic() + timeout
        while self._queue or self._busy:
            if time.monotonic() > end:
                return False
            time.sleep(0.02)
        return True

    _busy = False

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stop.is_set():
                    self._cv.wait(1.0)
                if not self._queue and self._stop.is_set():
                    return
                what, job = self._queue.popleft()
                self._busy = True
            try:
                job()
                self.written += 1
            except (SQLAlchemyError, WatchkeeperError, cv2.error, ValueError) as exc:
                log.error("analytics: could not write %s: %s", what, exc)
            finally:
                self._busy = False

    # -- jobs ------------------------------------------------------------------------------
    def _publish(
        self, camera_id: str, kind: CameraTopic, payload: dict[str, Any], retain: bool = False
    ) -> None:
        if self.mqtt is not None:
            self.mqtt.publish_json(self.mqtt.topics.camera(camera_id, kind), payload, retain)

    def _motion(self, span: MotionSpan, on: bool) -> None:
        zones = self._motion_on.setdefault(span.camera_id, set())
        was = bool(zones)
        (zones.add if on else zones.discard)(span.zone)
        if bool(zones) != was:
            at = span.start_us if on else span.end_us
            self._publish(
                span.camera_id,
                CameraTopic.MOTION,
                {
                    "state": "ON" if zones else "OFF",
                    "zone": span.zone,
                    "at_us": at,
                    "at": format_utc(at),
                },
                retain=True,
            )

    def _store_span(self, span: MotionSpan, zones: list[Zone]) -> None:
        jpeg = thumbnail_jpeg(span.thumbnail, zones)
        span.thumbnail = None
        with self.db.session() as s:
            add_span(s, span, jpeg)
        self._motion(span, False)

    def _refresh_rules(self) -> None:
        now = self.clock.monotonic()
        if now - self._rules_at < self._rules_refresh_s:
            return
        self._rules_at = now
        with self.db.session() as s:
            self.engine.replace(load_rules(s))
            for rid, at in last_fired(s).items():
                self.engine.remember(rid, at)

    def reload_rules(self) -> None:
        self._rules_at = -1e9

    def _presence(self, p: Presence) -> None:
        self._refresh_rules()
        for fire in self.engine.observe(p):
            self._raise(fire)

    def _raise(self, fire: Fire) -> None:
        p = fire.presence
        with self.db.session() as s:
            alert = Alert(
                rule_id=fire.rule.id,
                rule_name=fire.rule.name,
                camera_id=p.camera_id,
                zone=p.zone,
                object=p.object,
                start_us=p.start_us,
                end_us=p.now_us,
                raised_us=self.clock.now_us(),
                status="open",
            )
            s.add(alert)
            s.flush()
            s.expunge(alert)
        self._publish(
            p.camera_id,
            CameraTopic.ALERT,
            {
                "kind": "alert",
                "id": alert.id,
                "rule": fire.rule.name,
                "zone": p.zone,
                "object": p.object,
                "start_us": p.start_us,
                "at_us": alert.raised_us,
                "at": format_utc(alert.raised_us),
            },
        )
        for listener in list(self.listeners):
            listener(alert)

    def _detection(
        self, camera_id: str, wall_us: int, det: Detection, zone: str, crop: bytes | None
    ) -> None:
        box = [round(v, 4) for v in det.box]
        with self.db.session() as s:
            row = DetectionRow(
                camera_id=camera_id, at_us=wall_us, label=det.label, score=det.score,
                zone=zone, box=json.dumps(box), crop=crop,
            )  # fmt: skip
            s.add(row)
        self._publish(
            camera_id,
            CameraTopic.DETECTION,
            {"label": det.label, "score": det.score, "zone": zone, "box": box,
             "at_us": wall_us, "at": format_utc(wall_us)},
        )  # fmt: skip
        if not zone:
            return
        key = (camera_id, zone, det.label)
        first, last = self._seen.get(key, (wall_us, wall_us))
        if wall_us - last > self.presence_gap_us or wall_us < first:
            first = wall_us
        self._seen[key] = (first, max(last, wall_us))
        self._presence(Presence(camera_id, zone, det.label, first, wall_us))

    def _tamper(self, camera_id: str, event: TamperEvent) -> None:
        with self.db.session() as s:
            camera_fault(s, camera_id, event.at_us, event.text, event.kind.value, by=ANALYTICS)
        self._publish(
            camera_id,
            CameraTopic.FAULT,
            {
                "kind": event.kind.value,
                "text": event.text,
                "at_us": event.at_us,
                "at": format_utc(event.at_us),
            },
        )
