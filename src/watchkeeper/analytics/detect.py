"""People on motion regions: OpenCV's HOG + linear SVM pedestrian detector.

The detector's weights (the SVM coefficients) ship inside the ``opencv-python`` wheel
(Apache-2.0), so nothing is downloaded at run time and no TensorFlow or PyTorch is needed.
It finds people only (no vehicles). It runs on the regions where motion was found, each
enlarged so a person is at least the detector's 128-pixel window tall, never on whole
frames. :func:`load_detector` checks the weights at start: a missing or corrupt model stops
analytics with a clear message and leaves recording alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from watchkeeper.errors import ConfigError

__all__ = ["Detection", "Detector", "HogPersonDetector", "load_detector", "nms"]

Box = tuple[float, float, float, float]
HOG_WEIGHTS = 3781  # 64x128 window: 3780 HOG features and the bias


@dataclass(frozen=True, slots=True)
class Detection:
    label: str
    score: float
    box: Box
    """x0, y0, x1, y1 as fractions of the picture."""


class Detector(Protocol):
    labels: tuple[str, ...]

    def detect(self, image: npt.NDArray[np.uint8], regions: list[Box]) -> list[Detection]: ...


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms(found: list[Detection], overlap: float = 0.4) -> list[Detection]:
    """Keep the best of boxes that overlap (regions next to each other find one person twice)."""
    kept: list[Detection] = []
    for d in sorted(found, key=lambda d: -d.score):
        if all(_iou(d.box, k.box) < overlap for k in kept):
            kept.append(d)
    return kept


def _merge(regions: list[Box], pad: float) -> list[Box]:
    """Regions grown by ``pad`` (a fraction of the picture) and merged where they touch."""
    grown = [(max(0.0, x0 - pad), max(0.0, y0 - pad), min(1.0, x1 + pad), min(1.0, y1 + pad))
             for x0, y0, x1, y1 in regions]  # fmt: skip
    merged: list[Box] = []
    for r in sorted(grown):
        for i, m in enumerate(merged):
            if r[0] <= m[2] and m[0] <= r[2] and r[1] <= m[3] and m[1] <= r[3]:
                merged[i] = (min(m[0], r[0]), min(m[1], r[1]), max(m[2], r[2]), max(m[3], r[3]))
                break
        else:
            merged.append(r)
    return merged


class HogPersonDetector:
    labels: tuple[str, ...] = ("person",)

    def __init__(self, weights: npt.NDArray[np.float32], threshold: float = 1.0,
                 scale: float = 2.0) -> None:  # fmt: skip
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(weights)
        self.threshold = threshold
        self.scale = scale
        """Enlargement before detection: sub-stream people are 40-80 px tall."""

    def detect(self, image: npt.NDArray[np.uint8], regions: list[Box]) -> list[Detection]:
        h, w = image.shape[:2]
        out: list[Detection] = []
        for x0, y0, x1, y1 in _merge(regions, 0.05) or [(0.0, 0.0, 1.0, 1.0)]:
            px0, py0 = int(x0 * w), int(y0 * h)
            px1, py1 = max(px0 + 8, int(x1 * w)), max(py0 + 8, int(y1 * h))
            crop = image[py0:py1, px0:px1]
            if crop.size == 0:
                continue
            big = cv2.resize(
                crop, None, fx=self.scale, fy=self.scale, interpolation=cv2.INTER_LINEAR
            )
            if big.shape[0] < 128 or big.shape[1] < 64:
                continue
            rects, weights = self._hog.detectMultiScale(
                big, winStride=(8, 8), padding=(8, 8), scale=1.05
            )
            for (rx, ry, rw, rh), score in zip(rects, np.ravel(weights), strict=False):
                if float(score) < self.threshold:
                    continue
                bx0 = (px0 + rx / self.scale) / w
                by0 = (py0 + ry / self.scale) / h
                bx1 = (px0 + (rx + rw) / self.scale) / w
                by1 = (py0 + (ry + rh) / self.scale) / h
                out.append(Detection("person", round(float(score), 3), (bx0, by0, bx1, by1)))
        return nms(out)


def _shipped_weights() -> Any:
    return cv2.HOGDescriptor.getDefaultPeopleDetector()


def load_detector(
    threshold: float = 1.0, weights_from: Callable[[], Any] = _shipped_weights
) -> HogPersonDetector:
    """The person detector, with its weights checked; ConfigError says what is wrong."""
    try:
        weights = np.asarray(weights_from(), np.float32)
    except (AttributeError, cv2.error) as exc:
        raise ConfigError(f"person detector: OpenCV has no HOG people model ({exc})") from exc
    weights = weights.reshape(-1, 1)
    if weights.shape[0] != HOG_WEIGHTS or not np.all(np.isfinite(weights)):
        raise ConfigError(
            f"person detector: model corrupt ({weights.shape[0]} weights, {HOG_WEIGHTS} expected)"
        )
    return HogPersonDetector(weights, threshold)
