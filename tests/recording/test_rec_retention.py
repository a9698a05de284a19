"""Retention, holds and disk pressure on SQLite and PostgreSQL: nothing held is ever deleted."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from rec_helpers import small_tmpfs
from sqlalchemy import select

from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import Actor, verify
from watchkeeper.db.engine import Database
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.holds import active_holds, create_hold, holds_covering, release_hold
from watchkeeper.recording.models import DeletionRule, RecordingDeletion, Segment
from watchkeeper.recording.paths import StreamKey, segment_relpath
from watchkeeper.recording.retention import DiskLevel, DiskUsage, Retention
from watchkeeper.recording.store import FinishedSegment, SegmentIndex
from watchkeeper.timeutil import US_PER_DAY, US_PER_S, FakeClock

MIN = 60 * US_PER_S
ALICE = Actor(7, "alice")


def fake_segment(
    root: Path, index: SegmentIndex, init: bytes, cam: str, start_us: int, size: int = 1000
) -> int:
    """A file and its row (content is not media: retention does not read files)."""
    key = StreamKey(cam, "main")
    rel = segment_relpath(key, start_us)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)
    path.write_bytes(data)
    return index.add(
        FinishedSegment(
            key,
            start_us,
            start_us + MIN,
            MIN,
            start_us,
            False,
            900,
            size,
            hashlib.sha256(data).hexdigest(),
            init,
            rel,
            b"",
            None,
        )
    )


@pytest.fixture
def init_bytes(recorded_file: Path) -> bytes:
    from watchkeeper.recording.fmp4 import scan_file

    return scan_file(recorded_file).init


def _deleted(db: Database) -> list[tuple[int, str]]:
    with db.session() as s:
        return [(r.segment_id, r.rule) for r in s.execute(select(RecordingDeletion)).scalars()]


def _live(db: Database) -> set[int]:
    with db.session() as s:
        return set(s.execute(select(Segment.id)).scalars())


def test_purge_deletes_expired_unheld_only(
    any_db: Database, tmp_path: Path, init_bytes: bytes
) -> None:
    clock = FakeClock()
    now = clock.now_us()
    index = SegmentIndex(any_db, clock)
    old = [
        fake_segment(tmp_path, index, init_bytes, "TC-001", now - 40 * US_PER_DAY + i * MIN)
        for i in range(4)
    ]
    held_other_cam = fake_segment(tmp_path, index, init_bytes, "TC-002", now - 40 * US_PER_DAY)
    young = fake_segment(tmp_path, index, init_bytes, "TC-001", now - 2 * US_PER_DAY)
    with any_db.session() as s:
        h = create_hold(
            s,
            ALICE,
            "TC-001",
            now - 40 * US_PER_DAY + MIN + 10,
            now - 40 * US_PER_DAY + 2 * MIN,
            "INC-42",
            "assault, police request",
            "PC 1234 Smith",
            clock=clock,
        )
        create_hold(
            s,
            ALICE,
            "TC-002",
            now - 41 * US_PER_DAY,
            now - 39 * US_PER_DAY,
            "SAR-7",
            "subject access request",
            "DPO",
            clock=clock,
        )
        hold_id = h.id
    ret = Retention(any_db, tmp_path, RecorderConfig(), clock)
    assert ret.purge_expired() == 3
    assert _live(any_db) == {old[1], held_other_cam, young}
    assert sorted(_deleted(any_db)) == sorted((i, "retention") for i in (old[0], old[2], old[3]))
    assert not (
        tmp_path / segment_relpath(StreamKey("TC-001", "main"), now - 40 * US_PER_DAY)
    ).exists()
    with any_db.session() as s:
        who = holds_covering(s, "TC-001", now - 40 * US_PER_DAY, now, now)
        assert [x.reference for x in who] == ["INC-42"]
        release_hold(s, ALICE, hold_id, "case closed, no further action", clock=clock)
    assert ret.purge_expired() == 1
    assert _live(any_db) == {held_other_cam, young}
    with any_db.session() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
        assert actions == ["recording.hold.create"] * 2 + ["recording.hold.release"]
        assert verify(s).ok


def test_expired_hold_no_longer_protects(db: Database, tmp_path: Path, init_bytes: bytes) -> None:
    clock = FakeClock()
    now = clock.now_us()
    seg = fake_segment(
        tmp_path, SegmentIndex(db, clock), init_bytes, "TC-001", now - 40 * US_PER_DAY
    )
    with db.session() as s:
        create_hold(
            s, ALICE, None, 0, now, "LEGAL-1", "litigation", "Legal", now + US_PER_S, clock=clock
        )
    ret = Retention(db, tmp_path, RecorderConfig(), clock)
    assert ret.purge_expired() == 0
    clock.advance(2)
    with db.session() as s:
        assert active_holds(s, clock.now_us()) == []
    assert ret.purge_expired() == 1 and _deleted(db) == [(seg, "retention")]


def test_hold_validation_and_release_rules(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(ValidationError):
            create_hold(s, ALICE, "TC-001", 10, 5, "R", "why", "who")
        with pytest.raises(ValidationError):
            create_hold(s, ALICE, "TC-001", 0, 5, "R", " ", "who")
        with pytest.raises(NotFound):
            create_hold(s, ALICE, "NOPE", 0, 5, "R", "why", "who")
        h = create_hold(s, ALICE, "TC-001", 0, 5, "R", "why", "who")
        with pytest.raises(ValidationError):
            release_hold(s, ALICE, h.id, "")
        release_hold(s, ALICE, h.id, "done")
        with pytest.raises(Conflict):
            release_hold(s, ALICE, h.id, "again")


def test_crash_between_phases_is_finished_at_startup(
    db: Database, tmp_path: Path, init_bytes: bytes
) -> None:
    clock = FakeClock()
    seg = fake_segment(
        tmp_path, SegmentIndex(db, clock), init_bytes, "TC-001", clock.now_us() - 40 * US_PER_DAY
    )
    ret = Retention(db, tmp_path, RecorderConfig(), clock)
    assert ret._mark(seg, DeletionRule.RETENTION)  # phase 1 committed, then "crash"
    with db.session() as s:
        assert s.get(Segment, seg).state == "deleting"
    assert Retention(db, tmp_path, RecorderConfig(), clock).finish_pending() == 1
    assert _deleted(db) == [(seg, "retention")] and _live(db) == set()


def test_hold_placed_after_marking_wins(db: Database, tmp_path: Path, init_bytes: bytes) -> None:
    clock = FakeClock()
    start = clock.now_us() - 40 * US_PER_DAY
    seg = fake_segment(tmp_path, SegmentIndex(db, clock), init_bytes, "TC-001", start)
    ret = Retention(db, tmp_path, RecorderConfig(), clock)
    assert ret._mark(seg, DeletionRule.RETENTION)
    with db.session() as s:
        create_hold(s, ALICE, "TC-001", start, start + 1, "INC-9", "late request", "PC 9")
    assert not ret.complete(seg)
    assert (
        _live(db) == {seg}
        and (tmp_path / segment_relpath(StreamKey("TC-001", "main"), start)).exists()
    )


class FakeDisk:
    """Total fixed; used is what the files under root take, plus a fixed amount."""

    def __init__(self, root: Path, total: int, other: int) -> None:
        self.root, self.total, self.other = root, total, other

    def __call__(self, _path: Path) -> DiskUsage:
        used = self.other + sum(p.stat().st_size for p in self.root.rglob("*.mp4"))
        return DiskUsage(self.total, used, self.total - used)


def test_disk_pressure_alarms_then_deletes_oldest_unheld(
    any_db: Database, tmp_path: Path, init_bytes: bytes
) -> None:
    clock = FakeClock()
    now = clock.now_us()
    index = SegmentIndex(any_db, clock)
    ids = [
        fake_segment(tmp_path, index, init_bytes, "TC-001", now - (10 - i) * MIN, 10_000)
        for i in range(10)
    ]
    with any_db.session() as s:
        create_hold(
            s, ALICE, "TC-001", now - 10 * MIN, now - 9 * MIN, "INC-1", "fight", "PC 1", clock=clock
        )
    disk = FakeDisk(tmp_path, total=200_000, other=76_000)  # 12 % free: warn
    ret = Retention(any_db, tmp_path, RecorderConfig(), clock, disk)
    status = ret.relieve_pressure()
    assert status.level is DiskLevel.WARN and not status.deleted
    # 100 kB over the 10 minutes recorded: 14.4 MB a day, so 24 kB free is 2.4 minutes
    assert status.bytes_per_day == 14_400_000 and status.days_left == pytest.approx(24 / 14_400)
    assert "about 2 minutes of recording left" in status.message
    disk.other = 84_000  # 8 % free: alarm, still nothing deleted
    assert ret.relieve_pressure().level is DiskLevel.ALARM and _live(any_db) == set(ids)
    disk.other = 95_000  # 2.5 % free: critical, delete oldest unheld until 10 % free
    status = ret.relieve_pressure()
    assert status.deleted == ids[1:3]
    assert ids[0] in _live(any_db), "the held (oldest) segment survives"
    assert all(rule == "disk_pressure" for _, rule in _deleted(any_db))
    with any_db.session() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert actions[-3:] == [
        "recording.disk_level",
        "recording.disk_level",
        "recording.disk_pressure_delete",
    ]


def test_disk_full_of_held_footage_deletes_nothing(
    db: Database, tmp_path: Path, init_bytes: bytes
) -> None:
    clock = FakeClock()
    now = clock.now_us()
    ids = [
        fake_segment(
            tmp_path, SegmentIndex(db, clock), init_bytes, "TC-001", now - (5 - i) * MIN, 10_000
        )
        for i in range(5)
    ]
    with db.session() as s:
        create_hold(s, ALICE, None, 0, now, "INC-2", "major incident", "Supt", clock=clock)
    ret = Retention(db, tmp_path, RecorderConfig(), clock, FakeDisk(tmp_path, 100_000, 49_000))
    status = ret.relieve_pressure()
    assert status.level is DiskLevel.CRITICAL and status.deleted == []
    assert "held" in status.message and _live(db) == set(ids)


def test_real_small_filesystem(db: Database, tmp_path: Path, init_bytes: bytes) -> None:
    """On a real 8 MB tmpfs: fill it, and the oldest unheld footage makes room."""
    with small_tmpfs(tmp_path / "mnt", "8m") as mnt:
        clock = FakeClock()
        now = clock.now_us()
        index = SegmentIndex(db, clock)
        ids = [
            fake_segment(mnt, index, init_bytes, "TC-001", now - (21 - i) * MIN, 380_000)
            for i in range(21)
        ]  # ~8.0 MB of 8.4
        with db.session() as s:
            create_hold(
                s,
                ALICE,
                "TC-001",
                now - 21 * MIN,
                now - 20 * MIN,
                "INC-3",
                "theft",
                "PC 3",
                clock=clock,
            )
        ret = Retention(db, mnt, RecorderConfig(), clock)
        assert ret.disk_status().level is DiskLevel.CRITICAL
        status = ret.relieve_pressure()
        assert status.free_fraction >= 0.10 and status.deleted[0] == ids[1]
        assert ids[0] in _live(db)


def test_pages_may_reuse_the_recording_rate_but_free_space_is_read_each_time(
    any_db: Database, tmp_path: Path, init_bytes: bytes
) -> None:
    clock = FakeClock()
    now = clock.now_us()
    index = SegmentIndex(any_db, clock)
    for i in range(10):
        fake_segment(tmp_path, index, init_bytes, "TC-001", now - (10 - i) * MIN, 10_000)
    disk = FakeDisk(tmp_path, total=200_000, other=76_000)
    ret = Retention(any_db, tmp_path, RecorderConfig(), clock, disk)
    first = ret.disk_status(rate_age_s=120)
    assert first.bytes_per_day == 14_400_000 and first.level is DiskLevel.WARN
    fake_segment(tmp_path, index, init_bytes, "TC-001", now, 10_000)  # 7 % free now
    clock.advance(90)
    again = ret.disk_status(rate_age_s=120)
    assert again.bytes_per_day == first.bytes_per_day  # the rate: reused
    assert again.level is DiskLevel.ALARM  # free space: read now
    assert ret.disk_status().bytes_per_day != first.bytes_per_day  # the recorder reads anew
