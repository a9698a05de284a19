"""A system whose in-process recorder plays a looped clip as camera RP-001 (client acme)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.foundation.helpers import add_user, load_small_register

from watchkeeper.auth.roles import Role
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock
from watchkeeper.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "playback"))
from tests.clips import make_clip
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def live_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("liveclip") / "live.ts", 4, "320x240")


@pytest.fixture
def live_system(tmp_path: Path, live_clip: Path) -> Iterator[System]:
    clock = SystemClock()
    system = build_system(make_settings(tmp_path / "data"), clock=clock)
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
    add_user(system, "brook-viewer", Role.CLIENT_VIEWER, client_id="brook")
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False),
        clock,
        file_opener(clock, realtime=True, loops=1000),
    )
    recorder.start([StreamPlan(StreamKey("RP-001", "main"), str(live_clip))])
    system.recorder = recorder
    yield system
    system.close()


@pytest.fixture
def live_client(live_system: System) -> Iterator[TestClient]:
    with TestClient(create_app(live_system)) as c:
        yield c
