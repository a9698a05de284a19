"""A JPEG of the live view: the next keyframe from the recorder's fan-out, decoded once.

No second camera connection and no standing decoder: the request subscribes, takes the next
keyframe (at most one GOP away), remuxes it into a one-frame fMP4 with the live muxer,
decodes that and encodes a JPEG.
"""

from __future__ import annotations

import io
import time

import av

from watchkeeper.errors import MediaError, NotFound
from watchkeeper.live.streamer import LiveMuxer
from watchkeeper.playback.snapshot import encode_jpeg
from watchkeeper.recording.supervisor import StreamSupervisor

__all__ = ["live_jpeg"]


def live_jpeg(supervisor: StreamSupervisor, timeout_s: float = 5.0) -> bytes:
    """JPEG of the stream's next keyframe; NotFound if none arrives within ``timeout_s``."""
    sub = supervisor.fanout.subscribe(64)
    mux: LiveMuxer | None = None
    try:
        deadline = time.monotonic() + timeout_s
        data = b""
        while time.monotonic() < deadline:
            lp = sub.get(max(0.0, deadline - time.monotonic()))
            if lp is None:
                break
            template = supervisor.template
            if mux is None:
                if not lp.keyframe or template is None:
                    continue
                mux = LiveMuxer(template, lp)
                mux.push(lp)
                continue
            data = mux.push(lp)  # the keyframe's own fragment, closed by the next frame
            break
        if mux is None or not data:
            raise NotFound("no picture from this camera just now")
        try:
            with av.open(io.BytesIO(mux.init + data), "r") as c:
                frame = next(c.decode(video=0))
        except (av.FFmpegError, StopIteration) as exc:
            raise MediaError(f"cannot decode the live picture: {exc}") from exc
        return encode_jpeg(frame)
    finally:
        supervisor.fanout.unsubscribe(sub)
        if mux is not None:
            mux.close()
