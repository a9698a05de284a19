"""ONVIF facts any camera we talk to must show, checked through onvif-zeep-async.

Each check drives one operation (or, for ContinuousMove and Stop, one pair) the way
Watchkeeper's client does, against a camera given by address and credentials, and asserts
the shape of the reply. ``test_onvif.py`` runs them against the simulator and
``test_onvif_ipycam.py`` against ipycam, an ONVIF camera no one here wrote, so the
simulator cannot drift into a dialect only our own client understands. Facts particular
to one camera (its names, tokens, the simulator's clock offset) are asserted by the tests
on the values the checks return.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import av
import pytest
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError
from zeep.exceptions import Fault

DEVICE_NS = "http://www.onvif.org/ver10/device/wsdl"
MEDIA_NS = "http://www.onvif.org/ver10/media/wsdl"
PTZ_NS = "http://www.onvif.org/ver20/ptz/wsdl"
RTSP_SETUP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}


@dataclass(frozen=True)
class Peer:
    """Where an ONVIF camera listens and the credentials it accepts."""

    host: str
    port: int
    user: str
    password: str

    def client(self, password: str | None = None) -> ONVIFCamera:
        return ONVIFCamera(self.host, self.port, self.user, password or self.password)


@asynccontextmanager
async def connected(peer: Peer) -> AsyncIterator[ONVIFCamera]:
    """A client that has found the camera's services (GetServices), closed on exit."""
    client = peer.client()
    try:
        await client.update_xaddrs()
        yield client
    finally:
        await client.close()


def _on_peer(url: str, peer: Peer, scheme: str = "http") -> None:
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname) == (scheme, peer.host), url
    assert parts.username is None and parts.password is None, "no credentials in URLs"
    if scheme == "http":
        assert parts.port == peer.port, url


async def check_services(peer: Peer, *, ptz: bool) -> dict[str, str]:
    """GetServices and GetCapabilities agree where the device, media and PTZ services are.

    Returns the service addresses by namespace.
    """
    async with connected(peer) as client:
        dev = await client.create_devicemgmt_service()
        listed = await dev.GetServices({"IncludeCapability": False})
        caps = await dev.GetCapabilities({"Category": "All"})
        if not ptz:
            with pytest.raises(ONVIFError, match="support service: ptz"):
                await client.create_ptz_service()
    services = {s.Namespace: s.XAddr for s in listed}
    wanted = [DEVICE_NS, MEDIA_NS, *([PTZ_NS] if ptz else [])]
    assert sorted(ns for ns in services if ns in (DEVICE_NS, MEDIA_NS, PTZ_NS)) == sorted(wanted)
    by_caps = {DEVICE_NS: caps.Device.XAddr, MEDIA_NS: caps.Media.XAddr}
    if caps.PTZ is not None:
        by_caps[PTZ_NS] = caps.PTZ.XAddr
    assert by_caps == {ns: services[ns] for ns in wanted}, "both ways of asking agree"
    for url in by_caps.values():
        _on_peer(url, peer)
    return by_caps


async def check_device_information(peer: Peer) -> Any:
    """GetDeviceInformation names the make, model, firmware, serial and hardware."""
    async with connected(peer) as client:
        dev = await client.create_devicemgmt_service()
        info = await dev.GetDeviceInformation()
    for field in ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId"):
        value = getattr(info, field)
        assert isinstance(value, str) and value.strip(), f"{field} is given"
    return info


async def check_clock_skew(peer: Peer) -> float:
    """GetSystemDateAndTime gives a UTC time; returns camera time minus ours, in seconds."""
    async with connected(peer) as client:
        dev = await client.create_devicemgmt_service()
        reply = await dev.GetSystemDateAndTime()
    assert reply.DateTimeType in ("Manual", "NTP")
    t = reply.UTCDateTime
    cam_time = datetime(t.Date.Year, t.Date.Month, t.Date.Day, t.Time.Hour, t.Time.Minute,
                        t.Time.Second, tzinfo=UTC)  # fmt: skip
    return (cam_time - datetime.now(UTC)).total_seconds()


async def check_profiles(peer: Peer) -> list[Any]:
    """GetProfiles lists H.264 profiles, each with its own token, size and frame rate."""
    async with connected(peer) as client:
        media = await client.create_media_service()
        profiles = list(await media.GetProfiles())
    tokens = [p.token for p in profiles]
    assert tokens and all(tokens) and len(set(tokens)) == len(tokens), tokens
    for p in profiles:
        enc = p.VideoEncoderConfiguration
        assert enc.Encoding == "H264"
        assert enc.Resolution.Width > 0 and enc.Resolution.Height > 0
        assert enc.RateControl.FrameRateLimit > 0
    return profiles


async def check_stream_uris(peer: Peer, tokens: list[str]) -> dict[str, str]:
    """GetStreamUri (RTP over RTSP) gives each profile its own rtsp:// URL on the camera."""
    async with connected(peer) as client:
        media = await client.create_media_service()
        uris = {}
        for token in tokens:
            reply = await media.GetStreamUri({"StreamSetup": RTSP_SETUP, "ProfileToken": token})
            uris[token] = reply.Uri
    for uri in uris.values():
        _on_peer(uri, peer, scheme="rtsp")
    assert len(set(uris.values())) == len(tokens), "one stream per profile"
    return uris


def _decoded_size(jpeg: bytes) -> tuple[int, int]:
    assert jpeg[:2] == b"\xff\xd8", "a JPEG"
    with av.open(io.BytesIO(jpeg), mode="r") as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height


async def check_snapshot(peer: Peer, token: str, *, basic_auth: bool = False) -> tuple[int, int]:
    """GetSnapshotUri, then that URL, gives a decodable JPEG; a wrong password gets none.

    Returns the picture's size. ``basic_auth`` picks HTTP Basic over the client's default
    Digest, as a user does for cameras that only know Basic.
    """
    bad = peer.client("wrong")
    try:
        async with connected(peer) as client:
            jpeg = await client.get_snapshot(token, basic_auth=basic_auth)
            assert jpeg is not None, "a snapshot"
            uri = await client.get_snapshot_uri(token)
        assert uri is not None
        _on_peer(uri, peer)
        # With a wrong password GetSnapshotUri itself is refused, so give the URL directly.
        bad._snapshot_uris[token] = uri
        with pytest.raises(ONVIFError):
            await bad.get_snapshot(token, basic_auth=basic_auth)
    finally:
        await bad.close()
    return _decoded_size(jpeg)


async def check_wrong_password_refused(peer: Peer) -> None:
    """A request signed with a wrong password is answered with a not-authorized fault."""
    client = peer.client("wrong")
    try:
        dev = await client.create_devicemgmt_service()
        with pytest.raises(Fault, match="not authorized"):
            await dev.GetDeviceInformation()
    finally:
        await client.close()


async def check_ptz_nodes(peer: Peer) -> Any:
    """GetNodes: a node with home support and generic position and velocity spaces, which
    the PTZ-capable profiles refer to. Returns the first node."""
    async with connected(peer) as client:
        ptz = await client.create_ptz_service()
        nodes = await ptz.GetNodes()
        media = await client.create_media_service()
        profiles = await media.GetProfiles()
    node = nodes[0]
    assert node.token and node.HomeSupported is True
    spaces = node.SupportedPTZSpaces
    for space in (spaces.AbsolutePanTiltPositionSpace, spaces.ContinuousPanTiltVelocitySpace):
        assert space[0].URI.endswith("GenericSpace")
        assert (space[0].XRange.Min, space[0].XRange.Max) == (-1, 1)
    referred = {p.PTZConfiguration.NodeToken for p in profiles if p.PTZConfiguration}
    assert referred == {node.token}, "profiles steer this node"
    return node


@dataclass(frozen=True)
class PtzReading:
    pan: float
    tilt: float
    zoom: float
    moving: bool

    @property
    def position(self) -> tuple[float, float, float]:
        return self.pan, self.tilt, self.zoom


PtzProbe = Callable[[Any], Awaitable[PtzReading]]
"""Reads where a head is. It is given the check's PTZ service: cameras whose GetStatus
onvif-zeep-async can parse are read through it (``status_probe``); others are read
however their own code allows."""


def status_probe(token: str) -> PtzProbe:
    """Reads the head through ONVIF GetStatus."""

    async def read(service: Any) -> PtzReading:
        st = await service.GetStatus({"ProfileToken": token})
        p = st.Position
        moving = st.MoveStatus.PanTilt != "IDLE"
        return PtzReading(p.PanTilt.x, p.PanTilt.y, p.Zoom.x, moving)

    return read


async def settle(service: Any, probe: PtzProbe, timeout: float = 8.0) -> PtzReading:
    """Waits until the head stops; returns where it stopped."""
    deadline = time.monotonic() + timeout
    while (reading := await probe(service)).moving:
        assert time.monotonic() < deadline, "PTZ never stopped"
        await asyncio.sleep(0.2)
    return reading


@asynccontextmanager
async def _ptz(peer: Peer) -> AsyncIterator[Any]:
    async with connected(peer) as client:
        yield await client.create_ptz_service()


async def check_continuous_move_and_stop(peer: Peer, token: str, probe: PtzProbe) -> PtzReading:
    """ContinuousMove pans at a realistic speed until Stop, and the head stays put after."""
    async with _ptz(peer) as svc:
        start = await settle(svc, probe)
        await svc.ContinuousMove({"ProfileToken": token,
                                  "Velocity": {"PanTilt": {"x": 1.0, "y": 0.0}}})  # fmt: skip
        await asyncio.sleep(0.6)
        assert (await probe(svc)).moving, "moving while told to"
        await svc.Stop({"ProfileToken": token, "PanTilt": True, "Zoom": True})
        stopped = await probe(svc)
        assert not stopped.moving
        assert 0.3 < stopped.pan - start.pan < 0.8, "moved right at a realistic speed"
        assert stopped.tilt == start.tilt and stopped.zoom == start.zoom
        await asyncio.sleep(0.3)
        assert (await probe(svc)).position == pytest.approx(stopped.position, abs=1e-6)
    return stopped


async def check_absolute_move(
    peer: Peer, token: str, probe: PtzProbe, target: tuple[float, float, float]
) -> PtzReading:
    """AbsoluteMove takes pan, tilt and zoom to the given generic position."""
    pan, tilt, zoom = target
    async with _ptz(peer) as svc:
        await svc.AbsoluteMove({"ProfileToken": token, "Position": {
            "PanTilt": {"x": pan, "y": tilt}, "Zoom": {"x": zoom}}})  # fmt: skip
        reached = await settle(svc, probe)
    assert reached.position == pytest.approx(target, abs=1e-3)
    return reached


async def check_relative_move(peer: Peer, token: str, probe: PtzProbe, pan: float) -> PtzReading:
    """RelativeMove pans by the given amount and leaves tilt and zoom alone."""
    async with _ptz(peer) as svc:
        before = await settle(svc, probe)
        await svc.RelativeMove({"ProfileToken": token,
                                "Translation": {"PanTilt": {"x": pan, "y": 0.0}}})  # fmt: skip
        after = await settle(svc, probe)
    expected = (before.pan + pan, before.tilt, before.zoom)
    assert after.position == pytest.approx(expected, abs=1e-3)
    return after


async def check_goto_home(peer: Peer, token: str, probe: PtzProbe) -> None:
    """GotoHomePosition returns the head to the centre, zoomed out."""
    async with _ptz(peer) as svc:
        await svc.GotoHomePosition({"ProfileToken": token})
        assert (await settle(svc, probe)).position == pytest.approx((0, 0, 0), abs=1e-3)
