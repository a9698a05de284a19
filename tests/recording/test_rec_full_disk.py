"""A full disk costs no footage: the writer frees unheld space at once and carries on.

Two ways: a filesystem-independent one (the writer's ``write`` is given a disk of fixed size
that raises ENOSPC, and retention deletes real files to make room) and a real small tmpfs
when this machine lets us mount one. Also: the days-left projection comes from a measured
rate, and a write failure leaves no ``.part`` file behind.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rec_helpers import run_writer, small_tmpfs
from sqlalchemy import select

from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import Actor
from watchkeeper.db.engine import Database
from watchkeeper.errors import MediaError
from watchkeeper.recording.check import check
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.ingest import MediaSource, file_opener
from watchkeeper.recording.models import RecordingDeletion, Segment
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.retention import DiskUsage, Retention
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.timeutil import US_PER_S, FakeClock

MIN = 60 * US_PER_S


class SmallDisk:
    """A disk of ``total`` bytes holding the files under ``root``: ``write`` fails with
    ENOSPC when a write would not fit, as the kernel's would; ``usage`` reports the same."""

    def __init__(self, root: Path, total: int) -> None:
        self.root, self.total = root, total
        self.enospc = 0

    def used(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def usage(self, _path: Path) -> DiskUsage:
        used = self.used()
        return DiskUsage(self.total, used, self.total - used)

    def write(self, fd: int, data: memoryview) -> int:
        room = self.total - self.used()
        if room <= 0:
            self.enospc += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data[:room])


def _frames(db: Database) -> int:
    with db.session() as s:
        return sum(s.execute(select(Segment.frames)).scalars())


def _frames_deleted(db: Database, probe: list) -> int:  # type: ignore[type-arg]
    """Frames in deleted segments, from their spans (15 fps)."""
    with db.session() as s:
        spans = s.execute(select(RecordingDeletion.start_us, RecordingDeletion.end_us)).all()
    return sum(round((b - a) * 15 / US_PER_S) for a, b in spans)


def _deleted_frames(db: Database) -> list[RecordingDeletion]:
    with db.session() as s:
        return list(s.execute(select(RecordingDeletion)).scalars())


def test_enospc_frees_space_at_once_and_loses_nothing(
    db: Database, tmp_path: Path, clip: Path
) -> None:
    root = tmp_path / "rec"
    root.mkdir()
    clock = FakeClock()
    one_loop = run_writer(clip, tmp_path / "probe", FakeClock(), RecorderConfig(stagger=False))
    clip_bytes = sum(s.size_bytes for s in one_loop)
    clip_frames = sum(s.frames for s in one_loop)
    disk = SmallDisk(root, total=clip_bytes * 2)  # room for about two loops of ten
    # fractions as low as allowed, so only a truly full disk triggers anything
    cfg = RecorderConfig(
        segment_seconds=2,
        stagger=False,
        critical_free_fraction=0.001,
        alarm_free_fraction=0.002,
        warn_free_fraction=0.003,
    )
    ret = Retention(db, root, cfg, clock, disk.usage)
    index = SegmentIndex(db, clock)
    key = StreamKey("TC-001", "main")
    writer = SegmentWriter(root, key, cfg, index.add, make_room=ret.make_room, write=disk.write)
    run_writer(clip, root, clock, cfg, loops=10, key=key, writer=writer)
    assert disk.enospc > 0, "the disk really filled up"
    deleted = _deleted_frames(db)
    assert _frames(db) + _frames_deleted(db, one_loop) == 10 * clip_frames, "no frame lost"
    assert deleted and {d.rule for d in deleted} == {"disk_pressure"}
    assert not list(root.rglob("*.part")), "no .part file left"
    assert check(db, root, clock).clean
    with db.session() as s:
        audits = [a.action for a in s.execute(select(AuditEntry)).scalars()]
    assert "recording.disk_pressure_delete" in audits


def test_enospc_with_everything_held_salvages_the_part_file(
    db: Database, tmp_path: Path, clip: Path
) -> None:
    """Nothing may be deleted: the write fails, the complete fragments are indexed at once,
    and no .part file is left for anyone to find."""
    root = tmp_path / "rec"
    root.mkdir()
    clock = FakeClock()
    with db.session() as s:
        far = clock.now_us() + 3650 * 86_400 * US_PER_S
        create_hold(s, Actor(None, "t"), None, 0, far, "INC", "all", "Supt", clock=clock)
    disk = SmallDisk(root, total=150_000)
    cfg = RecorderConfig(segment_seconds=60, stagger=False)
    ret = Retention(db, root, cfg, clock, disk.usage)
    index = SegmentIndex(db, clock)
    key = StreamKey("TC-001", "main")
    writer = SegmentWriter(root, key, cfg, index.add, make_room=ret.make_room, write=disk.write)
    with pytest.raises(Exception, match=r"cannot write|cannot close"):
        run_writer(clip, root, clock, cfg, loops=3, key=key, writer=writer)
    assert not list(root.rglob("*.part"))
    assert _frames(db) > 0 and check(db, root, clock, full=True).clean


def test_days_left_comes_from_a_measured_rate(db: Database, tmp_path: Path) -> None:
    """16 s of recording project from 16 s (a rate), not as if they were a day's worth."""
    from rec_helpers import init_row, segment_row

    clock = FakeClock()
    now = clock.now_us()
    with db.session() as s:
        s.add(init_row())
        s.flush()
        for i in range(10):  # 10 MB over the last 100 s: 100 kB/s
            start = now - (10 - i) * 10 * US_PER_S
            s.add(segment_row(start_us=start, end_us=start + 10 * US_PER_S,
                              size_bytes=1_000_000, path=f"p{i}", created_us=now))  # fmt: skip
    free = 100_000_000  # 1000 s of recording left
    ret = Retention(db, tmp_path, RecorderConfig(), clock, lambda _p: DiskUsage(10**10, 0, free))
    status = ret.disk_status()
    assert status.bytes_per_day == 100_000 * 86_400
    assert status.days_left is not None
    assert status.days_left * 86_400 == pytest.approx(1000)
    clock.advance(3600)  # an hour later, nothing more recorded: the window is still real
    assert ret.bytes_per_day() == 10_000_000 * 86_400 // (3600 + 100)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "disk", "1m") as mnt:
        yield mnt


def test_real_full_tmpfs_costs_no_more_than_a_gop(db: Database, tmpfs: Path, clip: Path) -> None:
    """A recorder on a real 1 MB tmpfs records ten loops of the clip (several times the
    disk): the reserve and, when the disk fills regardless, ENOSPC make room at once."""
    clock = FakeClock()
    cfg = RecorderConfig(segment_seconds=2, stagger=False, reserve_free_bytes=100_000)
    files = file_opener(clock, realtime=True, loops=10, sleep=clock.advance)
    done = threading.Event()

    def opener(url: str) -> MediaSource:
        if done.is_set():
            raise MediaError("played once")
        done.set()
        return files(url)

    service = RecorderService(db, tmpfs, cfg, clock, opener)
    service.start([StreamPlan(StreamKey("TC-001", "main"), str(clip))])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not done.is_set()
        or service.health()["TC-001/main"].state.value in ("connecting", "streaming")
    ):
        time.sleep(0.05)
    service.stop()
    with db.session() as s:
        segs = list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())
    deleted = _deleted_frames(db)
    assert deleted, "the disk was too small to keep everything"
    one_loop = 90
    recorded = sum(x.frames for x in segs) + _frames_deleted(db, [])
    print(f"full tmpfs: {recorded} of {10 * one_loop} frames recorded")
    assert recorded >= 10 * one_loop - 15, "at most one GOP (1 s) lost"
    assert not list(tmpfs.rglob("*.part"))
    assert check(db, tmpfs, clock).clean
