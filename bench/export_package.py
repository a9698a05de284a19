"""Export: package one hour of one 1080p camera vs ``cat`` + ``sha256sum`` of the same bytes.

The hour is 60 distinct segment files on disk, each a byte copy of one 60 s, 1080p15,
2 Mbit/s recording made by our own writer, indexed one row a minute as the recorder would
have (same hash, shifted times).

- **ours**: ``build_package`` with no working copy: every segment copied while hashed and
  checked against its index row, each copy fsynced, the small files written and hashed,
  the manifest built and signed, the folder renamed into place, the export audited.
- **reference**, same files, same run: ``cat`` each file into a folder, ``sha256sum`` the
  copies, ``sync`` the copies (fsync, as ours does). One shell process.

Both start with the source files dropped from the page cache (``posix_fadvise
DONTNEED``) unless ``--warm``; rounds alternate which goes first. The working copy is timed
apart: the burned-in H.264 encode of ``--working-seconds`` of the same footage, reported as
times real time (source file assembly from the index excluded, FFmpeg process included).

Usage::

    python bench/export_package.py [--minutes 60] [--rounds 3] [--working-seconds 60] [--warm]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from borough import borough, load_borough
from camera_clip import camera_clip
from seek_latency import record_files

from watchkeeper.audit.service import Actor
from watchkeeper.config.settings import Settings
from watchkeeper.evidence.package import ExportSpec, build_package
from watchkeeper.evidence.signing import ensure_signing_key
from watchkeeper.evidence.working import encode_working_copy
from watchkeeper.playback.layout import build_runs, load_rows
from watchkeeper.playback.vmp4 import VirtualMp4
from watchkeeper.recording.models import InitSegment
from watchkeeper.recording.paths import StreamKey, segment_relpath
from watchkeeper.recording.store import FinishedSegment, SegmentIndex
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_S, FakeClock

START = 1_767_225_600_000_000  # 2026-01-01 00:00 UTC
MINUTE = 60 * US_PER_S


def build_hour(system: System, work: Path, camera: str, minutes: int) -> list[Path]:
    src = camera_clip(work / "source.ts", 61)
    (one,) = record_files(src, system.playback.root, 1)  # one 60 s file by our writer
    index = SegmentIndex(system.db, FakeClock())
    files = []
    key = StreamKey(camera, "main")
    for m in range(minutes):
        start = START + m * MINUTE
        rel = segment_relpath(key, start)
        dest = system.playback.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(system.playback.root / one.relpath, dest)
        files.append(dest)
        index.add(FinishedSegment(key, start, start + one.media_duration_us,
                                  one.media_duration_us, START, m == 0, one.frames,
                                  one.size_bytes, one.sha256, one.init, rel,
                                  one.fragment_index))  # fmt: skip
    (system.playback.root / one.relpath).unlink()
    return files


def evict(paths: list[Path]) -> None:
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def ours(system: System, out: Path, camera: str, minutes: int) -> float:
    key, _ = ensure_signing_key(system.settings.data_dir)
    spec = ExportSpec(camera, START + US_PER_S, START + minutes * MINUTE - US_PER_S,
                      working=False)  # fmt: skip
    t0 = time.perf_counter()
    with system.db.session() as s:
        pkg = build_package(s, system.playback.root, out, key, spec, Actor(None, "bench"),
                            system.clock)  # fmt: skip
        s.commit()
    took = time.perf_counter() - t0
    assert len(pkg.manifest["master"]) == minutes
    return took


def reference(files: list[Path], out: Path) -> float:
    out.mkdir()
    script = (
        'for f in "$@"; do cat "$f" > "$OUT/$(basename "$f")"; done; '
        'sha256sum "$OUT"/* > /dev/null; sync "$OUT"/*'
    )
    t0 = time.perf_counter()
    subprocess.run(["sh", "-ec", script, "sh", *map(str, files)], check=True,
                   env={**os.environ, "OUT": str(out)})  # fmt: skip
    return time.perf_counter() - t0


def working_speed(system: System, work: Path, camera: str, seconds: int) -> float:
    start, end = START + US_PER_S, START + US_PER_S + seconds * US_PER_S
    with system.db.session() as s:
        (run,) = build_runs(load_rows(s, camera, "main", start, end), start, end, False)
        init = s.get(InitSegment, run.init_id)
        assert init is not None
        vm = VirtualMp4(run, init.data, init.timescale, system.playback.root)
    src = work / "run.mp4"
    with src.open("wb") as fh:
        for chunk in vm.read():
            fh.write(chunk)
    t0 = time.perf_counter()
    wc = encode_working_copy(src, vm.start_us, start, end, camera, work / "wc.mp4")
    took = time.perf_counter() - t0
    return wc.frames / 15 / took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--working-seconds", type=int, default=60)
    ap.add_argument("--warm", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wk-export-bench-") as tmp:
        work = Path(tmp)
        system = build_system(Settings(mode="development", data_dir=work / "data"))
        parsed = borough()
        load_borough(system, parsed)
        camera = sorted(spec.id for _f, _l, spec in parsed.cameras)[0]
        files = build_hour(system, work, camera, args.minutes)
        size = sum(f.stat().st_size for f in files)
        print(f"{args.minutes} segment files, {size / 1e6:.0f} MB, camera {camera}")
        a, b = [], []
        for r in range(args.rounds):
            for side in ("ours", "ref") if r % 2 == 0 else ("ref", "ours"):
                if not args.warm:
                    evict(files)
                out = work / f"{side}-{r}"
                if side == "ours":
                    a.append(ours(system, out, camera, args.minutes))
                else:
                    b.append(reference(files, out))
                shutil.rmtree(out)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"package (master copy + hashes + signature): median {ma:.2f} s  {a}")
        print(f"cat + sha256sum + sync of the same bytes:   median {mb:.2f} s  {b}")
        print(f"ratio ours / reference: {ma / mb:.2f}x (target <= 1.5x and < 10 s)")
        speed = working_speed(system, work, camera, args.working_seconds)
        print(f"working copy (1080p15 burn-in, H.264 veryfast): {speed:.2f}x real time")
        system.close()


if __name__ == "__main__":
    main()
