"""Worker processes: cameras split over shards; a shard that dies is restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rec_helpers import add_cameras
from sqlalchemy import func, select

import watchkeeper
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.check import check
from watchkeeper.recording.models import Segment
from watchkeeper.timeutil import SystemClock

pytestmark = [pytest.mark.media, pytest.mark.slow]


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(x) for x in text.split()}


def _worker_env(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(watchkeeper.__file__).parents[1]),
        "WATCHKEEPER_MODE": "development",
        "WATCHKEEPER_DATA_DIR": str(data_dir),
    }
    env.pop("WATCHKEEPER_DATABASE_URL", None)
    return env


def _wait_for(cond: object, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_two_shards_record_all_cameras_and_a_killed_shard_comes_back(
    clip: Path, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'watchkeeper.db'}")
    upgrade(db.engine)
    cams = ("TC-001", "TC-002", "TC-003", "TC-004")
    add_cameras(db, cams, url=str(clip))
    env = _worker_env(tmp_path)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from watchkeeper.config.settings import load_settings\n"
            "from watchkeeper.recording.worker import run_workers\n"
            "run_workers(2, load_settings(), 0.2)",
        ],
        env=env,
    )
    try:
        _wait_for(lambda: len(_children(parent.pid)) == 2)
        first = _children(parent.pid)

        def recorded() -> set[str]:
            with db.session() as s:
                return set(s.execute(select(Segment.camera_id).distinct()).scalars())

        _wait_for(lambda: recorded() == set(cams))
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(_children(parent.pid) - first) == 1)
        with db.session() as s:
            before = s.execute(select(func.count(Segment.id))).scalar_one()

        def grew() -> bool:
            with db.session() as s:
                return s.execute(select(func.count(Segment.id))).scalar_one() > before + 4

        _wait_for(grew)
    finally:
        parent.send_signal(signal.SIGTERM)
        parent.wait(30)
    assert parent.returncode == 0
    report = check(db, tmp_path / "recordings", SystemClock(), full=True, repair=True)
    assert report.clean, [str(p) for p in report.problems]


def test_a_native_crash_in_a_worker_leaves_a_trace(tmp_path: Path) -> None:
    """faulthandler is on in worker processes: a segmentation fault (here a SIGSEGV sent to
    the process, as the media library's crash would raise) prints every thread's stack."""
    db = Database(f"sqlite:///{tmp_path / 'watchkeeper.db'}")
    upgrade(db.engine)
    env = _worker_env(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-m", "watchkeeper.recording.worker", "--no-migrate"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        line = ""
        end = time.monotonic() + 20
        while "recording" not in line and time.monotonic() < end:
            line = child.stderr.readline()
        os.kill(child.pid, signal.SIGSEGV)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGSEGV
    assert "Fatal Python error: Segmentation fault" in err
    assert "Thread" in err or "Current thread" in err
