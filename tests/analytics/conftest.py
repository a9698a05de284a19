"""Fixtures for analytics: the simulated cameras' real footage (vtest: people walking) as a
camera the in-process recorder records, and the Mosquitto broker."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.foundation.helpers import add_user, load_small_register
from watchkeeper.auth.roles import Role
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.simulate.footage import VTEST, ClipSpec, cache_dir, ensure_clip
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock

CAMERA = "RP-001"
MQTT_HOST, MQTT_PORT = "127.0.0.1", 1883


@pytest.fixture(scope="session")
def walk_clip() -> Path:
    """Eight seconds of vtest at the sub-stream's shape (640x360, 10 fps), in MPEG-TS."""
    if not VTEST.exists():
        if os.environ.get("CI"):
            pytest.fail("vtest.avi (opencv-doc) missing under CI")
        pytest.skip("vtest.avi (opencv-doc) not installed")
    root = cache_dir() / "tests"
    raw = ensure_clip(ClipSpec("vtest", 640, 360, 10, 400, 20, 8.0), root)
    ts = raw.with_suffix(".ts")
    if not ts.exists():
        tmp = ts.with_suffix(f".{os.getpid()}.ts")
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-framerate",
                "10",
                "-i",
                str(raw),
                "-c",
                "copy",
                str(tmp),
            ],
            check=True,
        )
        tmp.replace(ts)
    return ts


@pytest.fixture
def recording_system(tmp_path: Path, walk_clip: Path) -> Iterator[System]:
    """A system recording ``walk_clip`` in real time, looped, as RP-001's sub-stream."""
    clock = SystemClock()
    system = build_system(make_settings(tmp_path / "data"), clock=clock)
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False),
        clock,
        file_opener(clock, realtime=True, loops=1000),
    )
    recorder.start([StreamPlan(StreamKey(CAMERA, "sub"), str(walk_clip))])
    system.recorder = recorder
    yield system
    system.close()


def _broker_up() -> bool:
    try:
        with socket.create_connection((MQTT_HOST, MQTT_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def broker() -> tuple[str, int]:
    """Mosquitto on 127.0.0.1:1883; skipped only when unreachable outside CI."""
    if not _broker_up():
        if os.environ.get("CI"):
            pytest.fail("Mosquitto is unreachable at 127.0.0.1:1883 and CI is set")
        pytest.skip("Mosquitto is unreachable at 127.0.0.1:1883")
    return MQTT_HOST, MQTT_PORT
