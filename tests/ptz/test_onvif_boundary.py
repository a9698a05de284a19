"""The ONVIF boundary against the simulator (real SOAP): capabilities, stream URLs, the
camera clock, and every way a camera fails turned into a clear, credential-free error."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.browser.conftest import serve_app
from tests.ptz.conftest import PASSWORD, onvif_url
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.errors import AuthError, MediaError, ValidationError
from watchkeeper.ptz.clock import ClockWatch
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.models import PtzCamera
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera, load_wsdls
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.records.log_models import Fault
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S

pytestmark = pytest.mark.media


def test_capabilities_and_stream_urls_from_onvif_alone(ptz_system: System) -> None:
    directory = PtzDirectory(ptz_system.db, ptz_system.clock)

    async def go() -> None:
        caps = await directory.connect("TC-001")
        assert caps.profile_token == "main" and caps.steerable
        assert (caps.pan.lo, caps.pan.hi, caps.zoom.lo, caps.zoom.hi) == (-1, 1, 0, 1)
        assert caps.max_presets == 64 and caps.home_supported
        assert caps.privacy_masks is False, "the simulator's Media 1 has no mask service"
        fixed = await directory.connect("TC-002")
        assert not fixed.steerable
        await directory.close()

    asyncio.run(go())
    with ptz_system.db.session() as s:
        cam = s.get(Camera, "TC-001")
        row = s.get(PtzCamera, "TC-001")
        assert cam is not None and row is not None
        assert cam.main_url.endswith("/ptz1/main") and cam.sub_url.endswith("/ptz1/sub")
        assert f":{PASSWORD}@" in cam.main_url, "the register's URL carries the credentials"
        assert PASSWORD not in row.capabilities, "the stored capabilities carry none"
        assert row.profile_token == "main"
        tc2 = s.get(Camera, "TC-002")
        assert tc2 is not None and tc2.main_url, "a set URL is kept"


def test_clock_offset_measured_stored_and_faulted(ptz_system: System) -> None:
    directory = PtzDirectory(ptz_system.db, ptz_system.clock)
    told: list[tuple[str, int | None]] = []
    watch = ClockWatch(directory, lambda cam, off: told.append((cam, off)))

    async def go() -> tuple[int, int]:
        try:
            return await watch.check("TC-001"), await watch.check("TC-002")
        finally:
            await directory.close()

    ptz_off, fixed_off = asyncio.run(go())
    assert abs(ptz_off) < 1.5 * US_PER_S, "ONVIF gives whole seconds"
    assert 3.5 * US_PER_S < fixed_off < 6.5 * US_PER_S, "the rig's camera runs 5 s fast"
    assert told == [("TC-001", ptz_off), ("TC-002", fixed_off)]
    with ptz_system.db.session() as s:
        row = s.get(PtzCamera, "TC-002")
        assert row is not None and row.clock_offset_us == fixed_off
        faults = s.scalars(select(Fault)).all()
        assert [f.camera_id for f in faults] == ["TC-002"], "only the camera over 2 s"
        assert re.match(r"camera clock is \+[456]\.\d s off", faults[0].summary)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a hung camera."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        yield int(srv.getsockname()[1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("kind", ["silent", "closed"])
def test_a_camera_that_never_answers_fails_within_2s(kind: str, silent_port: int) -> None:
    port = silent_port if kind == "silent" else _closed_port()
    cam = OnvifCamera(OnvifAddress("TC-009", "127.0.0.1", port, "admin", "hunter2-secret"))
    asyncio.run(load_wsdls("ptz"))  # this process's parsing, done once, is not the camera's

    async def go() -> None:
        try:
            await cam.stop("main")
        finally:
            await cam.close()

    t0 = time.monotonic()
    with pytest.raises(MediaError, match="camera TC-009") as info:
        asyncio.run(go())
    assert time.monotonic() - t0 < 2.5
    assert "hunter2" not in str(info.value) and "admin" not in str(info.value)


def test_wrong_password_and_fixed_camera_are_clear(ptz_rig: Rig) -> None:
    wrong = OnvifAddress.from_url("TC-001", onvif_url(ptz_rig, "ptz1", "not-it-at-all"))
    fixed = OnvifAddress.from_url("TC-002", onvif_url(ptz_rig, "cam1"))

    async def go(address: OnvifAddress) -> None:
        cam = OnvifCamera(address)
        try:
            await cam.stop("main")
        finally:
            await cam.close()

    with pytest.raises(AuthError, match="camera TC-001 refused the credentials") as info:
        asyncio.run(go(wrong))
    assert "not-it-at-all" not in str(info.value)
    with pytest.raises(ValidationError, match="camera TC-002 has no PTZ"):
        asyncio.run(go(fixed))


def test_unknown_preset_is_refused_by_name(ptz_rig: Rig) -> None:
    cam = OnvifCamera(OnvifAddress.from_url("TC-001", onvif_url(ptz_rig, "ptz1")))

    async def go() -> None:
        try:
            await cam.goto_preset("main", "nowhere")
        finally:
            await cam.close()

    with pytest.raises(ValidationError, match="camera TC-001 refused GotoPreset: no preset"):
        asyncio.run(go())


def test_a_recording_server_checks_camera_clocks_at_start(ptz_system: System, ptz_rig: Rig) -> None:
    """Served with a recorder, the app reads each ONVIF camera's clock and hands the offset
    to the recorder's supervisor for that camera (stored on its new segments)."""
    with ptz_system.db.session() as s:
        tc2 = s.get(Camera, "TC-002")
        assert tc2 is not None
        tc2.status = CameraStatus.ACTIVE
        tc2.purpose, tc2.dpia_ref = "test", "DPIA-T"
        url = tc2.main_url = ptz_rig.camera("cam1").main_url
    recorder = RecorderService(
        ptz_system.db,
        ptz_system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False),
        ptz_system.clock,
    )
    recorder.start([StreamPlan(StreamKey("TC-002", "main"), url)])
    ptz_system.recorder = recorder
    with serve_app(ptz_system):
        deadline = time.monotonic() + 10
        sup = recorder.supervisor("TC-002")
        while sup.clock_offset_us is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sup.clock_offset_us is not None
        assert 3.5 * US_PER_S < sup.clock_offset_us < 6.5 * US_PER_S
