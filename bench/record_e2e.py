"""End to end: ``watchkeeper record`` vs ``ffmpeg -c copy -f segment`` on the same RTSP cameras.

N simulated RTSP cameras (one rig, footage looped without re-encoding, 15 fps, GOP 2 s) are
recorded for ``--seconds`` twice in the same run, one side after the other, on the same
streams:

* **Watchkeeper**: ``python -m watchkeeper record [--workers W]`` as a user runs it, with
  ``RecorderConfig()`` defaults: RTSP over TCP, timestamp validation, fMP4 segments of ~60 s,
  SHA-256 of every byte, fdatasync per GOP, an index row per segment committed to the
  database (SQLite here), stream events, the housekeeping thread. Startup (imports,
  migration check, recovery) is excluded: CPU is measured from when every camera is
  streaming to just before SIGTERM.
* **ffmpeg**: N processes of ``ffmpeg -rtsp_transport tcp -i URL -c copy -f segment
  -segment_time 60``: RTSP and MP4 segments only; no hashing, no fsync, no database, no
  validation, no events. CPU from 5 s after start to just before they are stopped.

Printed per N: CPU seconds per camera-minute of each side and their ratio, memory per
camera (ours: the recorder processes' peak resident memory summed, divided by N, so the
Python interpreter and libraries are shared out; ffmpeg: the mean peak of its processes,
each holding one camera) and, for ours, whether any camera had a gap (a hole over 0.5 s
between segments, or less footage than the measured window). The rig's own CPU is in
neither figure. ``--search`` looks for the largest N recorded without gaps (ours only),
doubling from the first ``--cameras`` value and then bisecting. Usage::

    python bench/record_e2e.py --cameras 8 32 138 [--seconds 60] [--workers 2]
    python bench/record_e2e.py --search --cameras 32 --workers 2 --seconds 30
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from watchkeeper.cameras.models import Area, Camera, CameraKind, CameraStatus, Site
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.models import Segment, StreamEvent
from watchkeeper.simulate.config import CameraSpec, Resolution, RigConfig
from watchkeeper.simulate.footage import cache_dir
from watchkeeper.simulate.rig import Rig
from watchkeeper.timeutil import US_PER_S, SystemClock

TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """The process and its descendants, from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _cpu_s(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def _peak_kib(pids: list[int]) -> list[int]:
    out = []
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        out += [int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM:")]
    return out


@dataclass
class Side:
    cpu_s: float
    seconds: float
    cameras: int
    mem_kib_per_camera: float
    gaps: list[str]

    @property
    def per_camera_minute(self) -> float:
        return self.cpu_s / (self.cameras * self.seconds / 60)


@contextmanager
def rig(n: int, resolution: Resolution) -> Iterator[list[str]]:
    cams = [CameraSpec(name=f"cam{i + 1}", main=resolution, onvif=False) for i in range(n)]
    cfg = RigConfig(rtsp_port=0, onvif_port=0, control_port=0, cameras=cams,
                    cache_dir=cache_dir() / "bench")  # fmt: skip
    with Rig(cfg) as r:
        yield [r.camera(c.name).main_url for c in cams]


def _register(db: Database, urls: list[str]) -> None:
    with db.session() as s:
        s.add(Site(id="bench", name="Bench"))
        s.add(Area(id="bench-a", site_id="bench", name="Bench"))
        for i, url in enumerate(urls):
            s.add(Camera(id=f"cam{i + 1}", name=f"cam{i + 1}", area_id="bench-a",
                         kind=CameraKind.FIXED, status=CameraStatus.ACTIVE, purpose="bench",
                         dpia_ref="B", retention_days=31, main_url=url, updated_us=0))  # fmt: skip


def _streaming(db: Database) -> int:
    with db.session() as s:
        return int(
            s.execute(
                select(func.count(func.distinct(StreamEvent.camera_id))).where(
                    StreamEvent.state == "streaming"
                )
            ).scalar_one()
        )


def _gaps(db: Database, n: int, t0: int, t1: int) -> list[str]:
    """Cameras with a hole over 0.5 s, or short of footage, within [t0, t1]."""
    out = []
    with db.session() as s:
        for i in range(n):
            cam = f"cam{i + 1}"
            segs = s.execute(
                select(Segment.start_us, Segment.end_us)
                .where(Segment.camera_id == cam, Segment.end_us > t0, Segment.start_us < t1)
                .order_by(Segment.start_us)
            ).all()
            if not segs:
                out.append(f"{cam}: nothing recorded")
                continue
            holes = [b[0] - a[1] for a, b in itertools.pairwise(segs)]
            worst = max([0, segs[0][0] - t0, *holes]) / US_PER_S
            covered = sum(min(e, t1) - max(b, t0) for b, e in segs) / US_PER_S
            if worst > 0.5 or covered < (t1 - t0) / US_PER_S - 1.0:
                out.append(f"{cam}: worst hole {worst:.2f} s, {covered:.1f} s recorded")
    return out


def run_ours(urls: list[str], seconds: float, workers: int) -> Side:
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="wk-e2e-") as tmp:
        data = Path(tmp)
        db = Database(f"sqlite:///{data / 'watchkeeper.db'}")
        upgrade(db.engine)
        _register(db, urls)
        env = {**os.environ, "WATCHKEEPER_MODE": "development", "WATCHKEEPER_DATA_DIR": tmp}
        env.pop("WATCHKEEPER_DATABASE_URL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "watchkeeper", "--data-dir", tmp, "record",
             "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while _streaming(db) < len(urls):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"only {_streaming(db)} of {len(urls)} cameras streamed")
                time.sleep(0.5)
            t0, c0 = clock.now_us(), _cpu_s(_tree(proc.pid))
            time.sleep(seconds)
            pids = _tree(proc.pid)
            c1, t1 = _cpu_s(pids), clock.now_us()
            peaks = _peak_kib(pids)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(120)
        gaps = _gaps(db, len(urls), t0, t1)
        db.dispose()
    return Side(c1 - c0, (t1 - t0) / US_PER_S, len(urls), sum(peaks) / len(urls), gaps)


def run_ffmpeg(urls: list[str], seconds: float) -> Side:
    with tempfile.TemporaryDirectory(prefix="ff-e2e-") as tmp:
        procs = []
        for i, url in enumerate(urls):
            out = Path(tmp) / f"cam{i + 1}"
            out.mkdir()
            procs.append(subprocess.Popen(
                ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", url,
                 "-c", "copy", "-f", "segment", "-segment_time", "60",
                 "-reset_timestamps", "1", str(out / "%05d.mp4")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        try:
            time.sleep(5)
            pids = [p.pid for p in procs]
            c0, w0 = _cpu_s(pids), time.monotonic()
            time.sleep(seconds)
            c1, w1 = _cpu_s(pids), time.monotonic()
            peaks = _peak_kib(pids)
        finally:
            for p in procs:
                p.send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        dead = [f"cam{i + 1}: ffmpeg exited with {p.returncode}" for i, p in enumerate(procs)
                if p.returncode not in (0, 255, -signal.SIGINT)]  # fmt: skip
    return Side(c1 - c0, w1 - w0, len(urls), sum(peaks) / max(1, len(peaks)), dead)


def measure(n: int, args: argparse.Namespace, with_ffmpeg: bool = True) -> Side:
    with rig(n, args.resolution) as urls:
        ours = run_ours(urls, args.seconds, args.workers)
        line = (
            f"N={n:4d} workers={args.workers}  watchkeeper {ours.per_camera_minute:.3f} "
            f"CPU-s/camera-min, {ours.mem_kib_per_camera / 1024:.1f} MiB/camera, "
            f"{'no gaps' if not ours.gaps else f'{len(ours.gaps)} cameras with gaps'}"
        )
        if with_ffmpeg:
            ff = run_ffmpeg(urls, args.seconds)
            line += (
                f" | ffmpeg {ff.per_camera_minute:.3f} CPU-s/camera-min, "
                f"{ff.mem_kib_per_camera / 1024:.1f} MiB/camera | ratio "
                f"{ours.per_camera_minute / ff.per_camera_minute:.2f}"
            )
            if ff.gaps:
                line += f" (ffmpeg: {'; '.join(ff.gaps)})"
        print(line, flush=True)
        for g in ours.gaps[:10]:
            print(f"    gap: {g}")
    return ours


def search(args: argparse.Namespace) -> None:
    good, bad = 0, 0
    n = args.cameras[0]
    while not bad and n <= args.max_cameras:
        if measure(n, args, with_ffmpeg=False).gaps:
            bad = n
        else:
            good, n = n, n * 2
    while bad and bad - good > max(1, good // 10):
        mid = (good + bad) // 2
        if measure(mid, args, with_ffmpeg=False).gaps:
            bad = mid
        else:
            good = mid
    print(f"largest N without gaps: {good} (workers={args.workers}; first with gaps: {bad or '-'})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cameras", type=int, nargs="+", default=[8])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--resolution", default="1080p", choices=["1080p", "720p", "540p", "360p"])
    ap.add_argument("--search", action="store_true", help="largest N without gaps (ours only)")
    ap.add_argument("--max-cameras", type=int, default=512)
    args = ap.parse_args()
    print("watchkeeper: RTSP/TCP, validation, fMP4, SHA-256, fdatasync per GOP, SQLite index, "
          "events; startup excluded | ffmpeg: RTSP/TCP, MP4 segments only (no hash, fsync, "
          "database); the rig's CPU in neither", flush=True)  # fmt: skip
    if args.search:
        search(args)
        return
    for n in args.cameras:
        measure(n, args)


if __name__ == "__main__":
    main()
