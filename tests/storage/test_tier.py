"""The object tier against a real SeaweedFS: segments move only after their SHA-256 is
checked in the bucket, a tiered segment plays (ranged GETs), snapshots and exports exactly
as a local one, and Object Lock (compliance) refuses deletion of held footage and of an
evidence package."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.clips import make_clip
from tests.foundation.helpers import ROOT, load_small_register
from tests.playback.pb_media import record
from tests.storage.conftest import Seaweed
from watchkeeper.config.settings import Settings
from watchkeeper.errors import StorageError
from watchkeeper.evidence.package import ExportSpec, Package, build_package
from watchkeeper.evidence.signing import SigningKey, ensure_signing_key
from watchkeeper.evidence.verify import verify_package
from watchkeeper.playback.snapshot import decode_at
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.models import DeletionRule, Segment
from watchkeeper.recording.retention import Retention
from watchkeeper.storage.config import StorageConfig
from watchkeeper.storage.locked import lock_package
from watchkeeper.storage.s3 import ObjectLocked, ObjectStore
from watchkeeper.storage.tier import TierMover
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_DAY, FakeClock, SystemClock

pytestmark = [pytest.mark.media]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("tierclip") / "a.ts", 6, "320x240")


@pytest.fixture
def tiered_system(
    tmp_path: Path, clock: FakeClock, seaweed: Seaweed, clip: Path
) -> Iterator[System]:
    storage = StorageConfig(
        bucket=seaweed.bucket,  # one per module: each bucket takes volumes of its own
        endpoint_url=seaweed.endpoint,
        access_key="test-access",
        secret_key="test-secret-key",
        tier_after_hours=0,
    )
    settings = Settings(mode="development", data_dir=tmp_path / "data", storage=storage)
    clock.set(SystemClock().now_us())  # Object Lock dates are judged by the store's clock
    system = build_system(settings, clock=clock)
    load_small_register(system)
    record(system, clock, clip, "TC-001")
    clock.advance(1)  # every segment has ended: old enough for tier_after_hours=0
    yield system
    system.close()


def _store(system: System) -> ObjectStore:
    store = system.playback.files.store
    assert store is not None
    store.ensure_bucket()
    return store


def _mover(system: System) -> TierMover:
    return TierMover(
        system.db, system.playback.root, _store(system), system.settings.storage, system.clock
    )


def export(system: System, key: SigningKey, out: Path, start_us: int, end_us: int) -> Package:
    """An evidence package, reading segments wherever they are (``playback.files``)."""
    with system.db.session() as s:
        return build_package(
            s, system.playback.files, out, key,
            ExportSpec("TC-001", start_us, end_us, request_ref="REQ-1", exhibit_ref="JS/1"),
            ROOT, system.clock,
        )  # fmt: skip


def _segments(system: System) -> list[Segment]:
    with system.db.session() as s:
        return list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())


def test_tiered_segments_play_snapshot_and_export_as_local_ones(
    tiered_system: System, tmp_path: Path
) -> None:
    system = tiered_system
    segs = _segments(system)
    start, end = segs[0].start_us, segs[-1].end_us
    with system.db.session() as s:
        local_bytes = b"".join(system.playback.media(s, "TC-001", "main", start, end).read())
    report = _mover(system).run_once()
    assert report.moved == len(segs) and report.errors == []
    after = _segments(system)
    assert {x.location for x in after} == {"s3"}
    for x in after:  # the local copy went only after the bucket's copy hashed right
        assert not (system.playback.root / x.path).exists()
        assert _store(system).sha256(x.path) == (x.sha256, x.size_bytes)
    with system.db.session() as s:
        vm = system.playback.media(s, "TC-001", "main", start, end)
        assert b"".join(vm.read()) == local_bytes
        # a seek: one byte range in the middle, fetched by ranged GETs
        a, b = len(local_bytes) // 3, len(local_bytes) // 3 + 100_000
        assert b"".join(vm.read(a, b)) == local_bytes[a:b]
        frame = decode_at(vm, start + (end - start) // 2)
        assert frame.width == 320
    key = ensure_signing_key(system.settings.data_dir)[0]
    pkg = export(system, key, tmp_path / "out", start, end)
    assert verify_package(pkg.path).ok


def test_a_mismatch_in_the_bucket_keeps_the_local_copy(tiered_system: System) -> None:
    system = tiered_system
    seg = _segments(system)[0]
    path = system.playback.root / seg.path
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # the disk changed the file after it was indexed: same size
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="does not match the index"):
        _mover(system).move(seg)
    assert path.exists()
    assert _segments(system)[0].location == "local"


def test_held_footage_is_locked_and_the_store_refuses_to_delete_it(
    tiered_system: System, clock: FakeClock
) -> None:
    system = tiered_system
    segs = _segments(system)
    with system.db.session() as s:
        create_hold(
            s, ROOT, "TC-001", segs[0].start_us, segs[0].end_us, "INC-1", "assault", "PC 123",
            clock.now_us() + 2 * US_PER_DAY, clock,
        )  # fmt: skip
    report = _mover(system).run_once()
    assert report.moved == len(segs) and report.locked == 1
    store = _store(system)
    mode, until = store.retention(segs[0].path)
    assert mode == "COMPLIANCE" and until is not None
    with pytest.raises(ObjectLocked):
        store.delete(segs[0].path)
    assert store.sha256(segs[0].path)[0] == segs[0].sha256
    # unheld tiered footage is deleted by retention from the bucket, two-phase and logged
    retention = Retention(
        system.db, system.playback.root, system.settings.recorder, clock,
        remove_object=store.delete,
    )  # fmt: skip
    assert retention.delete(segs[1].id, DeletionRule.RETENTION, "test")
    with pytest.raises(StorageError):
        store.read_range(segs[1].path, 0, 10)


def test_an_evidence_package_under_object_lock_cannot_be_deleted(
    tiered_system: System, clock: FakeClock, tmp_path: Path
) -> None:
    system = tiered_system
    segs = _segments(system)
    key = ensure_signing_key(system.settings.data_dir)[0]
    pkg = export(system, key, tmp_path / "out", segs[0].start_us, segs[-1].end_us)
    store = _store(system)
    keys = lock_package(store, pkg.path, clock.now_us() + US_PER_DAY, clock.now_us())
    assert any(k.endswith("manifest.json") for k in keys)
    for k in keys:
        with pytest.raises(ObjectLocked):
            store.delete(k)
        got = hashlib.sha256(b"".join(store.iter_object(k))).hexdigest()
        local = pkg.path / k.split("/", 2)[2]
        assert got == hashlib.sha256(local.read_bytes()).hexdigest()


def test_store_errors_never_show_the_keys(seaweed: Seaweed) -> None:
    store = ObjectStore(
        StorageConfig(
            bucket="no-such-bucket-here",
            endpoint_url=seaweed.endpoint,
            access_key="AKIAEXAMPLEKEY",
            secret_key="very-secret-value",
        )
    )
    with pytest.raises(StorageError) as err:
        store.read_range("x", 0, 10)
    assert "very-secret-value" not in str(err.value)
    assert "AKIAEXAMPLEKEY" not in str(err.value)


def test_storage_commands_tier_and_lock_a_package(
    seaweed: Seaweed, tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from watchkeeper.audit.models import AuditEntry
    from watchkeeper.cli.main import build_app

    clock = FakeClock()
    clock.set(SystemClock().now_us() - 3_600_000_000)  # footage an hour old
    data = tmp_path / "data"
    storage = StorageConfig(
        bucket=seaweed.bucket, endpoint_url=seaweed.endpoint, access_key="k", secret_key="s3cret"
    )
    system = build_system(Settings(mode="development", data_dir=data, storage=storage), clock=clock)
    load_small_register(system)
    record(system, clock, clip, "TC-001")
    segs = _segments(system)
    key = ensure_signing_key(data)[0]
    pkg = export(system, key, tmp_path / "out", segs[0].start_us, segs[-1].end_us)
    system.close()
    for k, v in {
        "WATCHKEEPER_MODE": "development",
        "WATCHKEEPER_STORAGE__BUCKET": seaweed.bucket,
        "WATCHKEEPER_STORAGE__ENDPOINT_URL": seaweed.endpoint,
        "WATCHKEEPER_STORAGE__TIER_AFTER_HOURS": "0.5",
        "WATCHKEEPER_STORAGE__ACCESS_KEY": "k",
        "WATCHKEEPER_STORAGE__SECRET_KEY": "s3cret",
    }.items():
        monkeypatch.setenv(k, v)
    app = build_app()
    run = CliRunner().invoke
    out = run(app, ["--data-dir", str(data), "storage", "tier"])
    assert out.exit_code == 0, out.output
    assert f"moved {len(segs)} segments" in out.output
    out = run(app, ["--data-dir", str(data), "storage", "status"])
    assert f"s3\t{len(segs)} segments" in out.output
    until = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    out = run(app, ["--data-dir", str(data), "storage", "lock", str(pkg.path), "--until", until])
    assert out.exit_code == 0, out.output
    system = build_system(Settings(mode="development", data_dir=data, storage=storage))
    try:
        with system.db.session() as s:
            entry = s.execute(
                select(AuditEntry).where(AuditEntry.action == "evidence.object_lock")
            ).scalar_one()
        assert entry.object_id == pkg.path.name
        with pytest.raises(ObjectLocked):
            _store(system).delete(f"evidence/{pkg.path.name}/manifest.json")
    finally:
        system.close()
