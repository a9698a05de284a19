"""Packets from the fan-out to small grey pictures, at no more than the analysis rate.

A P-frame needs its references, so every reference frame is decoded; non-reference frames
are skipped by the decoder itself (``skip_frame = NONREF``) and frames past the rate are
decoded but dropped before any further work (the deblocking filter is skipped). Each kept
frame's luma plane is area-averaged down to ``width`` pixels wide (aspect kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from watchkeeper.cameras.redact import redact_text
from watchkeeper.errors import MediaError

__all__ = ["AnalysisFrame", "FrameDecoder"]

_PLANAR_YUV = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"}


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
            # The deblocking filter only smooths block edges, which 160-pixel pictures
            # cannot show; skipping it saves about a tenth of the decode.
            self._ctx.options = {"skip_loop_filter": "all"}
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
            out.append(AnalysisFrame(wall_us, self._grey(frame, height), frame))
            self.kept += 1
        return out

    def _grey(self, frame: Any, height: int) -> npt.NDArray[np.uint8]:
        """The luma plane, area-averaged down: a quarter cheaper than a full reformat."""
        if frame.format.name in _PLANAR_YUV:
            y = frame.planes[0]
            luma = np.frombuffer(y, np.uint8).reshape(y.height, y.line_size)[:, : frame.width]
            small = cv2.resize(luma, (self._width, height), interpolation=cv2.INTER_AREA)
            return np.ascontiguousarray(small, np.uint8)
        grey = frame.reformat(width=self._width, height=height, format="gray").to_ndarray()
        return np.ascontiguousarray(grey, np.uint8)

    def close(self) -> None:
        self._ctx = None
