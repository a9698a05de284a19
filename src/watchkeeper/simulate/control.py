"""The rig's control endpoint: faults and status over HTTP, for the CLI and for tests.

``POST /faults`` with ``{"camera": "cam1", "kind": "stall", "seconds": 5}``;
``GET /status`` returns the cameras and their URLs; ``GET /ptz-commands/CAMERA`` the
arrival times of a PTZ camera's recent ContinuousMove and Stop requests (benchmarks);
``POST /privacy-masks`` sets a PTZ camera's own privacy masks (as its web page would).
HTTP Basic with the rig's credentials: an unauthenticated port that can take cameras
offline would be a gift to an attacker.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from watchkeeper.errors import ValidationError
from watchkeeper.simulate.faults import FaultKind, FaultRequest
from watchkeeper.simulate.httpbase import HttpAuth, SwitchableServer

if TYPE_CHECKING:
    from watchkeeper.simulate.server import RigServer

__all__ = ["start_control"]


class _Handler(BaseHTTPRequestHandler):
    server_version = "WatchkeeperSim/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="watchkeeper-sim"')
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        auth: HttpAuth = self.server.context["auth"]  # type: ignore[attr-defined]
        if auth.check(self.headers.get("Authorization"), self.command):
            return True
        self._reply(401, {"error": "authentication required"})
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        rig: RigServer = self.server.context["rig"]  # type: ignore[attr-defined]
        if self.path == "/status":
            self._reply(200, rig.describe())
        elif self.path.startswith("/ptz-commands/"):
            cam = rig.cameras.get(self.path.rsplit("/", 1)[1])
            if cam is None or cam.head is None:
                self._reply(404, {"error": "no such PTZ camera"})
            else:
                self._reply(200, {"commands": list(cam.head.commands)})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        if not self._authorised():
            return
        if self.path == "/privacy-masks":
            self._privacy_masks()
            return
        if self.path != "/faults":
            self._reply(404, {"error": "not found"})
            return
        rig: RigServer = self.server.context["rig"]  # type: ignore[attr-defined]
        try:
            data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            request = FaultRequest(
                camera=str(data["camera"]),
                kind=FaultKind(data["kind"]),
                seconds=None if data.get("seconds") is None else float(data["seconds"]),
            )
            result = rig.on_loop(lambda: rig.apply_fault(request))
            rig.close_onvif_for(request)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            self._reply(422, {"error": str(exc)})
            return
        self._reply(200, result)

    def _privacy_masks(self) -> None:
        """``{"camera": "cam2", "masks": [[u0, v0, u1, v1], ...]}``: the camera's own masks."""
        rig: RigServer = self.server.context["rig"]  # type: ignore[attr-defined]
        try:
            data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            cam = rig.cameras[str(data["camera"])]
            if cam.head is None:
                raise ValueError("a fixed camera has no PTZ masks here")
            masks = tuple((float(a), float(b), float(c), float(d)) for a, b, c, d in data["masks"])
        except (ValueError, KeyError, TypeError) as exc:
            self._reply(422, {"error": str(exc)})
            return
        cam.head.privacy_masks = masks
        self._reply(200, {"masks": [list(m) for m in masks]})


def start_control(rig: RigServer, port: int) -> SwitchableServer:
    server = SwitchableServer(rig.config.host, port, _Handler)
    server.context.update(rig=rig, auth=HttpAuth(rig.config.user, rig.config.password))
    bound = server.start()
    rig.control_url = f"http://{rig.config.host}:{bound}"
    return server
