"""Presets, the return home and tours: what the control service does besides steering.

A mixin of :class:`~watchkeeper.ptz.control.PtzControl`, kept apart so each module stays
small; it uses the control service's sessions, motion loops and notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound, ValidationError, WatchkeeperError
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.drive import Drive
from watchkeeper.ptz.onvif import PtzPosition
from watchkeeper.ptz.presets import Presets
from watchkeeper.ptz.privacy import ZoneBook
from watchkeeper.ptz.sessions import SessionBook
from watchkeeper.ptz.tours import TourRunner, TourStep
from watchkeeper.timeutil import Clock

__all__ = ["Routines"]

log = logging.getLogger(__name__)


class Routines:
    """Needs from the control service: its book, directory, clock, presets, zones and the
    three hooks below."""

    book: SessionBook
    directory: PtzDirectory
    clock: Clock
    presets: Presets
    zones: ZoneBook
    _tours: dict[str, tuple[TourRunner, asyncio.Task[None]]]
    _homing: dict[str, asyncio.Task[None]]

    def _holding(self, camera_id: str, who: Principal) -> Drive:
        raise NotImplementedError

    def _broadcast(self, camera_id: str) -> None:
        raise NotImplementedError

    def _send_all(self, camera_id: str, msg: dict[str, Any], supervisors: bool = False) -> None:
        raise NotImplementedError

    # -- presets, home, tours ----------------------------------------------------------------
    async def save_preset(self, camera_id: str, who: Principal, name: str) -> None:
        self._holding(camera_id, who)
        await self.presets.save(camera_id, name, who.username)
        await self._broadcast_presets(camera_id)

    async def goto_preset(
        self, camera_id: str, who: Principal, name: str, speed: float = 1.0
    ) -> None:
        drive = self._holding(camera_id, who)
        target = await asyncio.to_thread(self.presets.get, camera_id, name)
        at = PtzPosition(target.pan, target.tilt, target.zoom)
        await asyncio.to_thread(self.zones.check_target, camera_id, at)
        drive.halt()
        await drive.settled()  # the Stop must not overtake the GotoPreset
        preset = await self.presets.goto(camera_id, name, speed)
        session = self.book.session(camera_id)
        if session is not None:
            session.presets.append(preset.name)

    async def position(self, camera_id: str, who: Principal) -> PtzPosition:
        """Where the camera points now; for its holder (drawing a zone on the picture)."""
        drive = self._holding(camera_id, who)
        return await drive.camera.status(drive.token)

    async def delete_preset(self, camera_id: str, who: Principal, name: str) -> None:
        self._holding(camera_id, who)
        await self.presets.delete(camera_id, name)
        await self._broadcast_presets(camera_id)

    async def preset_names(self, camera_id: str) -> dict[str, Any]:
        names = [p.name for p in await asyncio.to_thread(self.presets.list, camera_id)]
        return {"type": "presets", "camera": camera_id, "names": names}

    async def _broadcast_presets(self, camera_id: str) -> None:
        self._send_all(camera_id, await self.preset_names(camera_id))

    @staticmethod
    def _supervising(who: Principal) -> None:
        who.require(Right.PTZ_SUPERVISE)

    async def set_home(self, camera_id: str, who: Principal, preset: str, after_s: int) -> None:
        """Return to ``preset`` after ``after_s`` idle seconds (0: never)."""
        self._supervising(who)
        if not 0 <= after_s <= 86_400:
            raise ValidationError("return home after 0 (never) to 86400 seconds")
        if preset:
            await asyncio.to_thread(self.presets.get, camera_id, preset)
        await asyncio.to_thread(self.directory.set_home, camera_id, preset, after_s)
        await self._schedule_home(camera_id)

    async def _schedule_home(self, camera_id: str) -> None:
        old = self._homing.pop(camera_id, None)
        if old is not None:
            old.cancel()
        preset, after_s = await asyncio.to_thread(self.directory.home, camera_id)
        if preset and after_s and camera_id not in self._tours:
            self._homing[camera_id] = asyncio.create_task(
                self._home_later(camera_id, preset, after_s), name=f"ptz-home-{camera_id}"
            )

    async def _home_later(self, camera_id: str, preset: str, after_s: int) -> None:
        await asyncio.sleep(after_s)
        if self.book.session(camera_id) is None and camera_id not in self._tours:
            try:
                await self.presets.goto(camera_id, preset)
            except WatchkeeperError as exc:
                log.warning("return home of %s: %s", camera_id, exc)
        self._homing.pop(camera_id, None)

    async def start_tour(self, camera_id: str, who: Principal, steps: list[TourStep]) -> None:
        self._supervising(who)
        if not steps:
            raise ValidationError("a tour needs at least one preset")
        known = {p.name for p in await asyncio.to_thread(self.presets.list, camera_id)}
        missing = [s.preset for s in steps if s.preset not in known]
        if missing:
            raise NotFound(f"camera {camera_id} has no preset {missing[0]!r}")
        await self.stop_tour(camera_id, who)
        tour_json = json.dumps([s.model_dump() for s in steps])
        await asyncio.to_thread(self.directory.set_tour, camera_id, tour_json)

        async def goto(name: str, speed: float) -> None:
            await self.presets.goto(camera_id, name, speed)

        runner = TourRunner(
            camera_id, steps, goto, lambda: self.book.session(camera_id) is not None,
            self.clock.monotonic,
        )  # fmt: skip
        self._tours[camera_id] = (runner, asyncio.create_task(runner.run()))
        self._broadcast(camera_id)

    def tour(self, camera_id: str) -> TourRunner | None:
        found = self._tours.get(camera_id)
        return None if found is None else found[0]

    async def stop_tour(self, camera_id: str, who: Principal) -> None:
        self._supervising(who)
        found = self._tours.pop(camera_id, None)
        if found is not None:
            found[1].cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await found[1]
            self._broadcast(camera_id)
