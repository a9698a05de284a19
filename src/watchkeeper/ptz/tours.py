"""Tours: a camera visits presets in turn, dwelling at each, while nobody steers it.

A tour pauses as soon as an operator holds the camera and resumes, at the next step,
once the camera is free again. The clock (``sleep``, ``monotonic``) is injected so the
tests can run tours on short dwells.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from watchkeeper.errors import WatchkeeperError

__all__ = ["TourRunner", "TourStep"]

log = logging.getLogger(__name__)
PAUSE_POLL_S = 0.1


class TourStep(BaseModel):
    preset: str = Field(min_length=1, max_length=100)
    dwell_s: float = Field(10.0, ge=0.2, le=3600)
    speed: float = Field(1.0, gt=0.0, le=1.0)


@dataclass
class TourRunner:
    camera_id: str
    steps: list[TourStep]
    goto: Callable[[str, float], Awaitable[None]]
    busy: Callable[[], bool]
    """True while an operator holds the camera: the tour waits."""
    monotonic: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    visits: list[tuple[str, float]] = field(default_factory=list)
    """(preset, monotonic time) of each arrival, for the console and the tests."""
    paused: bool = False

    async def _wait_free(self) -> None:
        while self.busy():
            self.paused = True
            await self.sleep(PAUSE_POLL_S)
        self.paused = False

    async def _dwell(self, seconds: float) -> None:
        end = self.monotonic() + seconds
        while (left := end - self.monotonic()) > 0:
            if self.busy():
                return  # an operator took the camera: the dwell is over
            await self.sleep(min(PAUSE_POLL_S, left))

    async def run(self) -> None:
        """Visit the steps in order, round and round, until cancelled."""
        if not self.steps:
            return
        while True:
            for step in self.steps:
                await self._wait_free()
                try:
                    await self.goto(step.preset, step.speed)
                except WatchkeeperError as exc:  # a lost preset or a dead camera: go on
                    log.warning("tour of %s: %s", self.camera_id, exc)
                else:
                    self.visits.append((step.preset, self.monotonic()))
                await self._dwell(step.dwell_s)
