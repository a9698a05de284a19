"""Zones and masks: polygons in picture coordinates (0..1), checked where they are entered.

Coordinates are fractions of the picture's width and height, so a zone drawn on the
sub-stream still fits after the camera changes resolution. A mask is never analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from watchkeeper.errors import ValidationError

__all__ = ["WHOLE_PICTURE", "Zone", "ZoneKind", "parse_points", "rasterise"]

WHOLE_PICTURE = "all"
"""The zone name used when a camera has no zone of its own."""

Point = tuple[float, float]


class ZoneKind(StrEnum):
    ZONE = "zone"
    MASK = "mask"


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    kind: ZoneKind
    points: tuple[Point, ...]
    sensitivity: float = 0.005
    """Fraction of the zone's pixels that must change for the zone to have motion."""


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    return o1 * o2 < 0 and o3 * o4 < 0


def parse_points(raw: object, field: str = "points") -> tuple[Point, ...]:
    """``[[x, y], ...]`` with 3..32 points inside 0..1, not crossing itself."""
    if not isinstance(raw, list | tuple) or not 3 <= len(raw) <= 32:
        raise ValidationError(f"{field}: a polygon needs 3 to 32 points")
    pts: list[Point] = []
    for i, p in enumerate(raw):
        if not isinstance(p, list | tuple) or len(p) != 2:
            raise ValidationError(f"{field}[{i}]: a point is [x, y]")
        try:
            x, y = float(p[0]), float(p[1])
        except (TypeError, ValueError):
            raise ValidationError(f"{field}[{i}]: x and y must be numbers") from None
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ValidationError(f"{field}[{i}]: x and y are fractions of the picture, 0 to 1")
        pts.append((x, y))
    n = len(pts)
    for i in range(n):
        for j in range(i + 1, n):
            if abs(i - j) in (1, n - 1):
                continue
            if _segments_cross(pts[i], pts[(i + 1) % n], pts[j], pts[(j + 1) % n]):
                raise ValidationError(f"{field}: the polygon crosses itself")
    return tuple(pts)


def rasterise(points: tuple[Point, ...], width: int, height: int) -> npt.NDArray[np.uint8]:
    """A 0/255 mask of the polygon on a ``width`` x ``height`` picture."""
    out = np.zeros((height, width), np.uint8)
    poly = np.array([[round(x * (width - 1)), round(y * (height - 1))] for x, y in points])
    cv2.fillPoly(out, [poly.astype(np.int32)], (255,))
    return out
