"""The working copy: one H.264 MP4 per part, cut to the frame, with the time burned in.

FFmpeg decodes the run as playback assembles it (media time 0 at the run's first keyframe,
wall-clock spacing), keeps exactly the frames whose wall time lies in the window (``trim``
on the stream's own timestamps, chosen from the demuxed packets), draws the camera and each
frame's own time in Europe/London and UTC on an opaque box, and encodes ``yuv420p`` with
``+faststart`` so VLC, Windows and browsers play it. The master is never touched
(DESIGN.md invariant 7).
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from watchkeeper.errors import MediaError
from watchkeeper.timeutil import LONDON, US_PER_S

__all__ = [
    "FONT_CANDIDATES",
    "WorkingCopy",
    "drawtext",
    "encode_working_copy",
    "frame_times",
    "overlay_font",
    "time_text",
]

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSansMono.ttf"),
)
"""Debian's fonts-dejavu-core first; the overlay needs a monospaced font."""


@dataclass(frozen=True, slots=True)
class WorkingCopy:
    path: Path
    frames: int
    first_us: int
    """Wall time of the first frame (UTC µs)."""
    last_us: int
    """Wall time of the last frame (UTC µs)."""
    frame_us: int
    """Typical frame duration (µs), from the source's timestamps."""


def overlay_font() -> Path:
    for p in FONT_CANDIDATES:
        if p.is_file():
            return p
    raise MediaError("no font for the burned-in overlay: install Debian's fonts-dejavu-core")


LINE_CHARS = 48
"""Longest overlay line (the time line); the font is sized so it fits the frame's width."""


def drawtext(textfile: str, line: int, width: int, height: int, expand: bool) -> str:
    """One boxed line of text (FFmpeg ``drawtext``); tests render references with it."""
    size = max(8, min(height // 24, int(width / (0.62 * LINE_CHARS))))
    return (
        f"drawtext=fontfile={overlay_font()}:textfile={textfile}"
        f":expansion={'normal' if expand else 'none'}:fontsize={size}:fontcolor=white"
        f":box=1:boxcolor=black:boxborderw=4:x=4:y={4 + line * (size + 10)}"
    )


def time_text(base_us: int) -> str:
    """Drawtext text: each frame's time (``base_us`` + its own pts) in London and in UTC."""
    off = f"{base_us // US_PER_S}.{base_us % US_PER_S:06d}"
    return (
        f"%{{pts:localtime:{off}:%Y-%m-%d %H\\:%M\\:%S %Z}}   "
        f"%{{pts:gmtime:{off}:%Y-%m-%dT%H\\:%M\\:%SZ}}"
    )


def frame_times(src: Path) -> tuple[list[int], Fraction]:
    """Presentation timestamps of every video packet (no decoding), and the time base."""
    try:
        with av.open(str(src)) as c:
            stream = c.streams.video[0]
            tb = stream.time_base
            if tb is None:
                raise MediaError("source has no time base")
            pts = sorted(p.pts for p in c.demux(stream) if p.pts is not None and p.size)
    except av.FFmpegError as exc:
        raise MediaError(f"cannot read the recorded run: {exc}") from exc
    return pts, Fraction(tb.numerator, tb.denominator)


def encode_working_copy(
    src: Path,
    base_us: int,
    start_us: int,
    end_us: int,
    label: str,
    out: Path,
    progress: Callable[[float], None] | None = None,
) -> WorkingCopy:
    """Encode the frames of ``src`` (media time 0 = ``base_us``) in ``[start_us, end_us)``."""
    pts, tb = frame_times(src)

    def wall(p: int) -> int:
        return base_us + int(p * tb * US_PER_S)

    kept = [p for p in pts if start_us <= wall(p) < end_us]
    if not kept:
        raise MediaError("no frame of the recording falls inside the window")
    work = out.parent
    (work / f".{out.stem}.label.txt").write_text(label, encoding="utf-8")
    (work / f".{out.stem}.time.txt").write_text(time_text(base_us), encoding="utf-8")
    with av.open(str(src)) as c:
        width = c.streams.video[0].codec_context.width
        height = c.streams.video[0].codec_context.height
    vf = ",".join(
        [
            f"trim=start_pts={kept[0]}:end_pts={kept[-1] + 1}",
            drawtext(f".{out.stem}.label.txt", 0, width, height, expand=False),
            drawtext(f".{out.stem}.time.txt", 1, width, height, expand=True),
            "setpts=PTS-STARTPTS",
        ]
    )
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-copyts",
           "-i", str(src.resolve()), "-map", "0:v:0", "-vf", vf, "-fps_mode", "passthrough",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
           "-movflags", "+faststart", "-an", "-sn", "-dn", "-progress", "pipe:1", "-nostats",
           str(out.resolve())]  # fmt: skip
    span_us = max(1, wall(kept[-1]) - wall(kept[0]))
    env = {**os.environ, "TZ": LONDON.key}  # the burned-in local time is London's
    try:
        proc = subprocess.Popen(
            cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except FileNotFoundError as exc:
        raise MediaError("ffmpeg is not installed; the working copy needs it") from exc
    with proc:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                value = line.removeprefix("out_time_us=").strip()
                if progress is not None and line.startswith("out_time_us=") and value.isdigit():
                    progress(min(1.0, int(value) / span_us))
        except BaseException:
            proc.kill()  # cancelled from the progress callback, or interrupted
            out.unlink(missing_ok=True)
            raise
        err = proc.stderr.read() if proc.stderr else ""
    for name in (f".{out.stem}.label.txt", f".{out.stem}.time.txt"):
        (work / name).unlink(missing_ok=True)
    if proc.returncode != 0:
        out.unlink(missing_ok=True)
        raise MediaError(f"working copy encode failed: {err.strip()[-300:]}")
    steps = [b - a for a, b in itertools.pairwise(kept)]
    frame = int(sorted(steps)[len(steps) // 2] * tb * US_PER_S) if steps else 0
    return WorkingCopy(out, len(kept), wall(kept[0]), wall(kept[-1]), frame)
