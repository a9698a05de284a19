"""The simulator's ONVIF checks, run against ipycam: an ONVIF camera no one here wrote.

``onvif_checks`` holds one check per operation; ``test_onvif.py`` runs them against the
simulator and this module runs the same client calls against ipycam (pinned in the
``dev`` extra: its quirks are what we test against), so both must show the same facts.

How ipycam runs here. ``IPCamera.start()`` would answer WS-Discovery on the fixed UDP
port 3702, probe for go2rtc, start ffmpeg RTSP encoders and an MJPEG server. None of that
is ONVIF, so the camera is built but not started: its constructor makes the real ONVIF
service and digital PTZ controller, and ipycam's own HTTP handler (the one ``start()``
serves ONVIF, snapshots and its web UI with) listens on a free loopback port. One frame is
streamed into it so its snapshot has a picture. Nothing binds a fixed port and nothing
runs in a subprocess, so the module takes about 2 s and runs in any xdist worker beside
any other test. ipycam installs with its declared needs (numpy, opencv-python) by plain
``pip install -e '.[dev]'``; importing it imports both, as its package ``__init__`` pulls
in every part.

Driven against ipycam: GetServices and GetCapabilities (service discovery),
GetDeviceInformation, GetSystemDateAndTime, GetProfiles, GetStreamUri, GetSnapshotUri
and the snapshot itself (HTTP Basic only: ipycam has no Digest), a wrong password refused,
PTZ GetNodes, ContinuousMove + Stop, AbsoluteMove, RelativeMove, GotoHomePosition.

Not driven, because ipycam 1.3.0 gets them wrong: GetStatus, GetConfigurations,
GetPresets and SetPreset answer with element prefixes (``ptz:``, ``tptz:``) its envelope
never declares, which zeep rejects as invalid tag names; GotoPreset therefore has no
preset token to go to, and RemovePreset is not implemented. Since GetStatus is unusable,
the PTZ checks read ipycam's head position from its own PTZ controller instead.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from tests.simulate.onvif_checks import (
    MEDIA_NS,
    Peer,
    PtzReading,
    check_absolute_move,
    check_clock_skew,
    check_continuous_move_and_stop,
    check_device_information,
    check_goto_home,
    check_profiles,
    check_ptz_nodes,
    check_relative_move,
    check_services,
    check_snapshot,
    check_stream_uris,
    check_wrong_password_refused,
)

USER, PASSWORD = "operator", "s3cret-pass"
MAIN, SUB = "Profile_Main", "Profile_Sub"


def _ipycam() -> ModuleType:
    """ipycam, or a skip when it is missing; under CI a missing ipycam fails the run."""
    try:
        return importlib.import_module("ipycam")
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"ipycam missing under CI: {exc}", pytrace=False)
        pytest.skip(f"ipycam not installed ({exc}): pip install -e '.[dev]'")


@dataclass
class IpyCam:
    peer: Peer
    camera: Any  # ipycam.IPCamera

    async def read_head(self, _service: Any) -> PtzReading:
        """Where ipycam's head is, from its PTZ controller (its GetStatus reply is unusable)."""
        s = self.camera.ptz.get_status()
        return PtzReading(s["pan"], s["tilt"], s["zoom"], bool(s["moving"]))


@pytest.fixture(scope="module")
def ipy() -> Iterator[IpyCam]:
    ipycam = _ipycam()
    import numpy as np
    from ipycam.camera import ReusableThreadingTCPServer

    server = ReusableThreadingTCPServer(("127.0.0.1", 0), ipycam.IPCameraHTTPHandler)
    port = server.server_address[1]
    config = ipycam.CameraConfig(
        name="interop", manufacturer="Interop Test", model="IPY-1", serial_number="SN-42",
        local_ip="127.0.0.1", onvif_port=port, username=USER, password=PASSWORD,
        main_width=640, main_height=360, main_fps=15, sub_width=320, sub_height=180,
    )  # fmt: skip
    camera = ipycam.IPCamera(config)
    # ipycam hands its handler the camera through a class attribute; a subclass per
    # camera keeps that from leaking between cameras in one process.
    server.RequestHandlerClass = type(
        "InteropHandler", (ipycam.IPCameraHTTPHandler,), {"camera": camera}
    )
    ramp = np.tile(np.arange(640, dtype=np.uint16) * 255 // 639, (360, 1)).astype(np.uint8)
    camera.stream(np.dstack([ramp, ramp[::-1], np.full_like(ramp, 90)]))
    thread = threading.Thread(target=server.serve_forever, name="ipycam-http", daemon=True)
    thread.start()
    try:
        yield IpyCam(Peer("127.0.0.1", port, USER, PASSWORD), camera)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        camera.stop()  # its PTZ movement thread and (idle) recorder


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_services_device_and_clock(ipy: IpyCam) -> None:
    xaddrs = _run(check_services(ipy.peer, ptz=True))
    assert xaddrs[MEDIA_NS].endswith("/onvif/media_service")
    info = _run(check_device_information(ipy.peer))
    assert (info.Manufacturer, info.Model, info.SerialNumber) == (
        "Interop Test", "IPY-1", "SN-42"), "the configured identity"  # fmt: skip
    assert abs(_run(check_clock_skew(ipy.peer))) < 5, "ipycam's clock is ours"


def test_profiles_streams_and_snapshot(ipy: IpyCam) -> None:
    profiles = _run(check_profiles(ipy.peer))
    assert [p.token for p in profiles] == [MAIN, SUB]
    sizes = [(p.VideoEncoderConfiguration.Resolution.Width,
              p.VideoEncoderConfiguration.Resolution.Height) for p in profiles]  # fmt: skip
    assert sizes == [(640, 360), (320, 180)], "the configured sizes"
    uris = _run(check_stream_uris(ipy.peer, [MAIN, SUB]))
    assert uris[MAIN].endswith("/video_main") and uris[SUB].endswith("/video_sub")
    assert _run(check_snapshot(ipy.peer, MAIN, basic_auth=True)) == (640, 360)


def test_wrong_password_refused(ipy: IpyCam) -> None:
    _run(check_wrong_password_refused(ipy.peer))


def test_ptz_moves(ipy: IpyCam) -> None:
    probe = ipy.read_head

    async def go() -> None:
        await check_ptz_nodes(ipy.peer)
        await check_goto_home(ipy.peer, MAIN, probe)
        await check_continuous_move_and_stop(ipy.peer, MAIN, probe)
        await check_absolute_move(ipy.peer, MAIN, probe, (-0.8, 0.5, 0.6))
        assert (await check_relative_move(ipy.peer, MAIN, probe, 0.2)).pan == pytest.approx(-0.6)
        await check_goto_home(ipy.peer, MAIN, probe)

    _run(go())
