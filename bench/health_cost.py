"""Camera health and the alarm banner: what they cost over a borough's week of index.

The index holds one main-stream row per camera-minute for ``--days`` days (the sample
borough's 138 cameras, all active), with one stream event per camera, as the recorder would
have written them (rows generated; no files, as nothing here reads one). Measured, each the
median of ``--runs``:

- ``uptime``: recorded µs per camera and London day over the last 7 days (the health page's
  one statement per stream over the span index, each segment split at midnight). Reference:
  the plainest query over the same rows, ``SUM(end_us - start_us) GROUP BY camera, stream``
  for the whole window (no split into days).
- ``today``: the same for today only, what the page reads again each minute (the days
  before are re-read every 10 minutes).
- ``page``: the whole health report for every camera (latest segment and event per stream,
  reconnects today, clock offsets), with uptime cached, as most page loads find it.
- ``disk``: the recorder's disk status with the recording rate summed over the last day
  (what the recorder itself reads), and with the rate reused, as pages read it.
- ``banner``: the alarm banner computed (active cameras not streaming or without recent
  footage; no recorder in the bench process, so the disk part is the line above), and the
  cached banner every other page load within 5 s reads.

Usage::

    python bench/health_cost.py [--days 7] [--runs 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from borough import borough, load_borough
from sqlalchemy import func, select

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.config.settings import Settings
from watchkeeper.recording.camera_health import CameraHealthReport, day_edges, recorded_per_day
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.models import Segment
from watchkeeper.recording.retention import DiskUsage, Retention
from watchkeeper.system import build_system
from watchkeeper.timeutil import US_PER_S, FakeClock, to_local
from watchkeeper.web.alarms import AlarmWatch

MINUTE = 60 * US_PER_S
NOW = 1_767_225_600_000_000 + 8 * 86_400 * US_PER_S + 12 * 3600 * US_PER_S  # a noon, 9 Jan


def fill(db_path: Path, cameras: list[str], days: int) -> int:
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO recording_init (id, sha256, codec, width, height, timescale, data,"
        " created_us) VALUES (1, ?, 'h264', 1920, 1080, 90000, x'00', 0)",
        ("b" * 64,),
    )
    start = NOW - days * 86_400 * US_PER_S
    rows = 0
    seg_bytes = 15_000_000  # 60 s at 2 Mbit/s
    for cam in cameras:
        batch = [
            (
                cam,
                "main",
                t,
                t + MINUTE,
                MINUTE,
                start,
                0,
                900,
                seg_bytes,
                "a" * 64,
                1,
                f"{cam}/{t}.mp4",
                b"",
                0,
                "live",
                t + MINUTE,
            )
            for t in range(start, NOW - MINUTE, MINUTE)
        ]
        con.executemany(
            "INSERT INTO recording_segment (camera_id, stream, start_us, end_us,"
            " media_duration_us, run_start_us, discontinuity, frames, size_bytes, sha256,"
            " init_id, path, fragment_index, recovered, state, created_us)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
        con.execute(
            "INSERT INTO recording_stream_event (camera_id, stream, at_us, state, reason)"
            " VALUES (?, 'main', ?, 'streaming', 'receiving video')",
            (cam, start),
        )
        rows += len(batch)
    con.commit()
    con.close()
    return rows


def median_s(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(NOW)
        system = build_system(Settings(mode="development", data_dir=Path(tmp)), clock=clock)
        load_borough(system, borough())
        with system.db.session() as s:
            for cam in s.scalars(select(Camera)):
                cam.purpose, cam.dpia_ref = cam.purpose or "bench", cam.dpia_ref or "DPIA-B"
                cam.status = CameraStatus.ACTIVE
            ids = sorted(s.scalars(select(Camera.id)))
        t0 = time.perf_counter()
        rows = fill(Path(tmp) / "watchkeeper.db", ids, args.days)
        print(f"index: {len(ids)} cameras, {rows} segment rows ({time.perf_counter() - t0:.1f} s)")
        edges = day_edges(to_local(NOW).date(), NOW)
        keys = [(c, "main") for c in ids]
        with system.db.session() as s:

            def uptime() -> None:
                recorded_per_day(s, edges, keys)

            def reference() -> None:
                s.execute(
                    select(
                        Segment.camera_id,
                        Segment.stream,
                        func.sum(Segment.end_us - Segment.start_us),
                    )
                    .where(Segment.end_us > edges[0], Segment.start_us < edges[-1])
                    .group_by(Segment.camera_id, Segment.stream)
                ).all()

            cams = system.cameras.list(s, _bench_principal(system))
            report = CameraHealthReport(clock)
            report.build(s, cams)  # fills the uptime cache

            def page() -> None:
                report.build(s, cams)

            def today() -> None:
                recorded_per_day(s, edges[-2:], keys)

            t_up, t_ref, t_page, t_today = (
                median_s(args.runs, f) for f in (uptime, reference, page, today)
            )
        watch = AlarmWatch(system)

        def banner_uncached() -> None:
            watch._cached = None
            watch.current()

        t_banner = median_s(args.runs, banner_uncached)
        t_cached = median_s(max(args.runs, 1000), watch.current)
        retention = Retention(system.db, Path(tmp), RecorderConfig(), clock, _usage)
        t_disk = median_s(args.runs, retention.disk_status)
        t_disk_reused = median_s(args.runs, lambda: retention.disk_status(rate_age_s=60))
        system.close()
    print(f"uptime query (7 London days, split at midnight): {t_up * 1000:8.1f} ms")
    print(f"  reference SUM GROUP BY over the same rows:     {t_ref * 1000:8.1f} ms"
          f"   ratio {t_up / t_ref:.2f}")  # fmt: skip
    print(f"uptime of today only (re-read each minute):      {t_today * 1000:8.1f} ms")
    print(f"health page report, uptime cached:               {t_page * 1000:8.1f} ms"
          f"   ({t_page / len(ids) * 1e6:.0f} µs a camera)")  # fmt: skip
    print(f"disk status, rate summed over the last day:      {t_disk * 1000:8.1f} ms")
    print(f"disk status, rate reused (pages, up to 60 s):    {t_disk_reused * 1000:8.1f} ms"
          f"   ratio {t_disk / t_disk_reused:.0f}")  # fmt: skip
    print(f"alarm banner computed (cameras; disk as above):  {t_banner * 1000:8.1f} ms")
    print(f"alarm banner cached (every page within 5 s):     {t_cached * 1e6:8.1f} µs"
          f"   ratio computed/cached {t_banner / t_cached:.0f}")  # fmt: skip


def _usage(_path: Path) -> DiskUsage:
    return DiskUsage(100 * 10**12, 88 * 10**12, 12 * 10**12)


def _bench_principal(system: object) -> object:
    from watchkeeper.auth.principal import Principal
    from watchkeeper.auth.roles import Role

    return Principal(0, "bench", Role.SUPERVISOR)


if __name__ == "__main__":
    sys.exit(main())
