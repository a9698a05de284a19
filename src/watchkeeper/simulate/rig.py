"""``Rig``: start a rig of simulated cameras in a child process and drive it from Python.

This is what tests, benchmarks and the demo use::

    with Rig(RigConfig(rtsp_port=0, onvif_port=0, control_port=0,
                       cameras=default_cameras(2, 1))) as rig:
        url = rig.camera("cam1").main_url
        rig.fault("cam1", FaultKind.STALL, seconds=3)

The rig runs in its own process (``python -m watchkeeper.simulate``) so GStreamer never
shares a process with the code under test, and its CPU use can be measured on its own.
Port 0 everywhere gives free ports, so rigs in parallel test workers do not collide.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import watchkeeper
from watchkeeper.errors import MediaError, NotFound, ValidationError
from watchkeeper.simulate.config import RigConfig
from watchkeeper.simulate.faults import FaultKind
from watchkeeper.simulate.footage import ensure_footage

__all__ = ["Rig", "RigCamera", "send_fault"]


@dataclass(frozen=True)
class RigCamera:
    """Addresses of one running simulated camera (RTSP URLs carry the credentials)."""

    name: str
    kind: str
    main_url: str
    sub_url: str
    onvif_url: str

    @property
    def onvif_port(self) -> int:
        return int(urlparse(self.onvif_url).port or 80)


def send_fault(
    control_url: str, user: str, password: str, camera: str, kind: FaultKind | str,
    seconds: float | None = None, timeout: float = 15.0,
) -> dict[str, Any]:  # fmt: skip
    """POST a fault to a rig's control endpoint; raises ValidationError if it is refused."""
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    body = json.dumps({"camera": camera, "kind": str(FaultKind(kind)), "seconds": seconds})
    req = urllib.request.Request(  # noqa: S310 - the URL is the rig's own http endpoint
        f"{control_url}/faults", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": f"Basic {basic}"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return dict(json.loads(resp.read()))
    except urllib.error.HTTPError as exc:
        raise ValidationError(f"fault refused ({exc.code}): {exc.read().decode()}") from exc
    except urllib.error.URLError as exc:
        raise MediaError(f"rig control endpoint {control_url} unreachable: {exc.reason}") from exc


class Rig:
    """A running rig; a context manager that stops it cleanly on exit."""

    def __init__(self, config: RigConfig, start_timeout: float = 60.0) -> None:
        self.config = config
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.cameras: list[RigCamera] = []
        self.control_url = ""
        self.rtsp_port = 0

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise MediaError("rig not started")
        return self._proc.pid

    def start(self) -> Rig:
        ensure_footage(self.config)  # here, so a slow first encode cannot time the child out
        self._tmp = tempfile.TemporaryDirectory(prefix="wk-rig-")
        tmp = Path(self._tmp.name)
        (tmp / "rig.json").write_text(self.config.model_dump_json(), encoding="utf-8")
        ready = tmp / "ready.json"
        env = dict(os.environ)
        src = str(Path(watchkeeper.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        with open(tmp / "rig.log", "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "watchkeeper.simulate", str(tmp / "rig.json"), str(ready)],
                stdout=subprocess.DEVNULL, stderr=log, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + self._start_timeout
        while not ready.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                tail = (tmp / "rig.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise MediaError(f"simulated camera rig did not start:\n{tail}")
            time.sleep(0.05)
        info = json.loads(ready.read_text(encoding="utf-8"))
        self.control_url = info["control"]
        self.rtsp_port = int(info["rtsp_port"])
        self.cameras = [
            RigCamera(c["name"], c["kind"], c["main"], c["sub"], c["onvif"])
            for c in info["cameras"]
        ]
        return self

    def camera(self, name: str) -> RigCamera:
        for cam in self.cameras:
            if cam.name == name:
                return cam
        raise NotFound(f"no simulated camera named {name!r}")

    def fault(
        self, camera: str, kind: FaultKind | str, seconds: float | None = None
    ) -> dict[str, Any]:
        """Make ``camera`` misbehave now (see :class:`FaultKind` for what each kind does)."""
        c = self.config
        return send_fault(self.control_url, c.user, c.password, camera, kind, seconds)

    def ptz_commands(self, camera: str) -> list[tuple[str, int]]:
        """(operation, UTC µs of arrival) of the PTZ camera's recent moves and stops."""
        basic = base64.b64encode(f"{self.config.user}:{self.config.password}".encode()).decode()
        req = urllib.request.Request(  # noqa: S310 - the rig's own http endpoint
            f"{self.control_url}/ptz-commands/{camera}", headers={"Authorization": f"Basic {basic}"}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                return [(str(op), int(at)) for op, at in json.loads(resp.read())["commands"]]
        except urllib.error.HTTPError as exc:
            raise NotFound(f"no simulated PTZ camera named {camera!r}") from exc

    def set_privacy_masks(
        self, camera: str, masks: list[tuple[float, float, float, float]]
    ) -> None:
        """Give a PTZ camera its own privacy masks: (u0, v0, u1, v1) of its whole scene."""
        basic = base64.b64encode(f"{self.config.user}:{self.config.password}".encode()).decode()
        body = json.dumps({"camera": camera, "masks": [list(m) for m in masks]}).encode()
        req = urllib.request.Request(  # noqa: S310 - the rig's own http endpoint
            f"{self.control_url}/privacy-masks", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Basic {basic}"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=10):  # noqa: S310
                pass
        except urllib.error.HTTPError as exc:
            raise ValidationError(f"masks refused: {exc.read().decode()}") from exc

    def log(self) -> str:
        if self._tmp is None:
            return ""
        path = Path(self._tmp.name) / "rig.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Rig:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
