"""The recorder service end to end: real threads, real time, files played as cameras.

The kill -9 test runs the service in a child process and kills it mid-fragment: after
``check --repair`` the index is clean, every file plays, and at most the GOP in flight is lost.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rec_helpers import ffmpeg_errors
from sqlalchemy import select, update

import watchkeeper
from watchkeeper.cameras.models import Camera
from watchkeeper.db.engine import Database
from watchkeeper.recording.check import check
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import Segment, StreamEvent
from watchkeeper.recording.service import RecorderService, in_shard
from watchkeeper.timeutil import US_PER_S, SystemClock

pytestmark = [pytest.mark.media, pytest.mark.slow]


def _point_cameras_at(db: Database, clip: Path) -> None:
    with db.session() as s:
        s.execute(update(Camera).values(main_url=str(clip)))


def test_service_records_every_active_camera_and_stops_cleanly(
    clip: Path, tmp_path: Path, db: Database
) -> None:
    _point_cameras_at(db, clip)
    clock = SystemClock()
    cfg = RecorderConfig(segment_seconds=1, stagger=False, fsync_each_fragment=False)
    service = RecorderService(
        db, tmp_path / "rec", cfg, clock, file_opener(clock, realtime=True, loops=10)
    )
    service.start()
    time.sleep(2.6)
    health = service.health()
    service.stop()
    assert set(health) == {"TC-001/main", "TC-002/main"}
    assert all(h.state.value == "streaming" and h.fps > 10 for h in health.values())
    with db.session() as s:
        segs = s.execute(select(Segment).order_by(Segment.start_us)).scalars().all()
        states = [
            e.state
            for e in s.execute(
                select(StreamEvent)
                .where(StreamEvent.camera_id == "TC-001")
                .order_by(StreamEvent.id)
            ).scalars()
        ]
    assert {x.camera_id for x in segs} == {"TC-001", "TC-002"}
    assert states == ["connecting", "streaming", "stopped"]
    assert sum(x.frames for x in segs if x.camera_id == "TC-001") >= 30
    assert check(db, tmp_path / "rec", clock, full=True).problems == []


def test_shards_split_cameras_without_overlap() -> None:
    ids = [f"CAM-{i:03d}" for i in range(138)]
    shards = [[c for c in ids if in_shard(c, k, 3)] for k in range(3)]
    assert sorted(c for sh in shards for c in sh) == ids and all(30 < len(s) < 60 for s in shards)


def test_kill_9_loses_at_most_the_fragment_in_flight(
    clip: Path, tmp_path: Path, db: Database
) -> None:
    _point_cameras_at(db, clip)
    with db.session() as s:
        s.execute(update(Camera).where(Camera.id == "TC-002").values(status="suspended"))
    root = tmp_path / "rec"
    env = {**os.environ, "PYTHONPATH": str(Path(watchkeeper.__file__).parents[1])}
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_recorder.py")), db.url, str(root)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "recording"
        time.sleep(5.5)  # two finished 2 s segments and one being written
        killed_us = SystemClock().now_us()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert list(root.rglob("*.part")), "a segment was being written when killed"
    report = check(db, root, SystemClock(), repair=True)
    assert [p.kind for p in report.problems] == ["interrupted_file"] and report.clean
    assert check(db, root, SystemClock(), full=True).problems == []
    with db.session() as s:
        segs = s.execute(select(Segment).order_by(Segment.start_us)).scalars().all()
    assert [x.recovered for x in segs] == [False] * (len(segs) - 1) + [True]
    for a, b in itertools.pairwise(segs):
        assert a.end_us == b.start_us, "no hole before the recovered segment"
    lost = killed_us - segs[-1].end_us
    assert 0 <= lost <= 1 * US_PER_S + 400_000, f"lost {lost} µs: more than the GOP in flight"
    for x in segs:
        assert ffmpeg_errors(root / x.path) == ""


def test_clean_stop_leaves_no_part_file_unindexed(clip: Path, tmp_path: Path, db: Database) -> None:
    """A .part file of one of our cameras (here: a copy of the one being written, as a
    failed write around a full disk used to leave) is indexed by the stop itself, so
    ``check`` is clean without ``--repair``; the startup recovery runs by itself too."""
    _point_cameras_at(db, clip)
    clock = SystemClock()
    root = tmp_path / "rec"
    cfg = RecorderConfig(segment_seconds=60, stagger=False)
    service = RecorderService(db, root, cfg, clock, file_opener(clock, realtime=True, loops=10))
    service.start()
    time.sleep(2.5)
    part = next(root.rglob("*.part"))
    stray = part.with_name(f"{int(part.name.split('.')[0]) - 10 * US_PER_S}.mp4.part")
    stray.write_bytes(part.read_bytes())
    service.stop()
    assert not list(root.rglob("*.part")), "a clean stop leaves no .part file"
    report = check(db, root, clock)
    assert report.clean and report.problems == []
    # and the next start recovers on its own what an unclean stop leaves
    stray.write_bytes(next(root.rglob("*.mp4")).read_bytes()[:5000])
    service = RecorderService(db, root, cfg, clock, file_opener(clock, realtime=True, loops=1))
    service.start()
    service.stop()
    assert service.startup_report is not None and service.startup_report.problems
    assert not list(root.rglob("*.part"))
