"""ONVIF, driven by onvif-zeep-async, the client the rest of Watchkeeper uses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError
from zeep.exceptions import Fault

from tests.simulate.conftest import fixed, ptz
from tests.simulate.media import grab_luma, mean_abs_diff
from watchkeeper.simulate.clockcode import decode_clock_code
from watchkeeper.simulate.rig import Rig, RigCamera

pytestmark = pytest.mark.media
USER, PASSWORD = "operator", "s3cret-pass"


async def _connect(cam: RigCamera, password: str = PASSWORD) -> ONVIFCamera:
    client = ONVIFCamera("127.0.0.1", cam.onvif_port, USER, password)
    await client.update_xaddrs()
    return client


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_device_and_media(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed("cam1", clock_offset_s=3600))
    cam = rig.camera("cam1")

    async def go() -> None:
        client = await _connect(cam)
        try:
            dev = await client.create_devicemgmt_service()
            info = await dev.GetDeviceInformation()
            assert info.Manufacturer == "Watchkeeper" and info.HardwareId == "cam1"
            t = (await dev.GetSystemDateAndTime()).UTCDateTime
            cam_time = datetime(t.Date.Year, t.Date.Month, t.Date.Day, t.Time.Hour,
                                t.Time.Minute, t.Time.Second, tzinfo=UTC)  # fmt: skip
            skew = (cam_time - datetime.now(UTC)).total_seconds()
            assert 3590 < skew < 3610, "configured clock offset is reported"
            media = await client.create_media_service()
            profiles = await media.GetProfiles()
            assert [p.token for p in profiles] == ["main", "sub"]
            assert profiles[0].VideoEncoderConfiguration.Resolution.Width == 640
            assert profiles[0].VideoEncoderConfiguration.Encoding == "H264"
            uri = await media.GetStreamUri({
                "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
                "ProfileToken": "sub"})  # fmt: skip
            assert uri.Uri == cam.sub_url.replace(f"{USER}:{PASSWORD}@", "")
            snapshot = await client.get_snapshot("main")
            assert snapshot is not None and snapshot[:2] == b"\xff\xd8"
            with pytest.raises(ONVIFError, match="support service: ptz"):
                await client.create_ptz_service()
        finally:
            await client.close()

    _run(go())


def test_wrong_password_refused(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(fixed()).camera("cam1")

    async def go() -> None:
        client = ONVIFCamera("127.0.0.1", cam.onvif_port, USER, "wrong")
        try:
            dev = await client.create_devicemgmt_service()
            with pytest.raises(Fault, match="not authorized"):
                await dev.GetDeviceInformation()
        finally:
            await client.close()

    _run(go())


async def _status(service: Any) -> tuple[float, float, float, str]:
    st = await service.GetStatus({"ProfileToken": "main"})
    p = st.Position
    return p.PanTilt.x, p.PanTilt.y, p.Zoom.x, st.MoveStatus.PanTilt


async def _settle(service: Any, timeout: float = 8.0) -> tuple[float, float, float, str]:
    deadline = time.monotonic() + timeout
    while (status := await _status(service))[3] != "IDLE":
        assert time.monotonic() < deadline, "PTZ never stopped"
        await asyncio.sleep(0.2)
    return status


def test_ptz_moves_picture_and_presets_round_trip(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(ptz("ptz1")).camera("ptz1")
    opened = time.time()
    w, h, before = grab_luma(cam.sub_url)
    stamp = decode_clock_code(before, w, h)
    assert stamp is not None, "capture clock readable"
    assert opened - 1 < stamp / 1e6 < time.time(), "and it is the capture time"

    async def go() -> None:
        client = await _connect(cam)
        try:
            svc = await client.create_ptz_service()
            nodes = await svc.GetNodes()
            assert nodes[0].HomeSupported is True
            assert (await svc.GetConfigurations())[0].NodeToken == nodes[0].token
            await svc.ContinuousMove({"ProfileToken": "main",
                                      "Velocity": {"PanTilt": {"x": 1.0, "y": 0.0}}})  # fmt: skip
            await asyncio.sleep(0.6)
            assert (await _status(svc))[3] == "MOVING"
            await svc.Stop({"ProfileToken": "main", "PanTilt": True, "Zoom": True})
            pan, tilt, _zoom, state = await _status(svc)
            assert state == "IDLE" and 0.3 < pan < 0.8 and tilt == 0, "moved at realistic speed"
            token = await svc.SetPreset({"ProfileToken": "main", "PresetName": "bus stop"})
            await svc.AbsoluteMove({"ProfileToken": "main", "Position": {
                "PanTilt": {"x": -0.8, "y": 0.5}, "Zoom": {"x": 0.6}}})  # fmt: skip
            assert (await _settle(svc))[:3] == pytest.approx((-0.8, 0.5, 0.6), abs=1e-3)
            await svc.RelativeMove({"ProfileToken": "main",
                                    "Translation": {"PanTilt": {"x": 0.2, "y": 0.0}}})  # fmt: skip
            assert (await _settle(svc))[0] == pytest.approx(-0.6, abs=1e-3)
            presets = await svc.GetPresets({"ProfileToken": "main"})
            assert [(p.token, p.Name) for p in presets] == [(token, "bus stop")]
            await svc.GotoPreset({"ProfileToken": "main", "PresetToken": token})
            assert (await _settle(svc))[0] == pytest.approx(pan, abs=1e-3)
            await svc.RemovePreset({"ProfileToken": "main", "PresetToken": token})
            assert await svc.GetPresets({"ProfileToken": "main"}) in ([], None)
            await svc.GotoHomePosition({"ProfileToken": "main"})
            assert (await _settle(svc))[:3] == pytest.approx((0, 0, 0), abs=1e-3)
            await svc.AbsoluteMove({"ProfileToken": "main", "Position": {
                "PanTilt": {"x": 1.0, "y": -1.0}, "Zoom": {"x": 1.0}}})  # fmt: skip
            await _settle(svc)
        finally:
            await client.close()

    _run(go())
    w2, h2, after = grab_luma(cam.sub_url)
    assert (w2, h2) == (w, h)
    assert mean_abs_diff(before, after) > 15, "the picture follows the head"


def test_snapshot_of_ptz_needs_auth(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(ptz("ptz1")).camera("ptz1")

    async def go() -> None:
        client = await _connect(cam)
        bad = ONVIFCamera("127.0.0.1", cam.onvif_port, USER, "wrong")
        try:
            jpeg = await client.get_snapshot("sub")
            assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
            bad._snapshot_uris["sub"] = client._snapshot_uris["sub"]
            with pytest.raises(ONVIFError):
                await bad.get_snapshot("sub")
        finally:
            await client.close()
            await bad.close()

    _run(go())
