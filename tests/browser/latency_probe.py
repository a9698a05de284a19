"""Glass-to-glass latency, measured the honest way: from the picture the browser shows.

The simulated PTZ camera draws its capture time (UTC ms) into every frame as a block code
(``simulate.clockcode``). :data:`GRAB_JS` runs in the page: it copies the frame the
``<video>`` element is showing onto a canvas and reads the browser's clock in the same
task; :func:`latency_ms` decodes the code from that picture and subtracts. Camera, server
and browser share one machine clock here, so no offset enters the figure. It includes the
camera's own encode, RTSP, the recorder's demux, our remux and WebSocket, and the browser's
MSE buffering, decode and paint: everything between the scene and the screen.
"""

from __future__ import annotations

import base64
import io

import av

from watchkeeper.simulate.clockcode import decode_clock_code

__all__ = ["GRAB_JS", "latency_ms"]

GRAB_JS = """(sel) => {
  const v = document.querySelector(sel);
  if (!v || !v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  c.getContext('2d').drawImage(v, 0, 0);
  const now = Date.now();
  return {now, png: c.toDataURL('image/png')};
}"""


def latency_ms(grab: dict[str, object]) -> float | None:
    """Browser clock minus the capture time in the picture; None when no code is readable."""
    png = base64.b64decode(str(grab["png"]).split(",", 1)[1])
    with av.open(io.BytesIO(png), "r") as c:
        frame = next(c.decode(video=0)).reformat(format="gray")
    plane = frame.planes[0]
    captured_us = decode_clock_code(bytes(plane), frame.width, frame.height, plane.line_size)
    if captured_us is None:
        return None
    return float(grab["now"]) - captured_us / 1000  # type: ignore[arg-type]
