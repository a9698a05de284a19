"""The camera's clock: read over ONVIF at connect and hourly, offset kept and faulted.

ONVIF gives whole seconds, so the offset is exact to about a second; the request's round
trip is split in two (the camera's time is taken as read at the midpoint).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from watchkeeper.audit.service import Actor
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.records.faults import camera_fault
from watchkeeper.timeutil import US_PER_S

__all__ = ["CHECK_EVERY_S", "FAULT_OVER_US", "ClockWatch"]

log = logging.getLogger(__name__)
FAULT_OVER_US = 2 * US_PER_S
CHECK_EVERY_S = 3600.0
CLOCK_WATCH = Actor.system("clock-watch")


class ClockWatch:
    """Measures camera clock offsets and hands them to the recorder and the fault log."""

    def __init__(
        self,
        directory: PtzDirectory,
        set_offset: Callable[[str, int | None], None] | None = None,
    ) -> None:
        self.directory = directory
        self.set_offset = set_offset

    async def check(self, camera_id: str) -> int:
        """Camera clock minus ours, in µs; stored, passed on, and faulted over 2 s."""
        cam = await self.directory.camera(camera_id)
        clock = self.directory.clock
        before = clock.now_us()
        camera_us = await cam.clock_us()
        after = clock.now_us()
        offset = camera_us - (before + after) // 2
        await asyncio.to_thread(self._keep, camera_id, offset)
        return offset

    def _keep(self, camera_id: str, offset: int) -> None:
        d = self.directory
        d.store_clock(camera_id, offset)
        if self.set_offset is not None:
            self.set_offset(camera_id, offset)
        if abs(offset) > FAULT_OVER_US:
            text = (
                f"camera clock is {offset / US_PER_S:+.1f} s off "
                "(check the camera's time server); recordings carry the offset"
            )
            with d.db.session() as s:
                camera_fault(
                    s, camera_id, d.clock.now_us(), text, "clock offset", CLOCK_WATCH, d.clock
                )

    async def run(self, camera_ids: list[str], every_s: float = CHECK_EVERY_S) -> None:
        """Check every camera now and then every ``every_s`` seconds, until cancelled."""
        while True:
            for camera_id in camera_ids:
                try:
                    await self.check(camera_id)
                except Exception as exc:  # one camera's failure must not stop the others
                    log.warning("clock check of %s failed: %s", camera_id, exc)
            await asyncio.sleep(every_s)
