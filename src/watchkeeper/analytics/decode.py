"""Packets from the fan-out to small grey pictures, at no more than the analysis rate.

A P-frame needs its references, so every reference frame is decoded; non-reference frames
are skipped by the decoder itself (``skip_frame = NONREF``) and frames past the rate are
decoded but dropped before any further work. Each kept frame is scaled to ``width`` pixels
wide (aspect kept) and turned grey by FFmpeg's scaler in the same step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from watchkeeper.cameras.redact import redact_text
from watchkeeper.errors import MediaError

__all__ = ["AnalysisFrame", "FrameDecoder"]


@dataclass(frozen=True, slots=True)
class AnalysisFrame:
    wall_us: int
    grey: npt.NDArray[np.uint8]
    """``height`` x ``width`` grey picture, the only thing motion and tamper look at."""
    source: Any = None
    """The decoded PyAV frame (full size), kept for a thumbnail; may be dropped."""


class FrameDecoder:
    """One camera's decoder. Create again after a codec change (new template)."""

    def __init__(self, template: Any, fps: float = 5.0, width: int = 160) -> None:
        cc = template.codec_context
        try:
            self._ctx: Any = av.CodecContext.create(cc.name, "r")
            if cc.extradata:
                self._ctx.extradata = cc.extradata
            self._ctx.skip_frame = "NONREF"
            self._ctx.thread_type = "NONE"  # one thread per camera is the parallelism
        except (av.FFmpegError, ValueError) as exc:
            raise MediaError(redact_text(f"cannot decode {cc.name}: {exc}")) from None
        self._interval_us = int(1_000_000 / fps)
        self._width = width
        self._next_us: int | None = None
        self.decoded = 0
        self.kept = 0

    def decode(self, packet: Any, wall_us: int) -> list[AnalysisFrame]:
        """The frames of this packet worth analysing (zero or one in practice)."""
        try:
            frames = self._ctx.decode(packet)
        except av.FFmpegError as exc:
            raise MediaError(redact_text(f"decode failed: {exc}")) from None
        out: list[AnalysisFrame] = []
        for frame in frames:
            self.decoded += 1
            if self._next_us is not None and wall_us < self._next_us:
                continue
            self._next_us = wall_us + self._interval_us * 9 // 10  # jitter must not halve fps
            height = max(2, round(frame.height * self._width / max(1, frame.width)) // 2 * 2)
            grey = frame.reformat(width=self._width, height=height, format="gray").to_ndarray()
            out.append(AnalysisFrame(wall_us, np.ascontiguousarray(grey), frame))
            self.kept += 1
        return out

    def close(self) -> None:
        self._ctx = None
