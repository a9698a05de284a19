"""The RTSP front door: gst-rtsp-server with authentication, one mount per camera stream.

Mounts are ``/<camera>/main`` and ``/<camera>/sub`` on one port, with RTP over TCP or UDP.
Each mount is shared, as a camera encodes once however many clients watch. The server keeps
track of which client watches which camera so that faults can drop exactly those clients,
and it turns away requests for an offline camera by closing the connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from watchkeeper.errors import MediaError
from watchkeeper.simulate._gi import GLib, Gst, GstRtsp, GstRtspServer
from watchkeeper.simulate.faults import CameraState

__all__ = ["ElementMaker", "RtspService"]

ElementMaker = Callable[[], Gst.Element]
MediaHook = Callable[[Gst.Element], Callable[[], None]]
_ROLE = "camera-user"


class _Factory(GstRtspServer.RTSPMediaFactory):  # type: ignore[misc]
    """Builds one stream's pipeline on demand and hands its element to a hook."""

    def __init__(self, make: ElementMaker, hook: MediaHook | None) -> None:
        super().__init__()
        self._make = make
        self._hook = hook
        self.medias: list[GstRtspServer.RTSPMedia] = []
        self.set_shared(True)
        self.connect("media-configure", self._configure)

    def do_create_element(self, _url: Any) -> Gst.Element:
        return self._make()

    def _configure(self, _factory: Any, media: GstRtspServer.RTSPMedia) -> None:
        element = media.get_element()
        pipeline = element.get_parent()
        if pipeline is not None:
            # Pacing comes from the live source; unsynced sinks let faulty timestamps through.
            pipeline.connect("deep-element-added", _unsync_sinks)
        stop = self._hook(element) if self._hook else None
        self.medias.append(media)

        def gone(m: GstRtspServer.RTSPMedia) -> None:
            if stop is not None:
                stop()
            if m in self.medias:
                self.medias.remove(m)

        media.connect("unprepared", gone)


def _unsync_sinks(_bin: Any, _sub: Any, element: Gst.Element) -> None:
    factory = element.get_factory()
    if factory is not None and factory.get_name() in ("appsink", "multiudpsink"):
        element.set_property("sync", False)
        # gst-rtsp-server turns sync back on for the TCP sink when a client sets up (its
        # rate control); synced, a jump forward of N s would reach the client N s late.
        element.connect("notify::sync", _keep_unsynced)


def _keep_unsynced(element: Gst.Element, _pspec: Any) -> None:
    if element.get_property("sync"):
        element.set_property("sync", False)


class RtspService:
    """Owns the gst-rtsp-server instance; call from the GLib main loop thread only."""

    def __init__(self, host: str, port: int, user: str, password: str, scheme: str) -> None:
        self._server = GstRtspServer.RTSPServer()
        self._server.set_address(host)
        self._server.set_service(str(port))
        self._host = host
        self._mounts = self._server.get_mount_points()
        self._factories: dict[str, list[_Factory]] = {}
        self._states: dict[str, CameraState] = {}
        self._clients: dict[str, set[GstRtspServer.RTSPClient]] = {}
        self._setup_auth(user, password, scheme)
        self._server.connect("client-connected", self._client_connected)
        self._source_id: int | None = None

    def _setup_auth(self, user: str, password: str, scheme: str) -> None:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", _ROLE)
        if scheme == "digest":
            auth.add_digest(user, password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        else:
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        self._server.set_auth(auth)

    def add_camera(
        self,
        name: str,
        state: CameraState,
        streams: dict[str, tuple[ElementMaker, MediaHook | None]],
        udp_only: bool = False,
    ) -> None:
        self._states[name] = state
        self._clients[name] = set()
        for stream, (make, hook) in streams.items():
            factory = _Factory(make, hook)
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role(_ROLE, "media.factory.access", True)
            perms.add_permission_for_role(_ROLE, "media.factory.construct", True)
            factory.set_permissions(perms)
            if udp_only:
                factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP)
            else:
                factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
            self._mounts.add_factory(f"/{name}/{stream}", factory)
            self._factories.setdefault(name, []).append(factory)

    def start(self) -> int:
        """Listen; returns the bound port (useful when 0 asked for a free one)."""
        self._source_id = self._server.attach(None)
        if not self._source_id:
            raise MediaError(f"RTSP server could not listen on {self._server.get_service()}")
        return int(self._server.get_bound_port())

    def stop(self) -> None:
        for name in list(self._clients):
            self.drop(name)
        if self._source_id:
            GLib.source_remove(self._source_id)
            self._source_id = None

    def drop(self, camera: str) -> int:
        """Close every connection watching ``camera`` and tear its pipelines down."""
        clients = list(self._clients.get(camera, ()))
        for client in clients:
            client.close()
        for factory in self._factories.get(camera, []):
            for media in list(factory.medias):
                media.unprepare()
        return len(clients)

    def _client_connected(self, _server: Any, client: GstRtspServer.RTSPClient) -> None:
        for signal in ("options-request", "describe-request", "setup-request", "play-request"):
            client.connect(signal, self._request)
        client.connect("closed", self._closed)

    def _camera_of(self, ctx: GstRtspServer.RTSPContext) -> str | None:
        uri = ctx.uri
        if uri is None or not uri.abspath:
            return None
        return str(uri.abspath).strip("/").split("/")[0] or None

    def _request(self, client: GstRtspServer.RTSPClient, ctx: Any) -> None:
        camera = self._camera_of(ctx)
        if camera not in self._states:
            return
        if self._states[camera].offline(time.monotonic()):
            client.close()
            return
        self._clients[camera].add(client)

    def _closed(self, client: GstRtspServer.RTSPClient) -> None:
        for clients in self._clients.values():
            clients.discard(client)
