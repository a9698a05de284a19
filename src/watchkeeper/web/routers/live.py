"""Live video and alerts: the wall page, the fMP4 WebSocket, camera state alerts.

The WebSocket authenticates from the session cookie (browsers cannot set headers on a
socket), refuses foreign origins, and checks the right and the camera's visibility before
accepting: a refused socket never sees a byte of video.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.websockets import WebSocketDisconnect, WebSocketState

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import MediaError, NotFound, WatchkeeperError
from watchkeeper.live.hls import HlsFeed, LiveHls
from watchkeeper.live.snapshot import live_jpeg
from watchkeeper.live.streamer import LiveViewer
from watchkeeper.recording.models import StreamEvent, StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.supervisor import StreamSupervisor
from watchkeeper.system import System
from watchkeeper.timeutil import format_local
from watchkeeper.web.camera_states import camera_states
from watchkeeper.web.deps import SESSION_COOKIE, SessionDep, SystemDep, require
from watchkeeper.web.templating import Pages
from watchkeeper.web.visibility import SeenCamera, visible_camera

__all__ = ["build_router", "pick_supervisor"]

log = logging.getLogger(__name__)
Live = Annotated[Principal, Depends(require(Right.VIDEO_LIVE))]
Watched = Annotated[SeenCamera, Depends(visible_camera(Right.VIDEO_LIVE))]
ALERT_STATES = ("offline", "stalled", "streaming")


def pick_supervisor(system: System, camera_id: str, stream: str) -> StreamSupervisor:
    """The recorder's supervisor for the stream; the main stream when no sub is recorded."""
    if system.recorder is None or not system.recorder.running:
        raise NotFound("live video needs the recorder running in this process")
    try:
        return system.recorder.supervisor(camera_id, stream)
    except NotFound:
        if stream == "main":
            raise
        return system.recorder.supervisor(camera_id, "main")


def _socket_principal(ws: WebSocket, system: System) -> Principal | None:
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with system.db.session() as s:
        return system.users.principal_for_session(s, cookie)


def _allowed(ws: WebSocket, system: System, camera_id: str) -> Principal | int:
    """The caller, or the close code: 4403 refused, 4404 a camera the caller cannot see
    (as if it did not exist, like the HTTP routes' 404)."""
    origin = ws.headers.get("origin")
    host = ws.headers.get("host", "")
    if origin is not None and origin.split("://", 1)[-1] != host:
        return 4403
    who = _socket_principal(ws, system)
    if who is None or not who.can(Right.VIDEO_LIVE):
        return 4403
    try:
        with system.db.session() as s:
            system.cameras.get(s, who, camera_id)
    except NotFound:
        return 4404
    return who


def _on_alert(
    system: System, loop: asyncio.AbstractEventLoop, changed: asyncio.Event
) -> Callable[[], None] | None:
    """Set ``changed`` when this process's recorder records an alert state; the undo.

    ``None`` when the recorder runs in another process: then the caller polls.
    """
    if system.recorder is None or not system.recorder.running:
        return None

    def listener(_key: StreamKey, state: StreamState) -> None:
        if state.value in ALERT_STATES:
            with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting
                loop.call_soon_threadsafe(changed.set)

    return system.recorder.on_state_change(listener)


def build_router(pages: Pages, hls: LiveHls) -> APIRouter:
    router = APIRouter(tags=["live"])
    hls_base = "/api/live/cameras/{camera_id}/hls"

    def feed(system: System, cam: SeenCamera, stream: str) -> HlsFeed:
        return hls.feed(pick_supervisor(system, cam.id, stream))

    @router.get("/api/live/cameras/{camera_id}/snapshot.jpg")
    def live_snapshot(
        cam: Watched,
        system: SystemDep,
        stream: Literal["main", "sub"] = "main",
    ) -> Response:
        """The live picture as a JPEG (the next keyframe, so up to one GOP away)."""
        jpeg = live_jpeg(pick_supervisor(system, cam.id, stream))
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @router.get(hls_base + "/live.m3u8")
    def hls_playlist(
        cam: Watched,
        system: SystemDep,
        stream: Literal["main", "sub"] = "main",
    ) -> Response:
        """Live HLS (fallback for clients without MSE): the last few GOPs."""
        text = feed(system, cam, stream).playlist(
            f"/api/live/cameras/{cam.id}/hls", f"?stream={stream}"
        )
        return Response(
            text, media_type="application/vnd.apple.mpegurl", headers={"Cache-Control": "no-store"}
        )

    @router.get(hls_base + "/init.mp4")
    def hls_init(
        cam: Watched,
        system: SystemDep,
        stream: Literal["main", "sub"] = "main",
    ) -> Response:
        f = feed(system, cam, stream)
        if not f.init:
            raise NotFound("no live video from this camera yet")
        return Response(f.init, media_type="video/mp4", headers={"Cache-Control": "no-store"})

    @router.get(hls_base + "/{seq}.m4s")
    def hls_segment(
        cam: Watched,
        seq: int,
        system: SystemDep,
        stream: Literal["main", "sub"] = "main",
    ) -> Response:
        data = feed(system, cam, stream).segment(seq)
        return Response(
            data, media_type="video/iso.segment", headers={"Cache-Control": "max-age=60"}
        )

    @router.get("/wall", response_class=HTMLResponse, include_in_schema=False)
    def wall(request: Request, system: SystemDep, s: SessionDep, who: Live) -> Response:
        cams = system.cameras.list(s, who)
        cams.sort(key=lambda c: (c.area.site.name, c.area.name, c.id))
        return pages.render(
            request,
            "wall.html",
            who=who,
            cameras=cams,
            states=camera_states(system, [c.id for c in cams]),
            licence=None,
            can_playback=who.can(Right.VIDEO_PLAYBACK),
        )

    @router.get("/api/live/events")
    async def events(
        system: SystemDep, who: Live, after: int = 0, wait: float = Query(0.0, ge=0.0, le=25.0)
    ) -> dict[str, object]:
        """Camera offline / back-online alerts after event ``after`` (long poll)."""

        def fetch() -> list[dict[str, object]]:
            with system.db.session() as s:
                visible = system.cameras.visible(who).with_only_columns(Camera.id)
                rows = (
                    s.execute(
                        select(StreamEvent)
                        .where(
                            StreamEvent.id > after,
                            StreamEvent.camera_id.in_(visible),
                            StreamEvent.state.in_(ALERT_STATES),
                        )
                        .order_by(StreamEvent.id)
                        .limit(200)
                    )
                    .scalars()
                    .all()
                )
                return [
                    {
                        "id": e.id,
                        "camera_id": e.camera_id,
                        "stream": e.stream,
                        "state": e.state,
                        "reason": e.reason,
                        "at_us": e.at_us,
                        "at": format_local(e.at_us),
                    }
                    for e in rows
                ]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        changed = asyncio.Event()
        undo = _on_alert(system, loop, changed)
        try:
            while True:
                changed.clear()
                found = await run_in_threadpool(fetch)
                if found or loop.time() >= deadline:
                    return {"events": found, "last": found[-1]["id"] if found else after}
                # Recorder here: woken by its state changes. Elsewhere: look again in 1 s.
                left = max(0.0, deadline - loop.time())
                try:
                    await asyncio.wait_for(changed.wait(), left if undo else min(1.0, left))
                except TimeoutError:
                    if undo is not None:
                        return {"events": [], "last": after}
        finally:
            if undo is not None:
                undo()

    @router.websocket("/api/live/cameras/{camera_id}/ws")
    async def live_socket(
        ws: WebSocket, camera_id: str, stream: Literal["main", "sub"] = "main"
    ) -> None:
        system: System = ws.app.state.system
        who = await run_in_threadpool(_allowed, ws, system, camera_id)
        # A refusal is sent as a close code after the handshake: closed during it, the
        # browser sees only "failed" (1006) and would retry for ever instead of saying why.
        if not isinstance(who, Principal):
            await _refuse(ws, who, "no such camera" if who == 4404 else "not allowed")
            return
        try:
            sup = pick_supervisor(system, camera_id, stream)
        except NotFound as exc:
            await _refuse(ws, 4404, str(exc)[:120])
            return
        await ws.accept()
        await _serve_live(ws, system, sup, ws.cookies[SESSION_COOKIE], camera_id)

    return router


async def _refuse(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):  # client gone
        await ws.accept()
        await ws.close(code=code, reason=reason)


async def _serve_live(
    ws: WebSocket, system: System, sup: StreamSupervisor, cookie: str, camera_id: str
) -> None:
    """Send the viewer's chunks as the fan-out wakes it, on the loop: no thread per socket.

    Ends when the client leaves, the fan-out drops a viewer that cannot keep up, or the
    session ends (:class:`LiveSessions`: log-out at once, other ends at the next re-check).
    """
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    ended = False

    def end() -> None:
        nonlocal ended
        ended = True
        wake.set()

    def from_fanout() -> None:  # the recorder's thread: schedule only, never wait
        with contextlib.suppress(RuntimeError):  # loop closed: the socket is gone too
            loop.call_soon_threadsafe(wake.set)

    async def watch_close() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await ws.receive_text()
        end()

    viewer = LiveViewer(sup, from_fanout)
    unwatch = system.live.watch(cookie, camera_id, end)
    watcher = asyncio.create_task(watch_close())
    try:
        while not ended:
            await wake.wait()
            wake.clear()
            while not ended:
                chunks = viewer.drain()
                for c in chunks:
                    if c.reset:
                        await ws.send_text(
                            json.dumps(
                                {
                                    "type": "init",
                                    "mime": c.mime,
                                    "width": c.width,
                                    "height": c.height,
                                    "stream": sup.key.stream,
                                }
                            )
                        )
                    await ws.send_bytes(c.data)
                if not viewer.pending:
                    break
    except (WebSocketDisconnect, RuntimeError, OSError):  # the client left mid-send
        pass
    except (MediaError, WatchkeeperError) as exc:
        log.info("live %s ended: %s", camera_id, exc)
    finally:
        unwatch()
        watcher.cancel()
        viewer.close()
        if ws.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # client gone
                await ws.close(code=1000 if not ended else 4401)
