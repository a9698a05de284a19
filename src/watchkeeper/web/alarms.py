"""Disk and recording alarms for the banner every page shows to supervisory roles.

Invariants:
- Cheap per request: computed at most once per ``ttl_s`` (a few seconds) for the whole
  process, behind a lock, so a page load costs a dictionary read; no query runs for a
  user who may not see alarms.
- The disk figures are the recorder's own (thresholds of ``RecorderConfig``, projected
  days from the last day's recording rate); a console that does not record shows none.
- A camera is in alarm when it is active and its main stream's latest state is not
  streaming, or it has indexed no footage for ``recent_seconds``; nothing is said about
  cameras while no recorder has ever reported on any (the dashboard's rule too).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.recording.models import Segment, SegmentState
from watchkeeper.recording.retention import DiskLevel, DiskStatus
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S
from watchkeeper.web.overview import CameraAlarm, cameras_not_streaming, disk_status

__all__ = ["AlarmWatch", "Alarms"]


@dataclass(frozen=True)
class Alarms:
    disk: DiskStatus | None
    cameras: list[CameraAlarm]

    @property
    def disk_alarm(self) -> bool:
        return self.disk is not None and self.disk.level is not DiskLevel.OK

    def __bool__(self) -> bool:
        return self.disk_alarm or bool(self.cameras)


def cameras_not_recording(s: Session, now_us: int, recent_us: int) -> list[CameraAlarm]:
    """Active cameras not streaming, or streaming with no footage indexed lately."""
    stopped = cameras_not_streaming(s)
    if stopped is None:
        return []
    recent = exists().where(
        Segment.camera_id == Camera.id,
        Segment.stream == "main",
        Segment.state == SegmentState.LIVE.value,
        Segment.start_us >= now_us - 2 * recent_us,  # the span index narrows on start
        Segment.end_us >= now_us - recent_us,
    )
    quiet = s.execute(
        select(Camera.id, Camera.name)
        .where(Camera.status == CameraStatus.ACTIVE, ~recent)
        .order_by(Camera.id)
    ).all()
    named = {c.camera_id for c in stopped}
    minutes = recent_us // (60 * US_PER_S)
    extra = [
        CameraAlarm(cid, name, "no footage", None, f"nothing indexed in {minutes} minutes")
        for cid, name in quiet
        if cid not in named
    ]
    return sorted([*stopped, *extra], key=lambda a: a.camera_id)


class AlarmWatch:
    """What the banner says, cached for ``ttl_s`` seconds."""

    def __init__(self, system: System, ttl_s: float = 5.0, recent_seconds: int = 300) -> None:
        self.system = system
        self.ttl_s = ttl_s
        self.recent_us = recent_seconds * US_PER_S
        self._lock = threading.Lock()
        self._cached: tuple[float, Alarms] | None = None

    def for_user(self, who: Principal | None) -> Alarms | None:
        if who is None or not who.can(Right.SYSTEM_ALARMS):
            return None
        return self.current()

    def current(self) -> Alarms:
        mono = self.system.clock.monotonic()
        with self._lock:
            if self._cached is not None and mono - self._cached[0] < self.ttl_s:
                return self._cached[1]
            alarms = self._compute()
            self._cached = (mono, alarms)
            return alarms

    def _compute(self) -> Alarms:
        with self.system.db.session() as s:
            cams = cameras_not_recording(s, self.system.clock.now_us(), self.recent_us)
        return Alarms(disk_status(self.system), cams)
