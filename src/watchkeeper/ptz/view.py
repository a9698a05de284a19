"""Where a watched camera looks: its position told to the tiles (which mask the privacy
zones on live video from it), and the dwell alert on residential zones.

One task per camera that has a tile open. It reads GetStatus every 0.25 s while someone
steers or a tour runs, every 2 s otherwise (someone may move the camera from elsewhere),
and tells the tiles when the view changes. A residential zone that stays in view longer
than ``dwell_s`` raises one alert to the supervisors watching and one audit entry; it may
alert again once it has left the view.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from watchkeeper.audit.service import Actor, record
from watchkeeper.errors import WatchkeeperError
from watchkeeper.ptz.onvif import OnvifCamera, PtzPosition
from watchkeeper.ptz.privacy import ZoneBook
from watchkeeper.ptz.zones import Rect, active, to_space
from watchkeeper.timeutil import Clock

__all__ = ["DWELL_S", "ViewWatch"]

log = logging.getLogger(__name__)
DWELL_S = 60.0
FAST_S, SLOW_S = 0.25, 2.0
WHOLE_PICTURE = Rect(0.0, 0.0, 1.0, 1.0)
WATCH = Actor.system("ptz-watch")


@dataclass
class ViewWatch:
    camera_id: str
    camera: OnvifCamera
    token: str
    zones: ZoneBook
    clock: Clock
    busy: Callable[[], bool]
    """True while someone steers or a tour runs: read the position often."""
    tell: Callable[[dict[str, Any]], None]
    """To every tile of the camera."""
    alert: Callable[[dict[str, Any]], None]
    """To the supervisors' tiles of the camera."""
    dwell_s: float = DWELL_S
    last: PtzPosition | None = None
    _since: dict[str, float] = field(default_factory=dict)
    _alerted: set[str] = field(default_factory=set)
    _applying: tuple[str, ...] | None = None

    async def run(self) -> None:
        while True:
            try:
                pos = await self.camera.status(self.token)
            except WatchkeeperError as exc:
                log.info("view of %s unknown: %s", self.camera_id, exc)
                await asyncio.sleep(SLOW_S)
                continue
            here = (round(pos.pan, 4), round(pos.tilt, 4), round(pos.zoom, 4))
            if self.last is None or here != (self.last.pan, self.last.tilt, self.last.zoom):
                self.tell({"type": "view", "pan": here[0], "tilt": here[1], "zoom": here[2]})
            self.last = PtzPosition(*here)
            # Database work in a thread; what the tiles are told is sent from the loop.
            for msg in await asyncio.to_thread(self._dwell, self.last):
                (self.alert if msg["type"] == "alert" else self.tell)(msg)
            await asyncio.sleep(FAST_S if self.busy() else SLOW_S)

    def _dwell(self, pos: PtzPosition) -> list[dict[str, Any]]:
        """Messages for the tiles: the zones again when one was lifted or re-applied, and
        an alert for a residential zone in view too long (audited here)."""
        out: list[dict[str, Any]] = []
        view = to_space(self.zones.lens(self.camera_id), pos, WHOLE_PICTURE)
        now, mono = self.clock.now_us(), self.clock.monotonic()
        zones = self.zones.list(self.camera_id)
        applying = tuple(z.name for z in zones if active(z.lifted_until_us, now))
        if applying != self._applying:
            self._applying = applying
            out.append(self.zones.describe(self.camera_id))
        seen = set()
        for z in zones:
            if not (z.residential and active(z.lifted_until_us, now) and view.overlaps(z.space)):
                continue
            seen.add(z.name)
            since = self._since.setdefault(z.name, mono)
            if mono - since >= self.dwell_s and z.name not in self._alerted:
                self._alerted.add(z.name)
                out.append(self._raise(z.name, mono - since))
        for name in set(self._since) - seen:
            self._since.pop(name, None)
            self._alerted.discard(name)
        return out

    def _raise(self, zone: str, seconds: float) -> dict[str, Any]:
        text = (
            f"camera {self.camera_id} has looked at residential zone {zone!r} for {seconds:.0f} s"
        )
        with self.zones.db.session() as s:
            record(s, WATCH, "ptz.zone.dwell", "camera", self.camera_id, text,
                   {"zone": zone, "seconds": round(seconds)}, clock=self.clock)  # fmt: skip
        return {"type": "alert", "camera": self.camera_id, "zone": zone, "message": text}
