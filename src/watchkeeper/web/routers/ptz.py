"""PTZ control from the console: one WebSocket per tile, beside (not inside) the video one.

The socket authenticates from the session cookie, refuses foreign origins and cameras the
user may not see, like the live-video socket; anyone who may watch a camera sees who holds
it, and steering needs the PTZ right and a valid licence (checked by the control service).
Messages are small JSON objects; see docs/design/ptz.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket
from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import POLICE_ROLES, Right
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.errors import Forbidden, NotFound, ValidationError, WatchkeeperError
from watchkeeper.ptz.clock import ClockWatch
from watchkeeper.ptz.control import PtzControl
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.tours import TourStep
from watchkeeper.ptz.zones import Rect
from watchkeeper.system import System
from watchkeeper.web.deps import SESSION_COOKIE
from watchkeeper.web.routers import ptz_pages
from watchkeeper.web.templating import Pages

__all__ = ["MAX_MESSAGES_PER_S", "build_router", "control_of", "make_control"]

log = logging.getLogger(__name__)
POLICE_MESSAGES = frozenset({"hb", "move", "centre", "stop", "take", "release", "preset_goto"})
"""What a police account steering under a share's grant may send: steer, not configure."""
MAX_MESSAGES_PER_S = 100
"""A console sends about 10 a second while steering; far more is a fault or an attack."""


def control_of(app: FastAPI | Any) -> PtzControl:
    control: PtzControl = app.state.ptz
    return control


def _principal(ws: WebSocket, system: System, camera_id: str) -> Principal | int:
    """The caller, or the close code: 4403 refused, 4404 a camera the caller cannot see."""
    origin = ws.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != ws.headers.get("host", ""):
        return 4403
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return 4403
    with system.db.session() as s:
        who = system.users.principal_for_session(s, cookie)
        if who is None or not who.can(Right.VIDEO_LIVE):
            return 4403
        try:
            system.cameras.get(s, who, camera_id)
        except NotFound:
            return 4404
        return who


def _onvif_cameras(system: System) -> list[str]:
    with system.db.session() as s:
        return list(
            s.scalars(
                select(Camera.id).where(
                    Camera.onvif_url != "", Camera.status == CameraStatus.ACTIVE
                )
            )
        )


def _axis(msg: dict[str, Any], key: str) -> float:
    v = msg.get(key, 0.0)
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
        raise ValidationError(f"{key} must be a number from -1 to 1")
    return max(-1.0, min(1.0, float(v)))


async def _dispatch(
    control: PtzControl, camera_id: str, who: Principal, msg: Any
) -> dict[str, Any] | None:
    """Carry out one message; returns a reply for the sender, if it has one."""
    if not isinstance(msg, dict):
        raise ValidationError("a PTZ message is a JSON object with a type")
    kind = msg.get("type")
    if who.role in POLICE_ROLES and kind not in POLICE_MESSAGES:
        raise Forbidden(f"a police account may steer camera {camera_id}, not change its {kind}")
    if kind == "hb":
        control.heartbeat(camera_id, who)
    elif kind == "move":
        v = (_axis(msg, "pan"), _axis(msg, "tilt"), _axis(msg, "zoom"))
        control.move(camera_id, who, v)
    elif kind == "centre":  # a click (x, y) or a box dragged (x0, y0, x1, y1), 0..1
        x, y = abs(_axis(msg, "x")), abs(_axis(msg, "y"))
        keys = ("x0", "y0", "x1", "y1")
        box = Rect(*(abs(_axis(msg, k)) for k in keys)) if "x0" in msg else Rect(x, y, x, y)
        await control.centre(camera_id, who, box)
    elif kind == "stop":
        control.stop(camera_id, who)
    elif kind == "take":
        await control.take(camera_id, who)
    elif kind == "release":
        await control.release(camera_id, who)
    elif kind == "lock":
        await control.lock(camera_id, who, str(msg.get("user", "")) or who.username)
    elif kind == "unlock":
        await control.unlock(camera_id, who)
    elif kind == "preset_save":
        await control.save_preset(camera_id, who, str(msg.get("name", "")))
    elif kind == "preset_goto":
        speed = abs(_axis(msg, "speed")) if "speed" in msg else 1.0
        await control.goto_preset(camera_id, who, str(msg.get("name", "")), speed or 1.0)
    elif kind == "preset_delete":
        await control.delete_preset(camera_id, who, str(msg.get("name", "")))
    elif kind == "home_set":
        after = msg.get("after_s", 0)
        if not isinstance(after, int) or isinstance(after, bool):
            raise ValidationError("after_s is a whole number of seconds")
        await control.set_home(camera_id, who, str(msg.get("preset", "")), after)
    elif kind == "tour_start":
        try:
            steps = [TourStep.model_validate(x) for x in msg.get("steps") or []]
        except PydanticError as exc:
            raise ValidationError(f"tour steps: {exc.errors()[0]['msg']}") from None
        await control.start_tour(camera_id, who, steps)
    elif kind == "tour_stop":
        await control.stop_tour(camera_id, who)
    elif kind == "zone_add":
        drawn = Rect(*(max(0.0, _axis(msg, k)) for k in ("x0", "y0", "x1", "y1")))
        at = await control.position(camera_id, who)
        name = str(msg.get("name", ""))
        await asyncio.to_thread(control.zones.add, camera_id, who, name, drawn, at)
        control.tell_zones(camera_id, await asyncio.to_thread(control.zones.describe, camera_id))
        return {"type": "zone_added", "name": name}
    else:
        raise ValidationError(f"unknown PTZ message type {kind!r}")
    return None


def build_router(pages: Pages) -> APIRouter:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        control = control_of(app)
        system: System = app.state.system
        watch: asyncio.Task[None] | None = None
        if system.recorder is not None:  # this process records: keep camera clocks checked
            ids = await asyncio.to_thread(_onvif_cameras, system)
            clocks = ClockWatch(control.directory, system.recorder.set_clock_offset)
            watch = asyncio.create_task(clocks.run(ids), name="ptz-clock-watch")
        loop = asyncio.get_running_loop()
        checks: set[asyncio.Task[None]] = set()

        def recheck() -> None:  # on the loop: a share started or ended (a PTZ grant lost)
            task = asyncio.create_task(control.check_now(), name="ptz-share-check")
            checks.add(task)
            task.add_done_callback(checks.discard)

        def share_changed() -> None:  # any thread, after a share's commit
            with contextlib.suppress(RuntimeError):  # loop closed: nothing to check
                loop.call_soon_threadsafe(recheck)

        stop_hearing = system.shares.subscribe(share_changed)
        yield
        stop_hearing()
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
        await control.close()

    router = APIRouter(tags=["ptz"], lifespan=lifespan)
    router.include_router(ptz_pages.build_router(pages))

    @router.websocket("/ws/ptz/{camera_id}")
    async def ptz_socket(ws: WebSocket, camera_id: str) -> None:
        sys_: System = ws.app.state.system
        who = await run_in_threadpool(_principal, ws, sys_, camera_id)
        if not isinstance(who, Principal):
            await ws.close(code=who)
            return
        control = control_of(ws.app)
        await ws.accept()
        out: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=256)

        def send(msg: dict[str, Any]) -> None:
            with contextlib.suppress(asyncio.QueueFull):  # a console that stopped reading
                out.put_nowait(msg)

        async def pump() -> None:
            while True:
                await ws.send_text(json.dumps(await out.get()))

        pumper = asyncio.create_task(pump())
        send(
            {
                "type": "hello",
                "user": who.username,
                "can_steer": await control.may_steer(camera_id, who),
                "can_supervise": who.can(Right.PTZ_SUPERVISE),
            }
        )
        listener = control.watch(
            camera_id, who.username, send, supervisor=who.can(Right.PTZ_SUPERVISE)
        )
        send(await control.preset_names(camera_id))
        send(await asyncio.to_thread(control.zones.describe, camera_id))
        viewing = asyncio.create_task(control.watch_view(camera_id))
        loop = asyncio.get_running_loop()
        window, count = loop.time(), 0
        try:
            while True:
                text = await ws.receive_text()
                now = loop.time()
                if now - window >= 1.0:
                    window, count = now, 0
                count += 1
                if count > MAX_MESSAGES_PER_S:
                    await control.release(camera_id, who, "too many commands")
                    send({"type": "error", "message": "too many commands: control ended"})
                    await asyncio.sleep(0.05)  # let the pump say so before closing
                    await ws.close(code=4429)
                    break
                try:
                    reply = await _dispatch(control, camera_id, who, json.loads(text))
                    if reply is not None:
                        send(reply)
                except json.JSONDecodeError:
                    send({"type": "error", "message": "a PTZ message is JSON"})
                except WatchkeeperError as exc:
                    send({"type": "error", "message": str(exc)})
                except Exception:  # a bug must not leave a camera steered by a dead socket
                    log.exception("PTZ message on %s failed", camera_id)
                    send({"type": "error", "message": "internal error; see the server log"})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            pumper.cancel()
            viewing.cancel()
            await control.unwatch(camera_id, listener)
            if ws.application_state is WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                    await ws.close()

    return router


def make_control(system: System) -> PtzControl:
    """The app's PTZ control service (one per web process)."""
    return PtzControl(system.db, system.users, PtzDirectory(system.db, system.clock), system.clock)
