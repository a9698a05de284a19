"""Short H.264 test clips made with Debian's ffmpeg, shared by the media tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["make_clip", "need_tool"]


def need_tool(name: str) -> None:
    """Skip when a tool is missing, unless under CI, where that is a failure."""
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required under CI")
        pytest.skip(f"{name} is not installed")


def make_clip(path: Path, seconds: int = 6, size: str = "320x240", fmt: str = "mpegts") -> Path:
    """H.264 as an IP camera sends it: 15 fps, a keyframe each second, no B-frames."""
    need_tool("ffmpeg")
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size={size}:rate=15", "-t", str(seconds), "-c:v", "libx264",
         "-preset", "ultrafast", "-bf", "0", "-g", "15", "-pix_fmt", "yuv420p",
         "-f", fmt, str(path)],
        check=True,
    )  # fmt: skip
    return path
