"""Composition root of the rig process: builds cameras from a RigConfig and runs them.

Order: footage (made if missing), camera states, RTSP mounts, ONVIF services, control
endpoint; then the GLib main loop runs until SIGINT/SIGTERM. Everything that touches
GStreamer happens on the main-loop thread; HTTP threads hand work over with ``idle_add``.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from watchkeeper.errors import ValidationError
from watchkeeper.simulate._gi import GLib, Gst
from watchkeeper.simulate.config import RESOLUTIONS, CameraSpec, RigConfig
from watchkeeper.simulate.faults import PTZ_FAULTS, VIEWS, CameraState, FaultKind, FaultRequest
from watchkeeper.simulate.feed import ClipFeed, ClipLibrary
from watchkeeper.simulate.footage import (
    cache_dir,
    clips_for,
    ensure_clip,
    ensure_footage,
    ensure_panorama,
    ensure_snapshot,
)
from watchkeeper.simulate.ptz import PtzHead
from watchkeeper.simulate.ptzrender import PtzStream, build_ptz_bin, render_snapshot
from watchkeeper.simulate.rtsp import MediaHook, RtspService

__all__ = ["CameraRuntime", "RigServer"]

T = TypeVar("T")


@dataclass
class CameraRuntime:
    """Everything the rig holds for one camera; shared with its ONVIF service."""

    spec: CameraSpec
    state: CameraState
    main_url: str = ""
    sub_url: str = ""
    onvif_url: str = ""
    head: PtzHead | None = None
    snapshot: Callable[[], bytes] = field(default=lambda: b"")

    def stream_size(self, stream: str) -> tuple[int, int, int]:
        s = self.spec
        if stream == "main":
            return (*RESOLUTIONS[s.main], s.main_fps)
        return (*RESOLUTIONS[s.sub], s.sub_fps)


class RigServer:
    """The rig inside its own process (see :class:`watchkeeper.simulate.rig.Rig`)."""

    def __init__(self, config: RigConfig) -> None:
        Gst.init(None)
        self.config = config
        self.cameras: dict[str, CameraRuntime] = {}
        self._loop = GLib.MainLoop()
        self._library = ClipLibrary()
        self._rtsp = RtspService(
            config.host, config.rtsp_port, config.user, config.password, config.auth
        )
        self._http: list[Any] = []
        self.rtsp_port = 0
        self.control_url = ""

    # -- building -------------------------------------------------------------------------
    def build(self) -> None:
        ensure_footage(self.config)
        root = cache_dir(self.config)
        for spec in self.config.cameras:
            state = CameraState(boot_at=time.monotonic(), clock_offset_s=spec.clock_offset_s)
            cam = CameraRuntime(spec, state)
            if spec.kind == "ptz":
                self._add_ptz(cam, ensure_panorama(root))
            else:
                self._add_fixed(cam, root)
            self.cameras[spec.name] = cam

    def _add_fixed(self, cam: CameraRuntime, root: Path) -> None:
        main, alt, sub = clips_for(cam.spec, self.config.footage_seconds)
        lib = self._library
        clips = {
            "main": (lib.load(ensure_clip(main, root), main.fps),
                     lib.load(ensure_clip(alt, root), alt.fps)),
            "sub": (lib.load(ensure_clip(sub, root), sub.fps), None),
        }  # fmt: skip
        snap = ensure_snapshot(main, root)
        cam.snapshot = snap.read_bytes
        caps = "video/x-h264,stream-format=byte-stream,alignment=au"
        desc = f'appsrc name=src is-live=true format=time caps="{caps}" ! h264parse ' + (
            "! rtph264pay name=pay0 pt=96 config-interval=-1"
        )
        streams: dict[str, tuple[Callable[[], Gst.Element], MediaHook | None]] = {}
        views: dict[str, dict[str, Any]] = {"main": {}, "sub": {}}
        if cam.spec.tamper_views:  # encoded only for cameras that ask: a minute each
            for view in VIEWS:
                for name, spec in (("main", main), ("sub", sub)):
                    tampered = replace(spec, view=view.value)
                    views[name][view.value] = lib.load(ensure_clip(tampered, root), spec.fps)
        for name, (clip, alternate) in clips.items():

            def hook(
                element: Gst.Element, c: Any = clip, a: Any = alternate, v: Any = views[name]
            ) -> Callable[[], None]:
                feed = ClipFeed(element.get_by_name("src"), cam.state, c, a, v)
                return feed.stop

            streams[name] = (lambda: Gst.parse_bin_from_description(desc, False), hook)
        self._rtsp.add_camera(
            cam.spec.name, cam.state, streams, udp_only=cam.spec.transport == "udp"
        )

    def _add_ptz(self, cam: CameraRuntime, panorama: Path) -> None:
        head = PtzHead()
        cam.head = head
        spec = cam.spec
        streams: dict[str, tuple[Callable[[], Gst.Element], MediaHook | None]] = {}
        for name in ("main", "sub"):
            w, h, fps = cam.stream_size(name)
            kbps = spec.main_kbps if name == "main" else spec.sub_kbps
            ps = PtzStream(spec.name, w, h, fps, kbps, max(1, round(spec.gop_seconds * fps)))

            def make(ps: PtzStream = ps) -> Gst.Element:
                return build_ptz_bin(panorama, ps, head, cam.state)

            streams[name] = (make, None)
        sw, sh, _ = cam.stream_size("sub")
        cam.snapshot = lambda: render_snapshot(panorama, head, sw, sh)
        self._rtsp.add_camera(spec.name, cam.state, streams, udp_only=spec.transport == "udp")

    # -- running --------------------------------------------------------------------------
    def start(self) -> None:
        from watchkeeper.simulate.control import start_control
        from watchkeeper.simulate.onvif import start_onvif

        self.rtsp_port = self._rtsp.start()
        c = self.config
        auth = f"{quote(c.user, safe='')}:{quote(c.password, safe='')}@"
        for i, cam in enumerate(self.cameras.values()):
            base = f"rtsp://{auth}{c.host}:{self.rtsp_port}/{cam.spec.name}"
            cam.main_url, cam.sub_url = f"{base}/main", f"{base}/sub"
            if cam.spec.onvif:
                port = 0 if c.onvif_port == 0 else c.onvif_port + i
                self._http.append(start_onvif(self, cam, port))
        self._http.append(start_control(self, c.control_port))

    def describe(self) -> dict[str, Any]:
        return {
            "control": self.control_url,
            "rtsp_port": self.rtsp_port,
            "cameras": [
                {"name": n, "kind": cam.spec.kind, "main": cam.main_url, "sub": cam.sub_url,
                 "onvif": cam.onvif_url}
                for n, cam in self.cameras.items()
            ],
        }  # fmt: skip

    def run(self, ready_file: Path | None = None, announce: Callable[[str], None] = print) -> None:
        """Serve until SIGINT/SIGTERM; prints one line per camera, then blocks."""
        for cam in self.cameras.values():
            announce(f"{cam.spec.name} ({cam.spec.kind})  main {cam.main_url}  sub {cam.sub_url}"
                     f"  onvif {cam.onvif_url or '-'}")  # fmt: skip
        announce(f"control {self.control_url}")
        if ready_file is not None:
            tmp = ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.describe()), encoding="utf-8")
            tmp.replace(ready_file)
        for sig in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, self._quit)
        self._loop.run()
        self.shutdown()

    def _quit(self) -> bool:
        self._loop.quit()
        return False

    def shutdown(self) -> None:
        closers = [threading.Thread(target=server.close) for server in self._http]
        for t in closers:  # in parallel: each waits for its server's poll loop
            t.start()
        for t in closers:
            t.join()
        self._rtsp.stop()

    def close_onvif_for(self, request: FaultRequest) -> None:
        """Make an offline or rebooting camera's ONVIF port refuse connections for a while."""
        if request.kind not in (FaultKind.OFFLINE, FaultKind.REBOOT):
            return
        cam = self.cameras[request.camera]
        for server in self._http:
            if getattr(server, "camera", None) is cam:
                server.go_offline(request.duration())

    # -- faults and cross-thread calls ----------------------------------------------------
    def on_loop(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn`` on the GLib thread and wait for its result (from an HTTP thread)."""
        done = threading.Event()
        box: list[Any] = []

        def call() -> bool:
            try:
                box.append((True, fn()))
            except Exception as exc:  # handed back to the calling thread, not swallowed
                box.append((False, exc))
            done.set()
            return False

        GLib.idle_add(call)
        if not done.wait(timeout):
            raise TimeoutError("rig main loop did not answer")
        ok, value = box[0]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def apply_fault(self, request: FaultRequest) -> dict[str, Any]:
        """Validate and apply a fault; returns what was done. Called on the GLib thread.

        The camera's ONVIF port is closed separately by :meth:`close_onvif_for`, from the
        caller's thread: stopping an HTTP server waits for its poll loop, and the GLib
        thread must never wait, or every camera's stream would hiccup.
        """
        cam = self.cameras.get(request.camera)
        if cam is None:
            raise ValidationError(f"no camera named {request.camera!r}")
        if cam.spec.kind == "ptz" and request.kind not in PTZ_FAULTS:
            raise ValidationError(f"{request.kind} is not simulated on PTZ cameras")
        if request.kind in VIEWS and not cam.spec.tamper_views:
            raise ValidationError(f"{request.kind}: camera {request.camera} has no tamper_views")
        seconds = request.duration()
        cam.state.apply(request.kind, seconds, time.monotonic())
        dropped = 0
        if request.kind in (FaultKind.DROP, FaultKind.OFFLINE, FaultKind.REBOOT):
            dropped = self._rtsp.drop(request.camera)
        return {"camera": request.camera, "kind": str(request.kind), "seconds": seconds,
                "dropped": dropped}  # fmt: skip
