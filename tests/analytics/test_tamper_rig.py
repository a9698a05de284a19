"""Tamper on simulated cameras over RTSP: a covered and a moved camera each open a fault,
and the recorder keeps recording both."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.analytics.helpers import wait_for
from tests.analytics.test_mqtt import Listener
from tests.conftest import make_settings
from tests.foundation.helpers import load_small_register
from tests.simulate.rigs import small_config
from watchkeeper.analytics.pipeline import AnalyserConfig
from watchkeeper.analytics.service import AnalyticsService
from watchkeeper.analytics.tamper import TamperConfig
from watchkeeper.mqtt.client import MqttLink, MqttSettings
from watchkeeper.mqtt.topics import Topics
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.models import StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.records.log_models import Fault, FaultEvent
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.faults import FaultKind
from watchkeeper.simulate.footage import VTEST, cache_dir
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock

pytestmark = [pytest.mark.media, pytest.mark.slow]
COVERED, MOVED = "TC-001", "RP-001"


@pytest.fixture
def rig() -> Iterator[Rig]:
    if shutil.which("ffmpeg") is None or not VTEST.exists():
        if os.environ.get("CI"):
            pytest.fail("ffmpeg or vtest.avi missing under CI")
        pytest.skip("ffmpeg or vtest.avi missing")
    cams = [CameraSpec(name=n, main="360p", onvif=False, tamper_views=True) for n in ("c1", "c2")]
    with Rig(small_config(cache_dir() / "tests", *cams)) as r:
        yield r


def _faults(system: System, camera: str) -> list[str]:
    with system.db.session() as s:
        q = (select(FaultEvent.text).join(Fault, Fault.id == FaultEvent.fault_id)
             .where(Fault.camera_id == camera))  # fmt: skip
        return list(s.scalars(q))


def test_covered_and_moved_cameras_open_faults(
    rig: Rig, tmp_path: Path, broker: tuple[str, int]
) -> None:
    clock = SystemClock()
    system = build_system(make_settings(tmp_path / "data"), clock=clock)
    load_small_register(system)
    recorder = RecorderService(
        system.db, system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False), clock,
    )  # fmt: skip
    recorder.start([
        StreamPlan(StreamKey(COVERED, "sub"), rig.camera("c1").sub_url),
        StreamPlan(StreamKey(MOVED, "sub"), rig.camera("c2").sub_url),
    ])  # fmt: skip
    system.recorder = recorder
    config = AnalyserConfig(tamper=TamperConfig(learn_frames=10, hold_s=2.0))
    prefix = f"wk-{uuid.uuid4().hex[:8]}"
    topics = Topics(prefix, f"{prefix}-ha")
    listener = Listener(*broker, f"{prefix}/+/fault")
    link = MqttLink(MqttSettings(*broker, client_id=f"wk-{prefix}"), topics)
    service = AnalyticsService(system.db, clock, recorder, link, config=config)
    service.start()
    try:
        wait_for("reference pictures learnt",
                 lambda: all(h.frames > 20 for h in service.health()), 60)  # fmt: skip
        assert _faults(system, COVERED) == [] and _faults(system, MOVED) == []
        rig.fault("c1", FaultKind.COVERED, 60)
        rig.fault("c2", FaultKind.MOVED, 60)
        covered = wait_for("a covered fault", lambda: _faults(system, COVERED), 60)
        moved = wait_for("a moved fault", lambda: _faults(system, MOVED), 60)
        assert any("covered" in t for t in covered), covered
        assert any("moved" in t for t in moved), moved
        msgs = wait_for("faults on MQTT", lambda: listener.find(topics.camera(COVERED, "fault")))
        body = json.loads(msgs[0][1])
        assert body["kind"] == "covered" and body["text"].startswith("camera covered")
        health = recorder.health()
        assert all(h.state is StreamState.STREAMING for h in health.values()), health
    finally:
        service.stop()
        listener.close()
        system.close()
