"""The camera-like input the benchmarks share: H.264 1080p15, ~2 Mbit/s, GOP 30, no B-frames.

MPEG-TS, so its 90 kHz clock is the one RTSP cameras send. From ``vtest.avi`` (real
pedestrians, Debian's opencv-doc) when ``real_footage`` and it is installed, else from a
synthetic test pattern.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["VTEST", "camera_clip"]

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def camera_clip(path: Path, seconds: float, real_footage: bool = False) -> Path:
    source = (
        ["-stream_loop", "-1", "-i", str(VTEST)]
        if real_footage and VTEST.exists()
        else ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=15"]
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *source, "-t", str(seconds),
         "-vf", "scale=1920:1080,fps=15", "-c:v", "libx264", "-preset", "veryfast",
         "-b:v", "2M", "-maxrate", "2M", "-bufsize", "4M", "-g", "30", "-bf", "0",
         "-pix_fmt", "yuv420p", "-f", "mpegts", str(path)],
        check=True,
    )  # fmt: skip
    return path
