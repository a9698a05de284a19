"""A camera's ONVIF service: Device, Media and (for PTZ cameras) PTZ over HTTP SOAP.

One HTTP server per camera, as on a real network where each camera has its own address;
it stops listening while the camera is offline or rebooting. Requests must carry a
WS-Security UsernameToken (PasswordDigest, or PasswordText); only GetSystemDateAndTime is
open, as ONVIF requires, so a client can correct its clock before signing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from lxml import etree

from watchkeeper.simulate import onvif_xml as x
from watchkeeper.simulate.httpbase import HttpAuth, SwitchableServer
from watchkeeper.simulate.ptz import Position

if TYPE_CHECKING:
    from watchkeeper.simulate.server import CameraRuntime, RigServer

__all__ = ["start_onvif"]

_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_OPEN = {"GetSystemDateAndTime"}


class SoapFault(Exception):
    def __init__(self, subcode: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.subcode, self.reason, self.status = subcode, reason, status


def _find(el: Any, *path: str) -> Any:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if etree.QName(c).localname == name), None)
    return el


def _text(el: Any, *path: str) -> str | None:
    found = _find(el, *path)
    return None if found is None or found.text is None else str(found.text).strip()


def _vector(el: Any) -> tuple[float | None, float | None, float | None]:
    """(pan, tilt, zoom) from a PTZVector/PTZSpeed element; absent axes are None."""
    pt, z = _find(el, "PanTilt"), _find(el, "Zoom")
    pan = float(pt.get("x")) if pt is not None and pt.get("x") is not None else None
    tilt = float(pt.get("y")) if pt is not None and pt.get("y") is not None else None
    zoom = float(z.get("x")) if z is not None and z.get("x") is not None else None
    return pan, tilt, zoom


def _duration(text: str | None) -> float | None:
    """Seconds of a simple xs:duration such as PT5S or PT1.5S."""
    if not text or not text.startswith("PT"):
        return None
    total, num = 0.0, ""
    for ch in text[2:]:
        if ch.isdigit() or ch == ".":
            num += ch
        else:
            total += float(num or 0) * {"H": 3600, "M": 60, "S": 1}.get(ch, 0)
            num = ""
    return total


def check_username_token(header: Any, user: str, password: str) -> bool:
    token = _find(header, "Security", "UsernameToken")
    if token is None or _text(token, "Username") != user:
        return False
    pw = _find(token, "Password")
    if pw is None or pw.text is None:
        return False
    given = pw.text.strip()
    if (pw.get("Type") or "").endswith("#PasswordText"):
        return hmac.compare_digest(given, password)
    nonce_b64, created = _text(token, "Nonce") or "", _text(token, "Created") or ""
    try:
        nonce = base64.b64decode(nonce_b64)
    except ValueError:
        return False
    digest = hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False)
    return hmac.compare_digest(base64.b64encode(digest.digest()).decode(), given)


class _Handler(BaseHTTPRequestHandler):
    server_version = "WatchkeeperSim/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def rig(self) -> RigServer:
        return self.server.context["rig"]  # type: ignore[attr-defined,no-any-return]

    @property
    def cam(self) -> CameraRuntime:
        return self.server.context["camera"]  # type: ignore[attr-defined,no-any-return]

    def _send(
        self, status: int, body: bytes, ctype: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != "/onvif/snapshot.jpg":
            self._send(404, b"not found", "text/plain")
            return
        auth: HttpAuth = self.server.context["http_auth"]  # type: ignore[attr-defined]
        if not auth.check(self.headers.get("Authorization"), "GET"):
            self._send(
                401, b"", "text/plain", tuple(("WWW-Authenticate", c) for c in auth.challenge())
            )
            return
        self._send(200, self.cam.snapshot(), "image/jpeg")

    def do_POST(self) -> None:
        self.arrived_us = time.time_ns() // 1000
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1 << 20))
        ctype = "application/soap+xml; charset=utf-8"
        try:
            body = self._dispatch(raw)
            self._send(200, x.envelope(body).encode(), ctype)
        except SoapFault as f:
            self._send(f.status, x.fault(f.subcode, f.reason).encode(), ctype)

    def _dispatch(self, raw: bytes) -> str:
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise SoapFault("WellFormed", f"bad XML: {exc}") from exc
        body = _find(root, "Body")
        if body is None or len(body) == 0:
            raise SoapFault("WellFormed", "no SOAP body")
        req = body[0]
        op = etree.QName(req).localname
        rig, cam = self.rig, self.cam
        if op not in _OPEN and not check_username_token(
            _find(root, "Header"), rig.config.user, rig.config.password
        ):
            raise SoapFault("NotAuthorized", "Sender not authorized")
        handler = getattr(self, f"op_{op}", None)
        if handler is None or (cam.head is None and etree.QName(req).namespace == x.NS["tptz"]):
            raise SoapFault("ActionNotSupported", f"{op} is not supported")
        return str(handler(req))

    # -- device -----------------------------------------------------------------------------
    def _base(self) -> str:
        port = self.server.server_address[1]  # type: ignore[index]
        return f"http://{self.rig.config.host}:{port}"

    def op_GetDeviceInformation(self, _req: Any) -> str:
        return x.device_information(self.cam.spec.name)

    def op_GetCapabilities(self, _req: Any) -> str:
        return x.capabilities(self._base(), self.cam.head is not None)

    def op_GetServices(self, _req: Any) -> str:
        return x.services(self._base(), self.cam.head is not None)

    def op_GetSystemDateAndTime(self, _req: Any) -> str:
        offset = self.cam.state.clock_offset_s
        return x.date_and_time(time.time_ns() // 1000 + int(offset * 1e6))

    # -- media ------------------------------------------------------------------------------
    def _profiles(self) -> list[x.Profile]:
        spec = self.cam.spec
        out = []
        for token, kbps in (("main", spec.main_kbps), ("sub", spec.sub_kbps)):
            w, h, fps = self.cam.stream_size(token)
            out.append(x.Profile(token, w, h, fps, kbps, max(1, round(spec.gop_seconds * fps))))
        return out

    def op_GetProfiles(self, _req: Any) -> str:
        w, h, _ = self.cam.stream_size("main")
        return x.profiles(self._profiles(), w, h, self.cam.head is not None)

    def _profile_token(self, req: Any) -> str:
        token = _text(req, "ProfileToken") or ""
        if token not in ("main", "sub"):
            raise SoapFault("NoProfile", f"no profile {token!r}")
        return token

    def op_GetStreamUri(self, req: Any) -> str:
        token = self._profile_token(req)
        c = self.rig.config
        uri = f"rtsp://{c.host}:{self.rig.rtsp_port}/{self.cam.spec.name}/{token}"
        return x.media_uri("GetStreamUri", uri)

    def op_GetSnapshotUri(self, req: Any) -> str:
        token = self._profile_token(req)
        return x.media_uri("GetSnapshotUri", f"{self._base()}/onvif/snapshot.jpg?profile={token}")

    # -- PTZ --------------------------------------------------------------------------------
    def _head(self) -> Any:
        return self.cam.head

    def op_GetNodes(self, _req: Any) -> str:
        return x.nodes()

    def op_GetConfigurations(self, _req: Any) -> str:
        return x.ptz_configurations()

    def op_GetStatus(self, _req: Any) -> str:
        head = self._head()
        utc = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return x.ptz_status(head.position(), head.moving(), utc)

    def op_ContinuousMove(self, req: Any) -> str:
        pan, tilt, zoom = _vector(_find(req, "Velocity"))
        timeout = _duration(_text(req, "Timeout"))
        self._head().continuous_move(pan or 0.0, tilt or 0.0, zoom or 0.0, timeout)
        self._head().log_command("ContinuousMove", self.arrived_us)
        return "<tptz:ContinuousMoveResponse/>"

    def _speed(self, req: Any) -> float:
        pan, _tilt, zoom = _vector(_find(req, "Speed"))
        return pan if pan is not None else (zoom if zoom is not None else 1.0)

    def op_AbsoluteMove(self, req: Any) -> str:
        head = self._head()
        here = head.position()
        pan, tilt, zoom = _vector(_find(req, "Position"))
        target = Position(
            here.pan if pan is None else pan,
            here.tilt if tilt is None else tilt,
            here.zoom if zoom is None else zoom,
        )
        head.absolute_move(target, self._speed(req))
        return "<tptz:AbsoluteMoveResponse/>"

    def op_RelativeMove(self, req: Any) -> str:
        pan, tilt, zoom = _vector(_find(req, "Translation"))
        self._head().relative_move(Position(pan or 0.0, tilt or 0.0, zoom or 0.0), self._speed(req))
        return "<tptz:RelativeMoveResponse/>"

    def op_Stop(self, _req: Any) -> str:
        self._head().stop()
        self._head().log_command("Stop", self.arrived_us)
        return "<tptz:StopResponse/>"

    def op_GetPresets(self, _req: Any) -> str:
        return x.presets(dict(self._head().presets))

    def op_SetPreset(self, req: Any) -> str:
        token = self._head().set_preset(_text(req, "PresetName") or "", _text(req, "PresetToken"))
        inner = f"<tptz:PresetToken>{token}</tptz:PresetToken>"
        return f"<tptz:SetPresetResponse>{inner}</tptz:SetPresetResponse>"

    def op_GotoPreset(self, req: Any) -> str:
        head = self._head()
        token = _text(req, "PresetToken") or ""
        if token not in head.presets:
            raise SoapFault("NoToken", f"no preset {token!r}")
        head.absolute_move(head.presets[token][1], self._speed(req))
        return "<tptz:GotoPresetResponse/>"

    def op_RemovePreset(self, req: Any) -> str:
        if not self._head().remove_preset(_text(req, "PresetToken") or ""):
            raise SoapFault("NoToken", "no such preset")
        return "<tptz:RemovePresetResponse/>"

    def op_GotoHomePosition(self, req: Any) -> str:
        self._head().absolute_move(Position(), self._speed(req))
        return "<tptz:GotoHomePositionResponse/>"


def start_onvif(rig: RigServer, cam: CameraRuntime, port: int) -> SwitchableServer:
    """Start the camera's ONVIF server; sets ``cam.onvif_url``."""
    server = SwitchableServer(rig.config.host, port, _Handler)
    server.context.update(
        rig=rig, camera=cam, http_auth=HttpAuth(rig.config.user, rig.config.password)
    )
    bound = server.start()
    server.camera = cam  # type: ignore[attr-defined]
    cam.onvif_url = f"http://{rig.config.host}:{bound}/onvif/device_service"
    return server
