"""CPU seconds per camera-minute: Watchkeeper's recorder vs ``ffmpeg -c copy -f segment``.

Both remux the same camera-like input (H.264 1080p15, ~2 Mbit/s, GOP 30, no B-frames, MPEG-TS
with a 90 kHz clock like RTSP) into ~60 s MP4 segments, N streams at once, as fast as the
input can be read, or paced at 1x like cameras (``--realtime``, the situation that matters:
flat out, N Python threads fight over the GIL and cost more). Ours runs N threads in one
process (validator + fMP4 writer + SHA-256 + per-GOP fdatasync, no database); ffmpeg runs N
processes and neither hashes nor fsyncs. Usage::

    python bench/record_cpu.py --streams 8 32 [--seconds 30] [--loops 2] [--realtime]

Prints one line per N with both figures and the ratio (target: ratio <= 1.1), and the
memory per camera of each (ours: the process's peak above its start, divided by N; ffmpeg:
the mean peak resident memory of its processes, sampled from /proc).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from camera_clip import camera_clip

CHILD = textwrap.dedent("""
    import sys, threading, time
    from fractions import Fraction
    from pathlib import Path
    from watchkeeper.recording.config import RecorderConfig
    from watchkeeper.recording.ingest import FileSource
    from watchkeeper.recording.paths import StreamKey
    from watchkeeper.recording.segments import SegmentWriter
    from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
    from watchkeeper.timeutil import SystemClock

    src, out, n, loops, fsync, realtime = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), \\
        int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6] == "1"
    cfg = RecorderConfig(stagger=False, fsync_each_fragment=fsync)
    clock = SystemClock()

    def one(i):
        w = SegmentWriter(out, StreamKey(f"CAM-{i:03d}", "main"), cfg, lambda seg: None)
        s = FileSource(Path(src), clock, realtime=realtime, loops=loops)
        w.start_connection(s.template)
        tb = s.template.time_base
        v = TimestampValidator(Fraction(tb.numerator, tb.denominator), max_drift_us=10**15)
        for p in s.packets():
            st = v.check(PacketInfo(p.dts, p.pts, p.is_keyframe, clock.now_us()))
            if st.action in (Action.ACCEPT, Action.NEW_RUN):
                w.write(p, st)
        s.close()
        w.close()

    import resource
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.process_time()
    w0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(time.process_time() - t0, time.monotonic() - w0, base_kib, peak_kib)
""")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def rss_kib(pid: int) -> int:
    """Resident memory of a running process, from /proc (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_ffmpeg(src: Path, out: Path, n: int, loops: int, realtime: bool) -> tuple[float, float]:
    """CPU seconds of N ffmpeg processes, and their mean peak resident memory in KiB."""
    before = children_cpu()
    procs = []
    for i in range(n):
        d = out / f"ff{i}"
        d.mkdir(parents=True)
        procs.append(
            subprocess.Popen(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    *(["-re"] if realtime else []),
                    "-stream_loop",
                    str(loops - 1),
                    "-i",
                    str(src),
                    "-map",
                    "0:v",
                    "-c",
                    "copy",
                    "-f",
                    "segment",
                    "-segment_time",
                    "60",
                    "-segment_format",
                    "mp4",
                    "-reset_timestamps",
                    "1",
                    str(d / "%03d.mp4"),
                ]
            )
        )
    peaks = [0] * n
    while any(p.poll() is None for p in procs):
        for i, p in enumerate(procs):
            peaks[i] = max(peaks[i], rss_kib(p.pid))
        time.sleep(0.2)
    if any(p.returncode != 0 for p in procs):
        raise SystemExit("ffmpeg failed")
    return children_cpu() - before, sum(peaks) / n


def run_ours(
    src: Path, out: Path, n: int, loops: int, fsync: bool, realtime: bool
) -> tuple[float, float, float, int, int]:
    before = children_cpu()
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(src),
            str(out / "wk"),
            str(n),
            str(loops),
            "1" if fsync else "0",
            "1" if realtime else "0",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, wall, base, peak = r.stdout.split()
    return float(cpu), children_cpu() - before, float(wall), int(base), int(peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--streams", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--seconds", type=int, default=30, help="length of the input clip")
    ap.add_argument("--loops", type=int, default=2, help="plays per stream")
    ap.add_argument("--no-fsync", action="store_true", help="no fdatasync per GOP")
    ap.add_argument(
        "--realtime",
        action="store_true",
        help="pace every stream at 1x like a camera (ffmpeg -re); takes real time",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wk-bench-") as tmp:
        src = Path(tmp) / "cam.ts"
        camera_clip(src, args.seconds, real_footage=True)
        minutes = args.seconds * args.loops / 60
        pace = "paced at 1x" if args.realtime else "as fast as possible"
        print(
            f"input: 1080p15 ~2 Mbit/s, {args.seconds} s x {args.loops} plays per stream, "
            f"{pace}, fsync per GOP {'off' if args.no_fsync else 'on'}"
        )
        for n in args.streams:
            out = Path(tmp) / f"n{n}"
            ff, ff_rss = run_ffmpeg(src, out, n, args.loops, args.realtime)
            ours_work, ours_total, wall, base, peak = run_ours(
                src, out, n, args.loops, not args.no_fsync, args.realtime
            )
            shutil.rmtree(out)
            per = n * minutes
            print(
                f"{n:3d} streams: ffmpeg {ff / per:.3f} CPU-s/camera-min; "
                f"watchkeeper {ours_work / per:.3f} (with interpreter start "
                f"{ours_total / per:.3f}); ratio {ours_work / ff:.2f} "
                f"({ours_total / ff:.2f} incl. start); ours took {wall:.1f} s wall for "
                f"{args.seconds * args.loops} s of video"
            )
            print(
                f"    memory: watchkeeper {(peak - base) / n / 1024:.1f} MiB per camera above "
                f"the process's {base / 1024:.0f} MiB (peak {peak / 1024:.0f} MiB for {n}); "
                f"ffmpeg {ff_rss / 1024:.1f} MiB per camera (one process each)"
            )


if __name__ == "__main__":
    main()
