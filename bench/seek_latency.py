"""Seek latency: time to the first frame of a random instant, over 31 days x 138 cameras.

The index holds one row per camera-minute for the whole period (6.2 million rows at full
size), as the recorder would have written them. Rows are generated, but every row names a
real segment file (one of ``--files`` distinct 60 s, 1080p15, 2 Mbit/s recordings made by our
own writer) with that file's real fragment index, so each sampled instant is served from
disk. For each sample the client does what the console does on a seek, over HTTP against a
running server: open a view (reason), fetch the VOD playlist around the instant, fetch the
init and the GOP holding the instant by byte range, and decode up to the frame on screen at
that instant. Before each sample the file is dropped from the page cache
(``posix_fadvise DONTNEED``), so reads are cold unless ``--warm``.

Reference, same files, same instants: ``ffmpeg -ss <offset> -i <segment file> -frames:v 1``
(the time an operator would wait with ffmpeg on the file, process start included).

Usage::

    python bench/seek_latency.py [--days 31] [--cameras 138] [--samples 200] [--warm]

The index is built once into ``$WATCHKEEPER_CACHE/bench`` (about 4 GB at full size).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import httpx
import uvicorn
from borough import borough, load_borough
from camera_clip import camera_clip

from watchkeeper.config.settings import Settings
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fmp4 import unpack_index
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import FinishedSegment
from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
from watchkeeper.simulate.footage import cache_dir
from watchkeeper.system import build_system
from watchkeeper.timeutil import US_PER_S, FakeClock
from watchkeeper.web.app import create_app

MINUTE = 60 * US_PER_S
START = 1_767_225_600_000_000  # 2026-01-01 00:00 UTC


def make_source(path: Path) -> None:
    """60 s of camera-like H.264: 1080p15, 2 Mbit/s, GOP 2 s, no B-frames, MPEG-TS."""
    if path.exists():
        return
    camera_clip(path, 61)


def record_files(src: Path, root: Path, n: int) -> list[FinishedSegment]:
    """``n`` real 60 s segment files written by our writer (distinct files on disk)."""
    out: list[FinishedSegment] = []
    for i in range(n):
        clock = FakeClock(START + i * 3600 * US_PER_S)
        key = StreamKey(f"BENCH-{i:02d}", "main")
        got: list[FinishedSegment] = []
        w = SegmentWriter(
            root,
            key,
            RecorderConfig(segment_seconds=60, stagger=False, fsync_each_fragment=False),
            got.append,
        )
        s = file_opener(clock, realtime=True, sleep=clock.advance)(str(src))
        w.start_connection(s.template)
        tb = s.template.time_base
        v = TimestampValidator(Fraction(tb.numerator, tb.denominator))
        for p in s.packets():
            st = v.check(PacketInfo(p.dts, p.pts, p.is_keyframe, clock.now_us()))
            if st.action in (Action.ACCEPT, Action.NEW_RUN):
                w.write(p, st)
        s.close()
        w.close()
        out.append(max(got, key=lambda f: f.end_us - f.start_us))
    return out


def build_index(data: Path, days: int, cameras: int, files: int) -> tuple[list[str], int]:
    """Migrated database with the register, users and days x cameras x 1440 rows."""
    settings = Settings(mode="development", data_dir=data)
    system = build_system(settings)
    done = data / f"index-{days}-{cameras}-{files}.done"
    parsed = borough()
    cams = sorted(spec.id for _f, _l, spec in parsed.cameras)[:cameras]
    if done.exists():
        system.close()
        return cams, days
    load_borough(system, parsed)
    src = data / "source.ts"
    make_source(src)
    segs = record_files(src, system.playback.root, files)
    from watchkeeper.recording.store import SegmentIndex

    init_id = SegmentIndex(system.db, FakeClock()).init_id(segs[0].init)
    system.close()
    con = sqlite3.connect(data / "watchkeeper.db")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=OFF")
    t0 = time.monotonic()
    per_day = 1440
    for cam_no, cam in enumerate(cams):
        rows = []
        for m in range(days * per_day):
            f = segs[(cam_no + m) % files]
            start = START + m * MINUTE
            rows.append(
                (
                    cam,
                    "main",
                    start,
                    start + MINUTE,
                    f.media_duration_us,
                    start,
                    0,
                    f.frames,
                    f.size_bytes,
                    f.sha256,
                    init_id,
                    f.relpath,
                    f.fragment_index,
                    0,
                    "live",
                    START,
                )
            )
        con.executemany(
            "INSERT INTO recording_segment (camera_id, stream, start_us, end_us, "
            "media_duration_us, run_start_us, discontinuity, frames, size_bytes, sha256, "
            "init_id, path, fragment_index, recovered, state, created_us) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        con.commit()
        print(
            f"\rindex: {cam_no + 1}/{len(cams)} cameras, {time.monotonic() - t0:.0f} s",
            end="",
            file=sys.stderr,
        )
    con.close()
    print(file=sys.stderr)
    done.touch()
    return cams, days


def evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def first_frame_via_http(client: httpx.Client, base: str, cam: str, at: int) -> float:
    """Seconds from asking for an instant to holding its decoded frame."""
    t0 = time.perf_counter()
    a, b = at - MINUTE, at + MINUTE
    tok = client.post(
        f"{base}/api/playback/cameras/{cam}/views",
        json={"start_us": a, "end_us": b, "reason": "bench seek"},
    ).json()["token"]
    text = client.get(
        f"{base}/api/playback/cameras/{cam}/vod.m3u8", params={"start": a, "end": b, "view": tok}
    ).text
    lines = text.splitlines()
    pdt = next(x for x in lines if x.startswith("#EXT-X-PROGRAM-DATE-TIME"))
    from datetime import datetime

    pos = at - int(
        datetime.fromisoformat(pdt.split(":", 1)[1].replace("Z", "+00:00")).timestamp() * US_PER_S
    )
    url = map_range = None
    elapsed = 0
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-MAP"):
            url = line.split('URI="')[1].split('"')[0]
            map_range = line.split('BYTERANGE="')[1].rstrip('"')
        if line.startswith("#EXTINF"):
            dur = int(float(line.split(":")[1].rstrip(",")) * US_PER_S)
            if elapsed + dur > pos:
                size, off = (int(x) for x in lines[i + 1].split(":")[1].split("@"))
                break
            elapsed += dur
    assert url and map_range
    isize = int(map_range.split("@")[0])
    init = client.get(base + url, headers={"Range": f"bytes=0-{isize - 1}"}).content
    frag = client.get(base + url, headers={"Range": f"bytes={off}-{off + size - 1}"}).content
    with av.open(io.BytesIO(init + frag), "r") as c:
        for frame in c.decode(video=0):
            if frame.time is not None and frame.time >= pos / US_PER_S - 1e-6:
                break
    return time.perf_counter() - t0


def ffmpeg_first_frame(path: Path, offset_s: float) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{offset_s:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "null",
            "-",
        ],
        check=True,
    )
    return time.perf_counter() - t0


def pct(xs: list[float], p: float) -> float:
    return sorted(xs)[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--cameras", type=int, default=138)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--warm", action="store_true", help="leave files in the page cache")
    args = ap.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg is needed")
    data = Path(os.environ.get("WATCHKEEPER_BENCH_DIR", cache_dir().parent / "bench"))
    data = data / f"seek-{args.days}d-{args.cameras}c"
    data.mkdir(parents=True, exist_ok=True)
    cams, days = build_index(data, args.days, args.cameras, args.files)
    system = build_system(Settings(mode="development", data_dir=data))
    with system.db.session() as s:
        n_rows = s.execute(
            __import__("sqlalchemy").text("SELECT count(*) FROM recording_segment")
        ).scalar_one()
        user = system.users.get(s, "bench")
        cookie = system.users.open_session(s, user)
        who = system.users.principal_for_session(s, cookie)
        assert who is not None
        csrf = who.csrf_token
    server = uvicorn.Server(
        uvicorn.Config(create_app(system), host="127.0.0.1", port=0, log_level="warning")
    )
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    rnd = random.Random(7)
    ours: list[float] = []
    ref: list[float] = []
    with httpx.Client(cookies={"wk_session": cookie}, headers={"X-CSRF-Token": csrf}) as client:
        for i in range(args.samples + 5):
            cam = rnd.choice(cams)
            at = START + rnd.randrange(days * 1440 * MINUTE - 2 * MINUTE) + MINUTE
            minute = (at - START) // MINUTE
            with system.db.session() as s:
                relpath = s.execute(
                    __import__("sqlalchemy").text(
                        "SELECT path, fragment_index FROM recording_segment WHERE camera_id=:c "
                        "AND start_us=:s"
                    ),
                    {"c": cam, "s": START + minute * MINUTE},
                ).one()
            path = system.playback.root / relpath[0]
            if not args.warm:
                evict(path)
            took = first_frame_via_http(client, base, cam, at)
            if not args.warm:
                evict(path)
            offset = (at - START - minute * MINUTE) / US_PER_S
            offset = min(offset, unpack_index(relpath[1])[-1][2] / US_PER_S + 1.9)
            r = ffmpeg_first_frame(path, offset)
            if i >= 5:  # the first few warm up the server and the interpreter
                ours.append(took)
                ref.append(r)
    server.should_exit = True
    th.join(timeout=5)
    ms = [x * 1000 for x in ours]
    fm = [x * 1000 for x in ref]
    print(
        f"index rows: {n_rows:,} ({days} days x {len(cams)} cameras, 1 row per minute); "
        f"{args.files} distinct 60 s 1080p15 files; page cache {'warm' if args.warm else 'cold'}"
    )
    print(
        f"ours   (HTTP: view + playlist + init + GOP by range, decode to the instant): "
        f"p50 {statistics.median(ms):.1f} ms  p95 {pct(ms, 95):.1f} ms  max {max(ms):.1f} ms"
    )
    print(
        f"ffmpeg -ss on the segment file, first frame:                           "
        f"p50 {statistics.median(fm):.1f} ms  p95 {pct(fm, 95):.1f} ms  max {max(fm):.1f} ms"
    )
    print("target: p95 < 200 ms")
    system.close()


if __name__ == "__main__":
    main()
