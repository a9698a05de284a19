"""The PTZ control service: who may steer, sessions, the motion loops, notices, audit.

One instance per web process (sessions live in memory: a restart ends them all, and
every camera has stopped by then through its ONVIF Timeout). Everything runs on the
event loop; database reads and audit writes go to worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import POLICE_ROLES, Right
from watchkeeper.auth.service import UserService
from watchkeeper.cameras.models import CameraKind
from watchkeeper.db.engine import Database
from watchkeeper.errors import (
    Forbidden,
    LicenceInvalid,
    NotFound,
    ValidationError,
    WatchkeeperError,
)
from watchkeeper.ptz.audit import record_session
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.drive import DEAD_MAN_S, Drive, Velocity
from watchkeeper.ptz.gate import camera_kind, steer_blocker
from watchkeeper.ptz.presets import Presets
from watchkeeper.ptz.privacy import ZoneBook
from watchkeeper.ptz.routines import Routines
from watchkeeper.ptz.sessions import Ended, Holder, SessionBook, priority_of
from watchkeeper.ptz.tours import TourRunner
from watchkeeper.ptz.view import DWELL_S, ViewWatch
from watchkeeper.ptz.zones import Rect, aim_at, frame_box
from watchkeeper.timeutil import Clock

__all__ = ["GATE_EVERY_S", "Listener", "PtzControl"]

log = logging.getLogger(__name__)
GATE_EVERY_S = 1.0
"""How often a holder's right, login and licence are checked again during a session."""
Send = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Listener:
    """A console watching one camera (a tile's PTZ socket)."""

    id: int
    username: str
    send: Send
    supervisor: bool = False


class PtzControl(Routines):
    def __init__(
        self,
        db: Database,
        users: UserService,
        directory: PtzDirectory,
        clock: Clock,
        book: SessionBook | None = None,
        dead_man_s: float = DEAD_MAN_S,
        dwell_s: float = DWELL_S,
    ) -> None:
        self.db = db
        self.users = users
        self.directory = directory
        self.clock = clock
        self.book = book or SessionBook(clock)
        self.dead_man_s = dead_man_s
        self._drives: dict[str, Drive] = {}
        self._listeners: dict[str, dict[int, Listener]] = {}
        self._ids = itertools.count(1)
        self._gate_task: asyncio.Task[None] | None = None
        self.presets = Presets(directory)
        self.zones = ZoneBook(db, clock)
        self.dwell_s = dwell_s
        self._views: dict[str, asyncio.Task[None]] = {}
        self._tours: dict[str, tuple[TourRunner, asyncio.Task[None]]] = {}
        self._homing: dict[str, asyncio.Task[None]] = {}

    # -- watching ----------------------------------------------------------------------------
    def watch(
        self, camera_id: str, username: str, send: Send, supervisor: bool = False
    ) -> Listener:
        listener = Listener(next(self._ids), username, send, supervisor)
        self._listeners.setdefault(camera_id, {})[listener.id] = listener
        send(self.state(camera_id, username))
        return listener

    async def watch_view(self, camera_id: str) -> None:
        """Follow where a watched PTZ camera looks (see ptz.view); quietly not for others."""
        if camera_id in self._views:
            return
        try:
            caps = await self.directory.capabilities(camera_id)
            cam = await self.directory.camera(camera_id)
        except WatchkeeperError as exc:
            log.info("no view of %s: %s", camera_id, exc)
            return
        if not caps.steerable or camera_id in self._views:
            return
        watch = ViewWatch(
            camera_id, cam, caps.profile_token, self.zones, self.clock,
            busy=lambda: self.book.session(camera_id) is not None or camera_id in self._tours,
            tell=lambda msg: self._send_all(camera_id, msg),
            alert=lambda msg: self._send_all(camera_id, msg, supervisors=True),
            dwell_s=self.dwell_s,
        )  # fmt: skip
        self._views[camera_id] = asyncio.create_task(watch.run(), name=f"ptz-view-{camera_id}")

    def tell_zones(self, camera_id: str, description: dict[str, Any]) -> None:
        self._send_all(camera_id, description)

    def _send_all(self, camera_id: str, msg: dict[str, Any], supervisors: bool = False) -> None:
        for x in list(self._listeners.get(camera_id, {}).values()):
            if x.supervisor or not supervisors:
                x.send(msg)

    async def unwatch(self, camera_id: str, listener: Listener) -> None:
        self._listeners.get(camera_id, {}).pop(listener.id, None)
        if not self._listeners.get(camera_id) and camera_id in self._views:
            self._views.pop(camera_id).cancel()
        still_there = any(
            x.username == listener.username for x in self._listeners.get(camera_id, {}).values()
        )
        if not still_there:
            ended = self.book.release(camera_id, listener.username, "disconnected")
            if ended is not None:
                await self._finish(ended)

    def state(self, camera_id: str, username: str) -> dict[str, Any]:
        s = self.book.session(camera_id)
        return {
            "type": "state",
            "camera": camera_id,
            "holder": None if s is None else s.holder.username,
            "holder_role": None if s is None else s.holder.role.value,
            "locked_to": self.book.locked_to(camera_id),
            "you": s is not None and s.holder.username == username,
            "tour": self._tour_state(camera_id),
        }

    def _tour_state(self, camera_id: str) -> str | None:
        tour = self._tours.get(camera_id)
        if tour is None:
            return None
        return "paused" if self.book.session(camera_id) is not None else "running"

    def _broadcast(self, camera_id: str) -> None:
        for x in list(self._listeners.get(camera_id, {}).values()):
            x.send(self.state(camera_id, x.username))

    def _tell(self, camera_id: str, username: str, msg: dict[str, Any]) -> None:
        for x in list(self._listeners.get(camera_id, {}).values()):
            if x.username == username:
                x.send(msg)

    # -- the gate ----------------------------------------------------------------------------
    def _ensure_gate(self) -> None:
        if self._gate_task is None or self._gate_task.done():
            self._gate_task = asyncio.create_task(self._gate_loop(), name="ptz-gate")

    async def _gate_loop(self) -> None:
        while self._drives:
            await asyncio.sleep(GATE_EVERY_S)
            await self.check_now()

    async def check_now(self) -> None:
        """End sessions whose holder lost the right to steer, and idle ones."""
        for ended in self.book.expire_idle():
            await self._finish(ended)
        for camera_id in list(self._drives):
            s = self.book.session(camera_id)
            if s is None:
                continue
            why = await asyncio.to_thread(
                steer_blocker, self.db, self.users, s.holder.username, camera_id,
                self.clock.now_us(),
            )  # fmt: skip
            if why:
                if s.holder.role in POLICE_ROLES:
                    reason = "share ended"
                else:
                    reason = "licence" if "licence" in why else "right lost"
                lost = self.book.end(camera_id, reason)
                if lost is not None:
                    await self._finish(lost, detail=why)

    # -- control -----------------------------------------------------------------------------
    async def may_steer(self, camera_id: str, who: Principal) -> bool:
        """Whether ``who`` holds the right to steer ``camera_id`` (for the tile's button)."""
        if who.role not in POLICE_ROLES:
            return who.can(Right.PTZ_CONTROL)
        why = await asyncio.to_thread(
            steer_blocker, self.db, self.users, who.username, camera_id, self.clock.now_us()
        )
        return not why

    async def take(self, camera_id: str, who: Principal) -> None:
        police = who.role in POLICE_ROLES
        if not police:  # a police account steers by a share's grant, never by a right
            who.require(Right.PTZ_CONTROL)
        why = await asyncio.to_thread(
            steer_blocker, self.db, self.users, who.username, camera_id, self.clock.now_us()
        )
        if why and police:
            raise Forbidden(f"you may not steer camera {camera_id}: {why}")
        if why:
            raise LicenceInvalid(f"you may not steer cameras: {why}")
        if await asyncio.to_thread(camera_kind, self.db, camera_id) is CameraKind.FIXED:
            raise ValidationError(f"camera {camera_id} is a fixed camera: it cannot be steered")
        caps = await self.directory.capabilities(camera_id)
        if not caps.steerable:
            raise ValidationError(f"camera {camera_id} has no PTZ (ONVIF lists none)")
        overrides = await asyncio.to_thread(self.directory.priorities, camera_id)
        holder = Holder(who.user_id, who.username, who.role, priority_of(who.role, overrides))
        if holder.priority <= 0 and not police:
            raise Forbidden(f"the {who.role.value} role has no PTZ priority on {camera_id}")
        _session, ended = self.book.take(camera_id, holder)
        homing = self._homing.pop(camera_id, None)
        if homing is not None:
            homing.cancel()
        if ended is not None:
            await self._finish(ended, keep_drive=True)
        if camera_id not in self._drives:
            cam = await self.directory.camera(camera_id)
            self._drives[camera_id] = Drive(
                cam,
                caps.profile_token,
                self.clock.monotonic,
                on_error=lambda text: self._on_camera_error(camera_id, text),
                on_dead_man=lambda: self._on_dead_man(camera_id),
                dead_man_s=self.dead_man_s,
            )
        self._ensure_gate()
        self._broadcast(camera_id)

    def _holding(self, camera_id: str, who: Principal) -> Drive:
        session = self.book.check_holder(camera_id, who.username)
        session.last_command = self.clock.monotonic()
        session.commands += 1
        drive = self._drives.get(camera_id)
        if drive is None:
            raise NotFound(f"camera {camera_id} has no control loop; take control again")
        return drive

    def move(self, camera_id: str, who: Principal, v: Velocity) -> None:
        self._holding(camera_id, who).want(v)

    async def centre(self, camera_id: str, who: Principal, box: Rect) -> None:
        """Turn the camera so the picture point clicked on (a box of no size) becomes the
        centre, or so a box dragged on the picture fills it."""
        drive = self._holding(camera_id, who)
        here = await drive.camera.status(drive.token)
        lens = await asyncio.to_thread(self.zones.lens, camera_id)
        b = box.normal()
        if b.a1 - b.a0 < 0.01 and b.b1 - b.b0 < 0.01:
            target = aim_at(lens, here, (b.a0 + b.a1) / 2, (b.b0 + b.b1) / 2)
        else:
            target = frame_box(lens, here, b)
        await asyncio.to_thread(self.zones.check_target, camera_id, target)
        drive.halt()
        await drive.settled()
        await drive.camera.absolute_move(drive.token, target)

    def stop(self, camera_id: str, who: Principal) -> None:
        self._holding(camera_id, who).want((0.0, 0.0, 0.0))

    def heartbeat(self, camera_id: str, who: Principal) -> None:
        s = self.book.session(camera_id)
        drive = self._drives.get(camera_id)
        if s is not None and drive is not None and s.holder.username == who.username:
            drive.heartbeat()

    async def release(self, camera_id: str, who: Principal, reason: str = "released") -> None:
        ended = self.book.release(camera_id, who.username, reason)
        if ended is not None:
            await self._finish(ended)

    async def lock(self, camera_id: str, who: Principal, to_username: str) -> None:
        self._supervising(who)
        overrides = await asyncio.to_thread(self.directory.priorities, camera_id)
        holder = Holder(who.user_id, who.username, who.role, priority_of(who.role, overrides))
        self.book.lock(camera_id, holder, to_username)
        s = self.book.session(camera_id)
        if s is not None and s.holder.username != to_username:
            ended = self.book.end(camera_id, "locked to another user", who.username)
            if ended is not None:
                await self._finish(ended)
        self._broadcast(camera_id)

    async def unlock(self, camera_id: str, who: Principal) -> None:
        self._supervising(who)
        overrides = await asyncio.to_thread(self.directory.priorities, camera_id)
        holder = Holder(who.user_id, who.username, who.role, priority_of(who.role, overrides))
        self.book.unlock(camera_id, holder)
        self._broadcast(camera_id)

    # -- endings -----------------------------------------------------------------------------
    def _on_camera_error(self, camera_id: str, text: str) -> None:
        s = self.book.session(camera_id)
        if s is not None:
            self._tell(camera_id, s.holder.username, {"type": "error", "message": text})

    def _on_dead_man(self, camera_id: str) -> None:
        s = self.book.session(camera_id)
        if s is not None:
            s.dead_man_stops += 1

    async def _finish(self, ended: Ended, keep_drive: bool = False, detail: str = "") -> None:
        camera_id = ended.session.camera_id
        drive = self._drives.get(camera_id)
        if drive is not None:
            if keep_drive:
                drive.halt()
            else:
                self._drives.pop(camera_id, None)
                await drive.close()
        # On the record first: whoever is told the camera is free can find the session.
        await asyncio.to_thread(record_session, self.db, self.clock, ended, detail)
        msg = {"type": "lost", "camera": camera_id, "reason": ended.reason, "by": ended.by}
        if detail:
            msg["detail"] = detail
        self._tell(camera_id, ended.session.holder.username, msg)
        self._broadcast(camera_id)
        if not keep_drive and ended.reason != "server stopped":
            await self._schedule_home(camera_id)

    async def close(self) -> None:
        """End every session (camera stopped, audited) and the loops; at shutdown."""
        tasks = [t for _r, t in self._tours.values()] + list(self._homing.values())
        for task in tasks + list(self._views.values()):
            task.cancel()
        self._tours.clear()
        self._homing.clear()
        self._views.clear()
        if self._gate_task is not None:
            self._gate_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._gate_task
        for camera_id in list(self._drives):
            ended = self.book.end(camera_id, "server stopped")
            if ended is not None:
                await self._finish(ended)
        for drive in list(self._drives.values()):
            await drive.close()
        self._drives.clear()
        await self.directory.close()
