"""Render: decode the source, obscure the planned boxes, encode a new H.264 MP4.

Each output frame keeps its source frame's timestamp (same time base), so the copy runs at
the source's frame rate and timing. Frames with nothing to obscure go to the encoder as
decoded. The file is written as ``.<name>.part`` and renamed only when complete and
fsynced (docs/design/redaction.md, invariant 4).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import av
import numpy as np
import numpy.typing as npt

from watchkeeper.errors import MediaError
from watchkeeper.redaction.detect import Box
from watchkeeper.redaction.plan import Style, pad_box

__all__ = ["Rendered", "obscure", "render_clip"]

Image = npt.NDArray[np.uint8]
BoxesAt = Callable[[int], Sequence[Box]]

PIXEL_BLOCKS = 8
"""Blocks across the longer side of a pixelated region: no feature survives at 8."""


@dataclass(frozen=True, slots=True)
class Rendered:
    path: Path
    frames: int
    redacted_frames: int


def obscure(img: Image, boxes: Sequence[Box], style: Style, pad: float) -> Image:
    """``img`` (H x W x 3) with every box obscured, in place; returned for convenience.

    Blur first shrinks the region to a few pixels (so no detail survives whatever the
    box's size) and then smooths it back up; pixelate keeps the blocks square and hard.
    """
    import cv2

    h, w = img.shape[:2]
    for box in boxes:
        x1, y1, x2, y2 = pad_box(box, pad, w, h)
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue
        region = img[y1:y2, x1:x2]
        rh, rw = region.shape[:2]
        if style is Style.SOLID:
            region[:] = 0
            continue
        scale = PIXEL_BLOCKS / max(rw, rh)
        small = cv2.resize(
            region, (max(1, round(rw * scale)), max(1, round(rh * scale))),
            interpolation=cv2.INTER_AREA,
        )  # fmt: skip
        if style is Style.PIXELATE:
            region[:] = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_NEAREST)
        else:
            up = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_LINEAR)
            k = max(3, (min(rw, rh) // 4) | 1)
            region[:] = cv2.GaussianBlur(up, (k, k), 0)
    return img


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def render_clip(
    src: Path,
    dest: Path,
    boxes_at: BoxesAt,
    style: Style,
    pad: float,
    frames: int,
    progress: Callable[[float], None] | None = None,
    crf: int = 18,
) -> Rendered:
    """Write ``dest`` from ``src`` with ``boxes_at(i)`` obscured on frame ``i``."""
    part = dest.with_name(f".{dest.name}.part")
    part.unlink(missing_ok=True)
    count = redacted = 0
    try:
        with av.open(str(src)) as inp, av.open(
            str(part), "w", format="mp4", options={"movflags": "+faststart"}
        ) as out:  # fmt: skip
            vin = inp.streams.video[0]
            vin.thread_type = "AUTO"
            rate = vin.average_rate or vin.guessed_rate
            vout = out.add_stream("libx264", rate=rate)
            vout.width = vin.codec_context.width
            vout.height = vin.codec_context.height
            vout.pix_fmt = "yuv420p"
            if vin.time_base is None or rate is None:
                raise MediaError(f"{src.name} has no time base")
            vout.time_base = vin.time_base
            vout.codec_context.time_base = vin.time_base
            vout.options = {"crf": str(crf), "preset": "veryfast", "bf": "0"}
            for frame in inp.decode(vin):
                boxes = boxes_at(count)
                if boxes:
                    img = obscure(cast(Image, frame.to_ndarray(format="rgb24")), boxes, style, pad)
                    new = av.VideoFrame.from_ndarray(img, format="rgb24")
                    new.pts, new.time_base = frame.pts, frame.time_base
                    frame = new
                    redacted += 1
                frame.pict_type = av.video.frame.PictureType.NONE
                for packet in vout.encode(frame):
                    out.mux(packet)
                count += 1
                if progress and frames:
                    progress(min(1.0, count / frames))
            for packet in vout.encode(None):
                out.mux(packet)
        _fsync(part)
        part.rename(dest)
        _fsync(dest.parent)
    except av.FFmpegError as exc:
        part.unlink(missing_ok=True)
        raise MediaError(f"cannot render the redacted copy: {exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Rendered(dest, count, redacted)
