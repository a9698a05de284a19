"""Motion in one camera's picture: a running-average background, masks, zones.

Pure over frames (no I/O, no clock), so tests feed it synthetic pictures. A frame in which
most of the unmasked picture changes at once is a lighting change (cloud, street lights, a
day/night switch), not motion: the background is re-seeded from it. Isolated changed pixels
and thin streaks (rain, sensor noise) are removed by a morphological opening.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from watchkeeper.analytics.zones import WHOLE_PICTURE, Zone, ZoneKind, rasterise

__all__ = ["MotionConfig", "MotionDetector", "MotionResult"]

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 as fractions of the picture."""


@dataclass(frozen=True, slots=True)
class MotionConfig:
    alpha: float = 0.05
    """Background learning rate per analysed frame (0.05 at 5 fps: about 4 s of memory)."""
    threshold: int = 25
    """Grey levels a pixel must differ from the background by to count as changed."""
    global_change: float = 0.6
    """Above this changed fraction of the unmasked picture, the frame is a lighting change."""
    warmup_frames: int = 5
    """Frames learnt before motion is reported (the first frame is the background)."""


@dataclass(frozen=True, slots=True)
class MotionResult:
    fractions: dict[str, float]
    """Changed fraction per zone (masked pixels excluded)."""
    active: frozenset[str]
    """Zones whose fraction reached their sensitivity in this frame."""
    boxes: list[Box] = field(default_factory=list)
    """Bounding boxes of changed regions (the detector's regions of interest)."""
    lighting_change: bool = False


_KERNEL = np.ones((3, 3), np.uint8)


class MotionDetector:
    """Per camera; zones are rasterised lazily at the picture's size."""

    def __init__(self, zones: list[Zone], config: MotionConfig | None = None) -> None:
        self.config = config or MotionConfig()
        self._zones = [z for z in zones if z.kind is ZoneKind.ZONE]
        self._masks = [z for z in zones if z.kind is ZoneKind.MASK]
        self._bg: npt.NDArray[np.float32] | None = None
        self._shape: tuple[int, int] | None = None
        self._allowed: npt.NDArray[np.uint8] | None = None
        self._zone_px: list[tuple[Zone, npt.NDArray[np.bool_], int]] = []
        self._seen = 0

    def _prepare(self, height: int, width: int) -> None:
        allowed = np.full((height, width), 255, np.uint8)
        for m in self._masks:
            allowed[rasterise(m.points, width, height) > 0] = 0
        self._allowed = allowed
        zones = self._zones or [
            Zone(WHOLE_PICTURE, ZoneKind.ZONE, ((0, 0), (1, 0), (1, 1), (0, 1)))
        ]
        self._zone_px = []
        for z in zones:
            px = (rasterise(z.points, width, height) > 0) & (allowed > 0)
            self._zone_px.append((z, px, max(1, int(px.sum()))))
        self._shape = (height, width)
        self._bg = None
        self._seen = 0

    def masked(self, grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """The picture with masks blacked out (what tamper and thumbnails may use)."""
        if self._shape != grey.shape:
            self._prepare(*grey.shape)
        assert self._allowed is not None
        return np.asarray(cv2.bitwise_and(grey, self._allowed), np.uint8)

    def feed(self, grey: npt.NDArray[np.uint8]) -> MotionResult:
        if self._shape != grey.shape:
            self._prepare(*grey.shape)
        assert self._allowed is not None
        cfg = self.config
        blurred = cv2.GaussianBlur(grey, (3, 3), 0)
        if self._bg is None:
            self._bg = blurred.astype(np.float32)
            self._seen = 1
            return MotionResult({z.name: 0.0 for z, _, _ in self._zone_px}, frozenset())
        diff = cv2.absdiff(blurred, cv2.convertScaleAbs(self._bg))
        _, changed = cv2.threshold(diff, cfg.threshold, 255, cv2.THRESH_BINARY)
        changed = cv2.bitwise_and(changed, self._allowed)
        self._seen += 1
        allowed_n = max(1, int(np.count_nonzero(self._allowed)))
        if np.count_nonzero(changed) / allowed_n > cfg.global_change:
            self._bg = blurred.astype(np.float32)
            return MotionResult(
                {z.name: 0.0 for z, _, _ in self._zone_px}, frozenset(), lighting_change=True
            )
        cv2.accumulateWeighted(blurred, self._bg, cfg.alpha)
        changed = cv2.morphologyEx(changed, cv2.MORPH_OPEN, _KERNEL)
        on = changed > 0
        fractions = {z.name: float(np.count_nonzero(on & px)) / n for z, px, n in self._zone_px}
        if self._seen <= cfg.warmup_frames:
            return MotionResult(fractions, frozenset())
        active = frozenset(
            z.name for z, _, _ in self._zone_px if fractions[z.name] >= z.sensitivity
        )
        boxes: list[Box] = []
        if active:
            h, w = grey.shape
            grown = cv2.dilate(changed, _KERNEL, iterations=2)
            contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            for c in contours:
                x, y, bw, bh = cv2.boundingRect(c)
                if bw * bh >= 9:
                    boxes.append((x / w, y / h, (x + bw) / w, (y + bh) / h))
        return MotionResult(fractions, active, boxes)
