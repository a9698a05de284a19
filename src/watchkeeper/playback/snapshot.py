"""A still picture of any recorded instant: decode one GOP from the index, encode one JPEG.

Only the fragment holding the instant is read (its keyframe and the frames up to the
instant are decoded); PyAV's own MJPEG encoder makes the JPEG, so no imaging library is
needed. The frame shown is the one on screen at that instant: the last frame whose
presentation time is at or before it.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import av

from watchkeeper.errors import MediaError, NotFound
from watchkeeper.playback.layout import Run
from watchkeeper.playback.vmp4 import VirtualMp4
from watchkeeper.timeutil import US_PER_S

__all__ = ["decode_at", "encode_jpeg"]


def decode_at(vm: VirtualMp4, at_us: int) -> Any:
    """The ``av.VideoFrame`` on screen at ``at_us`` (wall time) within ``vm``."""
    frag = next(
        (f for f in vm.run.fragments if f.start_us <= at_us < f.start_us + f.duration_us), None
    )
    if frag is None:
        raise NotFound("nothing recorded at that instant")
    one = VirtualMp4(Run(vm.run.init_id, (frag,)), vm.init, vm.timescale, vm.root)
    data = b"".join(one.read())
    chosen = None
    try:
        with av.open(io.BytesIO(data), "r", format="mp4") as c:
            stream = c.streams.video[0]
            tb = stream.time_base or Fraction(1, 90_000)
            for frame in c.decode(stream):
                if frame.pts is None:
                    continue
                t = frag.start_us + int(frame.pts * tb * US_PER_S)
                if t > at_us and chosen is not None:
                    break
                chosen = frame
    except av.FFmpegError as exc:
        raise MediaError(f"cannot decode recorded frame: {exc}") from exc
    if chosen is None:
        raise MediaError("the fragment holds no decodable frame")
    return chosen


def encode_jpeg(frame: Any, quality: int = 4) -> bytes:
    """JPEG bytes of a video frame (``quality``: MJPEG qscale, 2 best .. 31 worst)."""
    try:
        codec = av.CodecContext.create("mjpeg", "w")
        codec.width = frame.width
        codec.height = frame.height
        codec.pix_fmt = "yuvj420p"
        codec.time_base = Fraction(1, 25)
        codec.options = {"qmin": str(quality), "qmax": str(quality)}
        img = frame.reformat(format="yuvj420p")
        img.pts = 0
        return b"".join(bytes(p) for p in [*codec.encode(img), *codec.encode(None)])
    except av.FFmpegError as exc:
        raise MediaError(f"cannot encode JPEG: {exc}") from exc
