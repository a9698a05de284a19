"""Each fault, triggered through the rig's control endpoint, as a client sees it."""

from __future__ import annotations

import asyncio
import itertools
import socket
import subprocess
import time
from collections.abc import Callable

import pytest
from onvif import ONVIFCamera

from tests.simulate.media import Reader, ffprobe_fails, ffprobe_stream
from tests.simulate.rigs import fixed, ptz
from watchkeeper.errors import ValidationError
from watchkeeper.simulate.faults import FaultKind
from watchkeeper.simulate.rig import Rig

pytestmark = pytest.mark.media


def _refuses_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def test_drop_closes_connection_and_reconnect_works(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    cam = rig.camera("cam1")
    reader = Reader(cam.sub_url).start()
    reader.wait_packets(5)
    assert rig.fault("cam1", FaultKind.DROP)["dropped"] >= 1
    assert reader.ended.wait(10), "the client saw its connection end"
    assert ffprobe_stream(cam.sub_url)["width"] == 640


def test_offline_refuses_then_recovers(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    cam = rig.camera("cam1")
    rig.fault("cam1", FaultKind.OFFLINE, seconds=4)
    started = time.monotonic()
    ffprobe_fails(cam.main_url)
    assert _refuses_tcp(cam.onvif_port), "ONVIF port closed while offline"
    time.sleep(max(0.0, 4.5 - (time.monotonic() - started)))
    assert ffprobe_stream(cam.main_url)["width"] == 640
    assert not _refuses_tcp(cam.onvif_port)


def test_reboot_restarts_stream(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    cam = rig.camera("cam1")
    reader = Reader(cam.main_url).start()
    reader.wait_packets(5)
    rig.fault("cam1", FaultKind.REBOOT, seconds=2)
    assert reader.ended.wait(10)
    ffprobe_fails(cam.main_url)
    time.sleep(2.2)
    after = Reader(cam.main_url).start()
    after.wait_packets(3)
    after.stop()
    assert after.packets[0].keyframe and after.packets[0].size == (640, 360)


def test_resolution_change_mid_stream(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    cam = rig.camera("cam1")
    reader = Reader(cam.main_url, decode=True).start()
    reader.wait_packets(5)
    rig.fault("cam1", FaultKind.RESOLUTION)
    reader.wait_packets(len(reader.packets) + 45)  # > one GOP (2 s at 15 fps)
    reader.stop()
    sizes = [p.size for p in reader.packets if p.size != (0, 0)]
    assert sizes[0] == (640, 360) and sizes[-1] == (960, 540)
    assert reader.ended.is_set() and not reader.error, "same connection throughout"
    assert ffprobe_stream(cam.main_url)["width"] == 960, "new clients see the new size"


def test_stall_keeps_connection_but_sends_nothing(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    reader = Reader(rig.camera("cam1").sub_url).start()
    reader.wait_packets(5)
    rig.fault("cam1", FaultKind.STALL, seconds=2.5)
    reader.wait_packets(len(reader.packets) + 10, timeout=15)
    reader.stop()
    gaps = [b.arrival - a.arrival for a, b in zip(reader.packets, reader.packets[1:], strict=False)]
    assert max(gaps) > 2.0, "no packets during the stall"
    assert not reader.error


def test_ptz_stall(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(ptz())
    reader = Reader(rig.camera("ptz1").sub_url).start()
    reader.wait_packets(3)
    rig.fault("ptz1", FaultKind.STALL, seconds=2)
    reader.wait_packets(len(reader.packets) + 5, timeout=15)
    reader.stop()
    gaps = [b.arrival - a.arrival for a, b in zip(reader.packets, reader.packets[1:], strict=False)]
    assert max(gaps) > 1.5


def test_corrupt_nal_units_upset_decoder(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    url = rig.camera("cam1").main_url
    rig.fault("cam1", FaultKind.CORRUPT, seconds=10)
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", url, "-t", "3", "-f", "null",
         "-"], capture_output=True, text=True, timeout=40, check=False,
    )  # fmt: skip
    assert out.stderr.count("\n") >= 3, f"decoder stayed quiet: {out.stderr!r}"


@pytest.mark.parametrize(
    ("kind", "sign"), [(FaultKind.JUMP_FORWARD, 1), (FaultKind.JUMP_BACKWARD, -1)]
)
def test_timestamp_jumps(make_rig: Callable[..., Rig], kind: FaultKind, sign: int) -> None:
    rig = make_rig(fixed())
    reader = Reader(rig.camera("cam1").main_url).start()
    reader.wait_packets(40)  # > 2 s of stream, so a 1.5 s jump back stays above zero
    rig.fault("cam1", kind, seconds=1.5)
    reader.wait_packets(len(reader.packets) + 15)
    reader.stop()
    dts = [p.dts for p in reader.packets if p.dts is not None]
    steps = [b - a for a, b in itertools.pairwise(dts)]
    if sign > 0:
        assert max(steps) > 1.3
    else:
        assert min(steps) < -1.3


def test_clock_offset_shows_in_onvif(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    cam = rig.camera("cam1")
    rig.fault("cam1", FaultKind.CLOCK_OFFSET, seconds=-7200)

    async def camera_skew() -> float:
        client = ONVIFCamera("127.0.0.1", cam.onvif_port, "operator", "s3cret-pass")
        try:
            dev = await client.create_devicemgmt_service()
            t = (await dev.GetSystemDateAndTime()).UTCDateTime
        finally:
            await client.close()
        from datetime import UTC, datetime

        cam_time = datetime(t.Date.Year, t.Date.Month, t.Date.Day, t.Time.Hour, t.Time.Minute,
                            t.Time.Second, tzinfo=UTC)  # fmt: skip
        return (cam_time - datetime.now(UTC)).total_seconds()

    assert -7210 < asyncio.run(camera_skew()) < -7190


def test_bad_fault_requests_refused(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed(), ptz())
    with pytest.raises(ValidationError):
        rig.fault("nope", FaultKind.DROP)
    with pytest.raises(ValidationError):
        rig.fault("ptz1", FaultKind.CORRUPT)
    with pytest.raises(ValidationError):
        rig.fault("cam1", FaultKind.STALL, seconds=-1)
