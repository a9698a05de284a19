"""``watchkeeper check`` on tiered segments, against a real SeaweedFS: HEAD finds a missing or
resized object, ``--full`` reads it back and compares its SHA-256 with the index, ``--repair``
removes the row of a missing object (logged, rule ``repair``) and never deletes an object under
Object Lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from sqlalchemy import select

from tests.clips import make_clip
from tests.foundation.helpers import ROOT, load_small_register
from tests.playback.pb_media import record
from tests.storage.conftest import Seaweed
from watchkeeper.config.settings import Settings
from watchkeeper.recording.check import CheckReport, check
from watchkeeper.recording.holds import create_hold, release_hold
from watchkeeper.recording.models import RecordingDeletion, RecordingHold, Segment, SegmentState
from watchkeeper.storage.config import StorageConfig
from watchkeeper.storage.s3 import ObjectStore
from watchkeeper.storage.tier import TierMover
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_DAY, FakeClock, SystemClock

pytestmark = [pytest.mark.media]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("checkclip") / "a.ts", 6, "320x240")


def _config(seaweed: Seaweed) -> StorageConfig:
    return StorageConfig(
        bucket=seaweed.bucket, endpoint_url=seaweed.endpoint, access_key="k",
        secret_key="s3cret", tier_after_hours=0,
    )  # fmt: skip


@pytest.fixture
def system(tmp_path: Path, clock: FakeClock, seaweed: Seaweed, clip: Path) -> Iterator[System]:
    """A recorder whose segments are all in the bucket (one of them held, so locked)."""
    settings = Settings(mode="development", data_dir=tmp_path / "data", storage=_config(seaweed))
    clock.set(SystemClock().now_us())  # Object Lock dates are judged by the store's clock
    system = build_system(settings, clock=clock)
    load_small_register(system)
    record(system, clock, clip, "TC-001")
    clock.advance(1)
    first = _segments(system)[0]
    with system.db.session() as s:
        create_hold(
            s, ROOT, "TC-001", first.start_us, first.end_us, "INC-7", "theft", "PC 9",
            clock.now_us() + 2 * US_PER_DAY, clock,
        )  # fmt: skip
    store = _store(system)
    store.ensure_bucket()
    report = TierMover(system.db, system.playback.root, store, settings.storage, clock).run_once()
    assert report.errors == [] and report.locked == 1
    yield system
    system.close()


def _store(system: System) -> ObjectStore:
    store = system.playback.files.store
    assert store is not None
    return store


def _segments(system: System) -> list[Segment]:
    with system.db.session() as s:
        rows = list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())
        s.expunge_all()
    return rows


def _raw(seaweed: Seaweed) -> Any:
    """A plain client, for what a person (or a fault) would do to the bucket behind our back."""
    return boto3.client(
        "s3", endpoint_url=seaweed.endpoint, aws_access_key_id="k", aws_secret_access_key="s",
        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


def _check(system: System, **kw: bool) -> CheckReport:
    return check(
        system.db, system.playback.root, system.clock, busy=False, store=_store(system),
        tiered=True, **kw,
    )  # fmt: skip


def _kinds(report: CheckReport) -> list[tuple[str, str]]:
    return [(p.kind, p.path) for p in report.problems]


def test_tiered_segments_are_checked_by_head_and_by_hash(system: System, seaweed: Seaweed) -> None:
    segs = _segments(system)
    assert {s.location for s in segs} == {"s3"} and len(segs) >= 3
    fast, full = _check(system), _check(system, full=True)
    assert fast.rows == len(segs) and fast.problems == [] and full.problems == []
    raw, bucket = _raw(seaweed), seaweed.bucket
    same_size = bytearray(b"".join(_store(system).iter_object(segs[1].path)))
    same_size[-10] ^= 0xFF  # altered in the bucket, same size: only the hash can tell
    raw.put_object(Bucket=bucket, Key=segs[1].path, Body=bytes(same_size))
    raw.put_object(Bucket=bucket, Key=segs[2].path, Body=b"short")
    assert _kinds(_check(system)) == [("size_mismatch", f"s3:{segs[2].path}")]
    report = _check(system, full=True, repair=True)
    assert sorted(_kinds(report)) == [
        ("hash_mismatch", f"s3:{segs[1].path}"),
        ("size_mismatch", f"s3:{segs[2].path}"),
    ]
    assert not report.clean  # never "fixed": it may be evidence of tampering
    assert len(_segments(system)) == len(segs)
    assert "5 bytes in the bucket" in str(report.problems[-1])


def test_a_missing_object_is_repaired_like_a_missing_file(system: System) -> None:
    segs = _segments(system)
    gone = segs[-1]
    _store(system).delete(gone.path)  # every version: nothing left in the bucket
    report = _check(system)
    assert _kinds(report) == [("missing_object", f"s3:{gone.path}")] and not report.clean
    report = _check(system, repair=True)
    assert report.clean and "rule repair" in report.problems[0].action
    assert [s.id for s in _segments(system)] == [s.id for s in segs[:-1]]
    with system.db.session() as s:
        logged = s.execute(select(RecordingDeletion)).scalar_one()
    assert (logged.segment_id, logged.rule, logged.sha256) == (gone.id, "repair", gone.sha256)
    assert _check(system, full=True).problems == []


def test_a_delete_marker_over_kept_versions_is_reported_not_repaired(
    system: System, seaweed: Seaweed
) -> None:
    seg = _segments(system)[1]
    _raw(seaweed).delete_object(Bucket=seaweed.bucket, Key=seg.path)  # a marker, no version id
    report = _check(system, repair=True)
    assert _kinds(report) == [("missing_object", f"s3:{seg.path}")]
    assert not report.clean and "earlier version" in report.problems[0].detail
    assert seg.id in {s.id for s in _segments(system)}


def test_repair_never_deletes_an_object_under_object_lock(system: System) -> None:
    """A hold released before its lock ends, then a deletion left half done: the store
    refuses to delete the locked object, so the row stays (and check says why)."""
    held = _segments(system)[0]
    mode, _ = _store(system).retention(held.path)
    assert mode == "COMPLIANCE"
    with system.db.session() as s:
        hold = s.execute(select(RecordingHold)).scalar_one()
        release_hold(s, ROOT, hold.id, "case closed", system.clock)
    with system.db.session() as s:
        row = s.get(Segment, held.id)
        assert row is not None
        row.state, row.delete_rule = SegmentState.DELETING.value, "retention"
    report = _check(system, repair=True)
    assert _kinds(report) == [("pending_deletion", f"s3:{held.path}")]
    assert not report.clean and "Object Lock" in report.problems[0].action
    assert _store(system).sha256(held.path)[0] == held.sha256
    assert held.id in {s.id for s in _segments(system)}


def test_check_command_reports_a_missing_object(
    system: System, monkeypatch: pytest.MonkeyPatch, seaweed: Seaweed
) -> None:
    from typer.testing import CliRunner

    from watchkeeper.cli.main import build_app

    seg = _segments(system)[-1]
    _store(system).delete(seg.path)
    data = system.settings.data_dir
    system.close()
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    monkeypatch.setenv("WATCHKEEPER_STORAGE__BUCKET", seaweed.bucket)
    monkeypatch.setenv("WATCHKEEPER_STORAGE__ENDPOINT_URL", seaweed.endpoint)
    monkeypatch.setenv("WATCHKEEPER_STORAGE__ACCESS_KEY", "k")
    monkeypatch.setenv("WATCHKEEPER_STORAGE__SECRET_KEY", "s3cret")
    run = CliRunner().invoke
    out = run(build_app(), ["--data-dir", str(data), "check", "--full"])
    assert out.exit_code == 1, out.output
    assert f"missing_object: s3:{seg.path}: indexed but not in the bucket" in out.output
    out = run(build_app(), ["--data-dir", str(data), "check", "--repair"])
    assert out.exit_code == 0, out.output
    assert "all fixed" in out.output and "s3cret" not in out.output


def test_the_startup_check_leaves_the_bucket_alone_and_no_bucket_is_said(system: System) -> None:
    segs = _segments(system)
    _store(system).delete(segs[-1].path)
    root, db, clock = system.playback.root, system.db, system.clock
    startup = check(db, root, clock, repair=True, busy=False)  # the recorder's, this disk only
    assert startup.problems == [] and startup.rows == 0
    blind = check(db, root, clock, busy=False, tiered=True)  # tiered rows, but no bucket
    assert _kinds(blind) == [("tier_unchecked", "(object store)")] and not blind.clean
    assert f"{len(segs)} tiered segments" in blind.problems[0].detail
    assert len(_segments(system)) == len(segs)
