"""Tracks: the faces of the sampled frames linked by ``norfair`` (IoU distance, Kalman filter).

Every detection ends in exactly one track: one that the tracker did not attach to a live
object (it can happen while an object is still initialising) becomes a track of its own,
so a face the detector saw is never left out of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from watchkeeper.redaction.detect import Box, Sample

__all__ = ["MAX_MISSED", "Track", "link_tracks"]

MAX_MISSED = 10
"""Samples a track survives without a detection before it ends (2 s at 5 detections/s)."""
IOU_DISTANCE = 0.9
"""A detection joins a track when 1 - IoU with its predicted box is below this."""


@dataclass(slots=True)
class Track:
    id: int
    frames: list[int] = field(default_factory=list)
    """Frames on which the detector found this face, ascending."""
    boxes: list[Box] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

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
        }

    @classmethod
    def from_json(cls, d: dict[str, object]) -> Track:
        frames = d["frames"]
        boxes = d["boxes"]
        scores = d.get("scores") or []
        assert isinstance(frames, list) and isinstance(boxes, list) and isinstance(scores, list)
        b = [(float(x[0]), float(x[1]), float(x[2]), float(x[3])) for x in boxes]
        return cls(int(str(d["id"])), [int(f) for f in frames], b, [float(s) for s in scores])


def link_tracks(samples: Sequence[Sample]) -> list[Track]:
    """Link the faces of ``samples`` (in frame order) into tracks numbered from 1."""
    from norfair.tracker import Detection, Tracker

    tracker = Tracker(
        distance_function="iou",
        distance_threshold=IOU_DISTANCE,
        hit_counter_max=MAX_MISSED,
        initialization_delay=0,
    )
    by_object: dict[int, Track] = {}
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
        for obj in tracker.update(detections=dets):
            det = obj.last_detection
            if obj.id is None or det is None or id(det) in matched:
                continue
            if not any(det is d for d in dets):
                continue
            matched.add(id(det))
            box, score = det.data
            by_object.setdefault(int(obj.id), Track(0)).add(sample.frame, box, score)
        for d in dets:
            if id(d) not in matched:
                box, score = d.data
                t = Track(0)
                t.add(sample.frame, box, score)
                loose.append(t)
    tracks = sorted([*by_object.values(), *loose], key=lambda t: (t.frames[0], t.boxes[0][0]))
    for n, t in enumerate(tracks, 1):
        t.id = n
    return tracks
