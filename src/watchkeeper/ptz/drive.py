"""One camera's motion loop: the latest wanted velocity, one sender, the dead-man stop.

The holder's commands only set :attr:`Drive.wanted`; a single sender task per camera turns
changes into ONVIF requests, one in flight at a time, so a flood of commands costs one
request per round trip (the newest wins) and never queues behind another camera. A
watchdog stops the camera when the holder has been silent for ``dead_man_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from watchkeeper.errors import WatchkeeperError
from watchkeeper.ptz.onvif import OnvifCamera

__all__ = ["CAMERA_TIMEOUT_S", "DEAD_MAN_S", "REFRESH_S", "Drive", "Velocity"]

log = logging.getLogger(__name__)
Velocity = tuple[float, float, float]
STILL: Velocity = (0.0, 0.0, 0.0)
DEAD_MAN_S = 0.5
REFRESH_S = 1.0
"""A held move is re-sent this often, so the camera-side Timeout never runs out."""
CAMERA_TIMEOUT_S = 2.0
"""ONVIF ContinuousMove Timeout: the camera stops by itself if Watchkeeper goes away."""
WATCH_EVERY_S = 0.1


class Drive:
    def __init__(
        self,
        camera: OnvifCamera,
        token: str,
        monotonic: Callable[[], float],
        on_error: Callable[[str], None],
        on_dead_man: Callable[[], None],
        dead_man_s: float = DEAD_MAN_S,
    ) -> None:
        self.camera = camera
        self.token = token
        self.monotonic = monotonic
        self.on_error = on_error
        self.on_dead_man = on_dead_man
        self.dead_man_s = dead_man_s
        self.wanted: Velocity = STILL
        self.sent: Velocity = STILL
        self._in_flight: Velocity | None = None
        """What the send loop is sending now (None between requests)."""
        self.heard = monotonic()
        self.requests = 0
        self._changed = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._send_loop(), name=f"ptz-send-{camera.camera_id}"),
            asyncio.create_task(self._watch_loop(), name=f"ptz-watch-{camera.camera_id}"),
        ]

    def want(self, v: Velocity) -> None:
        self.heard = self.monotonic()
        if v != self.wanted:
            self.wanted = v
            self._changed.set()

    def heartbeat(self) -> None:
        self.heard = self.monotonic()

    def halt(self) -> None:
        if self.wanted != STILL:
            self.wanted = STILL
            self._changed.set()

    async def settled(self, timeout: float = CAMERA_TIMEOUT_S + 0.5) -> None:
        """Wait until the camera has been sent what is wanted (e.g. the Stop before a goto)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while self.sent != self.wanted and loop.time() < end:
            await asyncio.sleep(0.01)

    async def _send_loop(self) -> None:
        last_sent_at = 0.0
        while True:
            timeout = REFRESH_S if self.sent != STILL else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
            self._changed.clear()
            v = self.wanted
            now = self.monotonic()
            if v == self.sent and (v == STILL or now - last_sent_at < REFRESH_S * 0.9):
                continue
            try:
                self.requests += 1
                self._in_flight = v
                if v == STILL:
                    await self.camera.stop(self.token)
                else:
                    await self.camera.continuous_move(self.token, *v, CAMERA_TIMEOUT_S)
                self.sent, last_sent_at = v, now
                self._in_flight = None
            except WatchkeeperError as exc:
                self._in_flight = None
                self.on_error(str(exc))
                if v == STILL:
                    # Done what we could: the camera-side Timeout stops it in any case.
                    self.sent = STILL
                else:
                    self.sent = (9.0, 9.0, 9.0)  # unknown, so the stop below is sent
                    self.wanted = STILL
                    self._changed.set()

    async def _watch_loop(self) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY_S)
            if self.wanted != STILL and self.monotonic() - self.heard > self.dead_man_s:
                self.halt()
                self.on_dead_man()

    async def close(self) -> None:
        """Stop the camera (bounded by the camera's deadline) and end the loops.

        The stop goes through the send loop, after any move already on its way has been
        answered: a move cut off mid-request could otherwise reach the camera after the stop.
        """
        self.halt()
        loop = asyncio.get_running_loop()
        end = loop.time() + CAMERA_TIMEOUT_S + 0.5
        while (self._in_flight is not None or self.sent != STILL) and loop.time() < end:
            await asyncio.sleep(0.01)
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # a move cut off while on its way may reach the camera: stop after it too
        if self.sent != STILL or self._in_flight not in (None, STILL):
            try:
                await self.camera.stop(self.token)
            except WatchkeeperError as exc:
                log.warning("could not stop %s: %s", self.camera.camera_id, exc)
            self.sent = STILL
