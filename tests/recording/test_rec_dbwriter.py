"""A stream thread never waits for the database (recording/dbwriter.py).

Found by the console load benchmark: the recorder wrote its segment rows and state events on
the stream threads, so a 30 s wait for SQLite's write lock (a burst of console writes) stopped
the packet loop and became a recording gap on every camera.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from watchkeeper.cameras.models import Camera
from watchkeeper.db.engine import Database
from watchkeeper.errors import StorageError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.dbwriter import DbWriter
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import Segment
from watchkeeper.recording.service import RecorderService
from watchkeeper.timeutil import SystemClock


def test_writes_run_in_order_off_the_caller_and_failures_are_retried() -> None:
    writer = DbWriter(retry_s=0.01)
    writer.start()
    gate = threading.Event()
    done: list[int] = []
    tries = itertools.count()

    def blocked() -> None:
        gate.wait(5)
        done.append(0)

    def flaky() -> None:
        if next(tries) < 2:
            raise StorageError("database is locked")
        done.append(1)

    t0 = time.monotonic()
    writer.submit("blocked", blocked)
    writer.submit("flaky", flaky)
    writer.submit("last", lambda: done.append(2))
    assert time.monotonic() - t0 < 0.5  # the caller never waits for a write
    assert writer.backlog >= 2 and done == []
    gate.set()
    assert writer.stop() == 0
    assert done == [0, 1, 2]


def test_stop_gives_up_on_a_write_that_keeps_failing() -> None:
    writer = DbWriter(retry_s=0.01)
    writer.start()

    def broken() -> None:
        raise StorageError("disk I/O error")

    written: list[str] = []
    writer.submit("broken", broken)
    writer.submit("fine", lambda: written.append("fine"))
    time.sleep(0.05)
    writer.stop(timeout=1)
    assert written == ["fine"]  # the broken one is left to the stop's check


@pytest.mark.media
def test_recording_goes_on_while_the_database_is_write_locked(
    clip: Path, tmp_path: Path, db: Database
) -> None:
    """SQLite held locked for 3 s by another writer mid-recording: no recording gap, and
    every row arrives once the lock is gone."""
    with db.session() as s:
        s.execute(update(Camera).where(Camera.id == "TC-002").values(status="planned"))
        s.execute(update(Camera).values(main_url=str(clip)))
    clock = SystemClock()
    cfg = RecorderConfig(segment_seconds=1, stagger=False, fsync_each_fragment=False)
    service = RecorderService(
        db, tmp_path / "rec", cfg, clock, file_opener(clock, realtime=True, loops=20)
    )
    service.start()
    try:
        time.sleep(1.5)
        locker = sqlite3.connect(tmp_path / "wk.db", timeout=30, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # the write lock, as a long console write holds it
        time.sleep(3.0)
        health = service.health()["TC-001/main"]
        locker.execute("ROLLBACK")
        locker.close()
        time.sleep(1.5)
    finally:
        service.stop()
    assert health.state.value == "streaming" and health.fps > 10  # still reading packets
    with db.session() as s:
        segs = s.execute(select(Segment).order_by(Segment.start_us)).scalars().all()
    assert sum(x.media_duration_us for x in segs) > 5_000_000
    holes = [b.start_us - a.end_us for a, b in itertools.pairwise(segs)]
    assert max(holes) < 150_000, holes  # no gap where the database was locked
