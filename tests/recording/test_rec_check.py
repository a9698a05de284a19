"""check: reconcile index and files; --repair fixes what can be fixed and says what it did."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from rec_helpers import ffmpeg_errors, run_writer
from sqlalchemy import select

from watchkeeper.audit.service import Actor
from watchkeeper.db.engine import Database
from watchkeeper.recording.check import BUSY_AGE_S, check
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fmp4 import scan_file
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.models import RecordingDeletion, Segment
from watchkeeper.recording.store import FinishedSegment, SegmentIndex
from watchkeeper.timeutil import US_PER_S, FakeClock


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every check test runs on SQLite and PostgreSQL."""
    return any_db


@pytest.fixture
def recorded(clip: Path, tmp_path: Path, db: Database) -> tuple[Path, list[FinishedSegment]]:
    root = tmp_path / "recordings"
    clock = FakeClock()
    segs = run_writer(clip, root, clock, RecorderConfig(segment_seconds=2, stagger=False),
                      index=SegmentIndex(db, clock).add)
    return root, segs


def kinds(report: object) -> list[str]:
    return [p.kind for p in report.problems]  # type: ignore[attr-defined]


def test_clean_recording_checks_clean(recorded: tuple[Path, list[FinishedSegment]],
                                      db: Database) -> None:
    root, segs = recorded
    report = check(db, root, FakeClock(), full=True)
    assert report.clean and report.problems == []
    assert report.rows == report.files == len(segs) == 3


def test_missing_file_row_is_removed_and_logged(recorded: tuple[Path, list[FinishedSegment]],
                                                db: Database) -> None:
    root, segs = recorded
    (root / segs[0].relpath).unlink()
    report = check(db, root, FakeClock())
    assert kinds(report) == ["missing_file"] and not report.clean
    fixed = check(db, root, FakeClock(), repair=True)
    assert fixed.clean and "deletion logged" in fixed.problems[0].action
    with db.session() as s:
        assert [d.rule for d in s.execute(select(RecordingDeletion)).scalars()] == ["repair"]
    assert check(db, root, FakeClock()).problems == []


def test_missing_held_file_is_kept_for_a_person(recorded: tuple[Path, list[FinishedSegment]],
                                                db: Database) -> None:
    root, segs = recorded
    with db.session() as s:
        create_hold(s, Actor(1, "sup"), "TC-001", segs[0].start_us, segs[0].end_us, "INC-5",
                    "police request", "PC 5")
    (root / segs[0].relpath).unlink()
    report = check(db, root, FakeClock(), repair=True)
    assert not report.clean and "held" in report.problems[0].action
    with db.session() as s:
        assert s.execute(select(Segment).where(Segment.path == segs[0].relpath)).first()


def test_interrupted_part_file_is_cut_to_last_fragment_and_indexed(
        recorded: tuple[Path, list[FinishedSegment]], db: Database) -> None:
    root, segs = recorded
    src = root / segs[0].relpath
    frags = scan_file(src).fragments
    start = segs[-1].end_us + 10 * US_PER_S
    part = src.with_name(f"{start}.mp4.part")
    part.write_bytes(src.read_bytes()[: frags[1].offset + 500])  # 1 whole GOP + a torn one
    report = check(db, root, FakeClock(), repair=True)
    assert kinds(report) == ["interrupted_file"] and report.clean
    assert "indexed 1 fragments, cut 500 bytes" in report.problems[0].action
    final = part.with_name(f"{start}.mp4")
    assert final.exists() and not part.exists() and ffmpeg_errors(final) == ""
    with db.session() as s:
        row = s.execute(select(Segment).where(Segment.start_us == start)).scalar_one()
    assert row.recovered and row.frames == 15 and row.end_us - row.start_us == US_PER_S
    assert check(db, root, FakeClock(), full=True).problems == []


def test_part_file_without_fragment_is_removed(recorded: tuple[Path, list[FinishedSegment]],
                                               db: Database) -> None:
    root, segs = recorded
    src = root / segs[0].relpath
    part = src.with_name("1767225700000000.mp4.part")
    part.write_bytes(src.read_bytes()[: scan_file(src).fragments[0].offset + 10])
    report = check(db, root, FakeClock(), repair=True)
    assert report.clean and report.problems[0].action == "removed: no complete fragment"
    assert not part.exists()


def test_orphan_mp4_is_indexed(recorded: tuple[Path, list[FinishedSegment]],
                               db: Database) -> None:
    root, segs = recorded
    src = root / segs[0].relpath
    orphan = src.with_name(f"{segs[-1].end_us + US_PER_S}.mp4")
    shutil.copy(src, orphan)
    report = check(db, root, FakeClock(), repair=True)
    assert kinds(report) == ["orphan_file"] and report.clean
    assert check(db, root, FakeClock(), full=True).problems == []


def test_altered_files_are_reported_never_fixed(recorded: tuple[Path, list[FinishedSegment]],
                                                db: Database) -> None:
    root, segs = recorded
    grown, edited = root / segs[0].relpath, root / segs[1].relpath
    with grown.open("ab") as f:
        f.write(b"x")
    data = bytearray(edited.read_bytes())
    data[-10] ^= 0xFF
    edited.write_bytes(bytes(data))
    assert kinds(check(db, root, FakeClock())) == ["size_mismatch"]  # fast: sizes only
    report = check(db, root, FakeClock(), full=True, repair=True)
    assert kinds(report) == ["size_mismatch", "hash_mismatch"] and not report.clean
    assert grown.exists() and edited.exists()


def test_repair_leaves_files_alone_while_a_recorder_runs(
        recorded: tuple[Path, list[FinishedSegment]], db: Database) -> None:
    from watchkeeper.recording.paths import RecorderLock

    root, segs = recorded
    src = root / segs[0].relpath
    part = src.with_name(f"{segs[-1].end_us}.mp4.part")
    part.write_bytes(src.read_bytes())
    lock = RecorderLock(root)
    try:
        report = check(db, root, FakeClock(), repair=True)
        assert report.problems == [] and part.exists(), "a .part being written is not touched"
        old = time.time() - BUSY_AGE_S - 1
        os.utime(part, (old, old))  # untouched for 5 minutes: abandoned by a failed write
        assert kinds(check(db, root, FakeClock(), repair=True)) == ["interrupted_file"]
    finally:
        lock.release()
