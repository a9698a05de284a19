"""Camera tamper from the analysed pictures: covered, defocused, moved; and video loss.

A reference (brightness, sharpness, a coarse edge picture) is learnt from the first
``learn_frames`` frames and then follows the scene slowly while nothing is wrong, so dusk
does not read as tamper. A condition must hold for ``hold_s`` before it is reported, and is
reported once until it clears. Pure over frames and times: the pipeline opens the faults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["TamperConfig", "TamperEvent", "TamperKind", "TamperWatch"]


class TamperKind(StrEnum):
    COVERED = "covered"
    DEFOCUSED = "defocused"
    MOVED = "moved"
    VIDEO_LOSS = "video loss"


@dataclass(frozen=True, slots=True)
class TamperEvent:
    kind: TamperKind
    at_us: int
    text: str


@dataclass(frozen=True, slots=True)
class TamperConfig:
    learn_frames: int = 25
    hold_s: float = 5.0
    dark_mean: float = 25.0
    flat_std: float = 8.0
    blur_ratio: float = 0.3
    moved_correlation: float = 0.5
    follow: float = 0.01
    """How fast the reference follows the scene while nothing is wrong."""


def _edges(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    small = cv2.resize(grey, (32, 18), interpolation=cv2.INTER_AREA).astype(np.float32)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1)
    return np.asarray(cv2.magnitude(gx, gy), np.float32)


def _correlation(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    a0, b0 = a - a.mean(), b - b.mean()
    den = float(np.sqrt((a0 * a0).sum() * (b0 * b0).sum()))
    return float((a0 * b0).sum() / den) if den > 1e-6 else 0.0


@dataclass
class TamperWatch:
    config: TamperConfig = field(default_factory=TamperConfig)
    _n: int = 0
    _sharp: float = 0.0
    _edges: npt.NDArray[np.float32] | None = None
    _since: dict[TamperKind, int] = field(default_factory=dict)
    _reported: set[TamperKind] = field(default_factory=set)

    def feed(self, grey: npt.NDArray[np.uint8], wall_us: int) -> list[TamperEvent]:
        cfg = self.config
        mean, std = float(grey.mean()), float(grey.std())
        sharp = float(cv2.Laplacian(grey, cv2.CV_32F).var())
        edges = _edges(grey)
        if self._n < cfg.learn_frames or self._edges is None:
            k = 1.0 / (self._n + 1)
            self._sharp = self._sharp * (1 - k) + sharp * k
            self._edges = edges if self._edges is None else self._edges * (1 - k) + edges * k
            self._n += 1
            return []
        now: dict[TamperKind, str] = {}
        if mean < cfg.dark_mean or std < cfg.flat_std:
            now[TamperKind.COVERED] = f"camera covered (brightness {mean:.0f}, contrast {std:.0f})"
        else:
            if sharp < self._sharp * cfg.blur_ratio:
                now[TamperKind.DEFOCUSED] = (
                    f"camera out of focus (sharpness {sharp:.0f}, usually {self._sharp:.0f})"
                )
            corr = _correlation(edges, self._edges)
            if corr < cfg.moved_correlation:
                now[TamperKind.MOVED] = f"camera moved (scene match {corr:.2f})"
        if not now:
            f = cfg.follow
            self._sharp = self._sharp * (1 - f) + sharp * f
            self._edges = self._edges * (1 - f) + edges * f
        return self._settle(now, wall_us)

    def _settle(self, now: dict[TamperKind, str], wall_us: int) -> list[TamperEvent]:
        hold_us = int(self.config.hold_s * 1_000_000)
        out = []
        for kind in list(self._since):
            if kind not in now and kind is not TamperKind.VIDEO_LOSS:
                del self._since[kind]
                self._reported.discard(kind)
        for kind, text in now.items():
            since = self._since.setdefault(kind, wall_us)
            if kind not in self._reported and wall_us - since >= hold_us:
                self._reported.add(kind)
                out.append(TamperEvent(kind, wall_us, text))
        return out

    def video_lost(self, last_us: int, now_us: int, after_s: float) -> TamperEvent | None:
        """Report video loss once when no frame has come for ``after_s``."""
        if now_us - last_us < after_s * 1_000_000 or TamperKind.VIDEO_LOSS in self._reported:
            return None
        self._reported.add(TamperKind.VIDEO_LOSS)
        secs = (now_us - last_us) / 1_000_000
        return TamperEvent(
            TamperKind.VIDEO_LOSS, now_us, f"video lost (no picture for {secs:.0f} s)"
        )

    def video_back(self) -> None:
        self._reported.discard(TamperKind.VIDEO_LOSS)
