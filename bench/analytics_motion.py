"""Motion analytics CPU per sub-stream, against ``ffmpeg -f null`` decoding the same stream.

Both sides read the same 640x360, 5 fps H.264 clip (the simulated cameras' real footage,
vtest) from a file as fast as they can, on one thread, in the same run:

- **ours**: PyAV demux, our decoder (non-reference frames skipped, each frame scaled to
  160 px grey), the motion model with one zone and one mask, motion spans and tamper: the
  whole per-camera analytics path minus the fan-out queue (which copies a packet) and the
  database writes (one row per span);
- **reference**: ``ffmpeg -threads 1 -i clip -f null -``: demux and full decode, no analysis.

CPU is process time (ours) and the children's rusage (ffmpeg). CPU per stream is CPU
seconds per second of video: at real time, one stream costs that fraction of a core, so
one core carries 1/that streams. Run from the repository root::

    python bench/analytics_motion.py --seconds 60 --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import time
from pathlib import Path

import av

from watchkeeper.analytics.decode import FrameDecoder
from watchkeeper.analytics.motion import MotionDetector
from watchkeeper.analytics.spans import SpanTracker
from watchkeeper.analytics.tamper import TamperWatch
from watchkeeper.analytics.zones import Zone, ZoneKind
from watchkeeper.simulate.footage import ClipSpec, cache_dir, ensure_clip

ZONES = [
    Zone("walkway", ZoneKind.ZONE, ((0, 0.3), (1, 0.3), (1, 1), (0, 1))),
    Zone("window", ZoneKind.MASK, ((0, 0), (0.4, 0), (0.4, 0.3), (0, 0.3))),
]


def clip(seconds: float) -> Path:
    raw = ensure_clip(ClipSpec("vtest", 640, 360, 5, 300, 10, seconds), cache_dir() / "bench")
    ts = raw.with_suffix(".ts")
    if not ts.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-framerate", "5", "-i", str(raw),
                        "-c", "copy", str(ts)], check=True)  # fmt: skip
    return ts


def ours(path: Path, analyse: bool = True) -> tuple[float, float, int]:
    """(CPU seconds, video seconds, frames analysed)."""
    cpu0 = time.process_time()
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        dec = FrameDecoder(stream, fps=5.0)
        motion, spans, tamper = MotionDetector(ZONES), SpanTracker("bench"), TamperWatch()
        tb = float(stream.time_base)
        first = last = None
        n = 0
        for packet in c.demux(stream):
            if packet.dts is None:
                continue
            wall = int(packet.dts * tb * 1e6)
            first = wall if first is None else first
            last = wall
            for f in dec.decode(packet, wall):
                n += 1
                if analyse:
                    r = motion.feed(f.grey)
                    spans.feed(wall, r.fractions, r.active, None)
                    tamper.feed(motion.masked(f.grey), wall)
    video_s = ((last or 0) - (first or 0)) / 1e6 + 0.2
    return time.process_time() - cpu0, video_s, n


def ffmpeg(path: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", str(path),
                    "-f", "null", "-"], check=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=60.0, help="clip length")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side (best kept)")
    args = ap.parse_args()
    path = clip(args.seconds)
    best_ours = best_dec = best_ref = float("inf")
    video_s = 0.0
    frames = 0
    for _ in range(args.repeat):
        cpu, video_s, frames = ours(path)
        best_ours = min(best_ours, cpu)
        best_dec = min(best_dec, ours(path, analyse=False)[0])
        best_ref = min(best_ref, ffmpeg(path))
    per_stream = best_ours / video_s
    print(f"clip: {path.name}, {video_s:.1f} s of video, {frames} frames analysed")
    print(f"ours (decode + motion + spans + tamper): {best_ours:.3f} CPU-s "
          f"= {per_stream * 100:.2f}% of a core per stream at real time")  # fmt: skip
    print(f"  of which decode and scale only:       {best_dec:.3f} CPU-s")
    print(f"reference ffmpeg -threads 1 -f null:     {best_ref:.3f} CPU-s")
    print(f"ratio ours / ffmpeg decode:              {best_ours / best_ref:.2f}x")
    print(f"streams within one core (ours):          {1 / per_stream:.0f} (target: 138)")


if __name__ == "__main__":
    main()
