"""What to obscure on each frame: tracks with the reviewer's decisions, and manual boxes.

Pure functions over data, so the studio's preview, the render and the tests agree.
Rules (docs/design/redaction.md, invariants 2 and 3): every track is redacted unless it is
the subject or left clear by the reviewer; a track's box between two detections is
interpolated, and held for one detection interval before its first and after its last; a
manual box runs from its first keyframe to its last (one keyframe: the whole clip),
interpolated linearly between keyframes, and is always redacted.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from watchkeeper.errors import ValidationError
from watchkeeper.redaction.detect import Box
from watchkeeper.redaction.track import Track

__all__ = [
    "Decision",
    "ManualBox",
    "Settings",
    "Style",
    "boxes_at",
    "interpolate",
    "pad_box",
    "parse_manual",
]


class Decision(enum.StrEnum):
    REDACT = "redact"
    """Obscured (the default for every track)."""
    SUBJECT = "subject"
    """The data subject: kept clear for the whole clip (a subject whose track broke in
    pieces has several subject tracks)."""
    CLEAR = "clear"
    """Left clear by the reviewer (not a person: a poster, a reflection)."""


class Style(enum.StrEnum):
    BLUR = "blur"
    PIXELATE = "pixelate"
    SOLID = "solid"


@dataclass(frozen=True, slots=True)
class Settings:
    style: Style = Style.BLUR
    pad: float = 0.25
    """Margin added on every side, as a share of the box's width and height."""
    rate: float = 2.0
    threshold: float = 0.1
    scale: float = 1.0
    """Enlargement of each frame before detection (2 finds faces of about 8 pixels)."""

    def to_json(self) -> dict[str, Any]:
        return {"style": self.style.value, "pad": self.pad, "rate": self.rate,
                "threshold": self.threshold, "scale": self.scale}  # fmt: skip

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Settings:
        return cls(Style(d.get("style", "blur")), float(d.get("pad", 0.25)),
                   float(d.get("rate", 2.0)), float(d.get("threshold", 0.1)),
                   float(d.get("scale", 1.0)))  # fmt: skip


@dataclass(frozen=True, slots=True)
class ManualBox:
    id: int
    label: str
    keyframes: tuple[tuple[int, Box], ...] = field(default_factory=tuple)
    """(frame, box) pairs, frames ascending."""

    def to_json(self) -> dict[str, Any]:
        kfs = [[f, [round(v, 1) for v in b]] for f, b in self.keyframes]
        return {"id": self.id, "label": self.label, "keyframes": kfs}


def parse_manual(data: Any, frames: int) -> list[ManualBox]:
    """Manual boxes from the studio's JSON; a clear error for anything malformed."""
    if not isinstance(data, list):
        raise ValidationError("manual boxes must be a list")
    out = []
    for n, item in enumerate(data, 1):
        try:
            label = str(item.get("label", ""))[:100] or f"box {n}"
            kfs = []
            for f, b in item["keyframes"]:
                box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
                if not 0 <= int(f) < frames or box[2] <= box[0] or box[3] <= box[1]:
                    raise ValueError
                kfs.append((int(f), box))
        except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValidationError(f"manual box {n} is malformed") from exc
        if not kfs:
            continue
        kfs.sort(key=lambda k: k[0])
        out.append(ManualBox(n, label, tuple(kfs)))
    return out


def interpolate(frames: Sequence[int], boxes: Sequence[Box], at: int) -> Box:
    """The box at frame ``at``: linear between the nearest keyframes, held past the ends."""
    i = bisect.bisect_right(frames, at)
    if i == 0:
        return boxes[0]
    if i == len(frames):
        return boxes[-1]
    f0, f1 = frames[i - 1], frames[i]
    b0, b1 = boxes[i - 1], boxes[i]
    t = (at - f0) / (f1 - f0)
    return (
        b0[0] + (b1[0] - b0[0]) * t,
        b0[1] + (b1[1] - b0[1]) * t,
        b0[2] + (b1[2] - b0[2]) * t,
        b0[3] + (b1[3] - b0[3]) * t,
    )


def pad_box(box: Box, pad: float, width: int, height: int) -> tuple[int, int, int, int]:
    """The box grown by ``pad`` of its size on every side, in whole pixels, inside the frame."""
    w, h = box[2] - box[0], box[3] - box[1]
    x1 = max(0, int(box[0] - w * pad))
    y1 = max(0, int(box[1] - h * pad))
    x2 = min(width, int(box[2] + w * pad + 0.999))
    y2 = min(height, int(box[3] + h * pad + 0.999))
    return x1, y1, x2, y2


def boxes_at(
    frame: int,
    tracks: Sequence[Track],
    decisions: Mapping[int, Decision],
    manual: Sequence[ManualBox],
    step: int,
) -> list[Box]:
    """Every box to obscure on ``frame`` (before padding)."""
    out = []
    for t in tracks:
        if decisions.get(t.id, Decision.REDACT) != Decision.REDACT:
            continue
        if t.frames[0] - step <= frame <= t.frames[-1] + step:
            out.append(interpolate(t.frames, t.boxes, frame))
    for m in manual:
        frames = [k[0] for k in m.keyframes]
        if len(frames) == 1 or frames[0] <= frame <= frames[-1]:
            out.append(interpolate(frames, [k[1] for k in m.keyframes], frame))
    return out
