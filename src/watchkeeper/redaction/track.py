"""Tracks: the faces of the sampled frames linked by ``norfair`` (Kalman filter).

Every detection ends in exactly one track: one that the tracker did not attach to a live
object (it can happen while an object is still initialising) becomes a track of its own,
so a face the detector saw is never left out of the plan.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from watchkeeper.redaction.detect import Box, Sample

__all__ = ["MAX_MISSED", "Track", "link_tracks", "merge"]

MAX_MISSED = 10
"""Samples a track survives without a detection before it ends (2 s at 5 detections/s)."""
MAX_DISTANCE = 1.5
"""A detection joins a track when its centre is within this many box sizes of the track's
predicted centre. Not IoU: faces of a few pixels that move between samples do not overlap."""


class _NoScalarWarning(logging.Filter):
    """norfair suggests a vectorised distance; ours is per pair on purpose (few faces)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "scalar distance function" not in record.getMessage()


def _distance(detection: Any, tracked: Any) -> float:
    """Centre distance in units of the larger side of the detection's box."""
    a = detection.points
    b = tracked.estimate
    size = max(float(a[1][0] - a[0][0]), float(a[1][1] - a[0][1]), 1.0)
    dx = (a[0][0] + a[1][0] - b[0][0] - b[1][0]) / 2
    dy = (a[0][1] + a[1][1] - b[0][1] - b[1][1]) / 2
    return float(np.hypot(dx, dy)) / size


@dataclass(slots=True)
class Track:
    id: int
    frames: list[int] = field(default_factory=list)
    """Frames on which the detector found this face, ascending."""
    boxes: list[Box] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    merged_from: list[int] = field(default_factory=list)
    """Tracks a reviewer merged into this one (their ids; this one's id is the lowest)."""

    def add(self, frame: int, box: Box, score: float) -> None:
        self.frames.append(frame)
        self.boxes.append(box)
        self.scores.append(score)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "frames": self.frames,
            "boxes": [[round(v, 1) for v in b] for b in self.boxes],
            "scores": [round(s, 3) for s in self.scores],
            **({"merged_from": self.merged_from} if self.merged_from else {}),
        }

    @classmethod
    def from_json(cls, d: dict[str, object]) -> Track:
        frames = d["frames"]
        boxes = d["boxes"]
        scores = d.get("scores") or []
        assert isinstance(frames, list) and isinstance(boxes, list) and isinstance(scores, list)
        b = [(float(x[0]), float(x[1]), float(x[2]), float(x[3])) for x in boxes]
        merged = d.get("merged_from") or []
        assert isinstance(merged, list)
        return cls(int(str(d["id"])), [int(f) for f in frames], b, [float(s) for s in scores],
                   [int(m) for m in merged])  # fmt: skip


def merge(tracks: Sequence[Track]) -> Track:
    """One track of the detections of ``tracks`` (one person split into pieces), under the
    lowest id. Two of them seen on the same frame are two faces: refused."""
    seen: dict[int, int] = {}
    rows = []
    for t in tracks:
        for f, b, s in zip(t.frames, t.boxes, t.scores or [1.0] * len(t.frames), strict=True):
            if f in seen:
                raise ValueError(f"tracks {seen[f]} and {t.id} are both seen on frame {f}")
            seen[f] = t.id
            rows.append((f, b, s))
    rows.sort(key=lambda x: x[0])
    ids = sorted({i for t in tracks for i in (t.id, *t.merged_from)})
    return Track(min(t.id for t in tracks), [r[0] for r in rows], [r[1] for r in rows],
                 [r[2] for r in rows], ids)  # fmt: skip


def link_tracks(samples: Sequence[Sample]) -> list[Track]:
    """Link the faces of ``samples`` (in frame order) into tracks numbered from 1."""
    from norfair.tracker import Detection, Tracker

    quiet = _NoScalarWarning()
    logging.getLogger().addFilter(quiet)  # norfair warns on the root logger at construction
    try:
        tracker = Tracker(
            distance_function=_distance,
            distance_threshold=MAX_DISTANCE,
            hit_counter_max=MAX_MISSED,
            initialization_delay=0,
        )
    finally:
        logging.getLogger().removeFilter(quiet)
    tracks_made: list[Track] = []
    loose: list[Track] = []
    for sample in samples:
        dets = [
            Detection(
                points=np.array([[b[0], b[1]], [b[2], b[3]]], dtype=float),
                scores=np.array([s, s]),
                data=(b, s),
            )
            for b, s in zip(sample.boxes, sample.scores, strict=True)
        ]
        matched: set[int] = set()
        tracker.update(detections=dets)
        for obj in tracker.tracked_objects:  # every object, initialising ones too
            det = obj.last_detection
            if det is None or id(det) in matched or not any(det is d for d in dets):
                continue
            matched.add(id(det))
            box, score = det.data
            track = getattr(obj, "_watchkeeper_track", None)
            if track is None:
                track = Track(0)
                setattr(obj, "_watchkeeper_track", track)  # noqa: B010
                tracks_made.append(track)
            track.add(sample.frame, box, score)
        for d in dets:
            if id(d) not in matched:
                box, score = d.data
                t = Track(0)
                t.add(sample.frame, box, score)
                loose.append(t)
    tracks = sorted([*tracks_made, *loose], key=lambda t: (t.frames[0], t.boxes[0][0]))
    for n, t in enumerate(tracks, 1):
        t.id = n
    return tracks
