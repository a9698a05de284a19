"""What the dashboard and the shift page show, read from the existing services and tables.

Read-only queries in one place, so the two pages agree: the recorder's disk status, which
active cameras are not streaming, open faults and incidents, holds that lapse soon, the shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.recording.holds import active_holds
from watchkeeper.recording.models import RecordingHold, StreamEvent, StreamState
from watchkeeper.recording.retention import DiskStatus
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.vocab import IncidentStatus
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_DAY

__all__ = [
    "CameraAlarm",
    "cameras_not_streaming",
    "disk_status",
    "expiring_holds",
    "open_incidents",
    "reviews_due",
]


@dataclass(frozen=True)
class CameraAlarm:
    camera_id: str
    name: str
    state: str
    since_us: int | None
    reason: str


def disk_status(system: System) -> DiskStatus | None:
    """The recorder's retention status; ``None`` when this process does not record.

    Free space is read at each call; the recording rate behind the projected days may be
    up to a minute old (summing a day of the index costs a third of a second at 138
    cameras)."""
    if system.recorder is None:
        return None
    return system.recorder.retention.disk_status(rate_age_s=60.0)


def cameras_not_streaming(s: Session) -> list[CameraAlarm] | None:
    """Active cameras whose main stream's latest state is not streaming.

    ``None`` while the recorder has never reported on any camera (nothing to judge by).
    """
    ranked = (
        select(
            StreamEvent.id,
            func.row_number()
            .over(
                partition_by=StreamEvent.camera_id,
                order_by=(StreamEvent.at_us.desc(), StreamEvent.id.desc()),
            )
            .label("n"),
            StreamEvent.camera_id,
        )
        .where(StreamEvent.stream == "main")
        .subquery()
    )
    latest = select(ranked.c.id, ranked.c.camera_id).where(ranked.c.n == 1).subquery()
    rows = s.execute(
        select(Camera.id, Camera.name, StreamEvent.state, StreamEvent.at_us, StreamEvent.reason)
        .outerjoin(latest, latest.c.camera_id == Camera.id)
        .outerjoin(StreamEvent, StreamEvent.id == latest.c.id)
        .where(Camera.status == CameraStatus.ACTIVE)
        .order_by(Camera.id)
    ).all()
    if not any(r.state for r in rows):
        return None
    return [
        CameraAlarm(r.id, r.name, r.state or "never seen", r.at_us, r.reason or "")
        for r in rows
        if r.state != StreamState.STREAMING.value
    ]


def open_incidents(s: Session, limit: int = 20) -> list[Incident]:
    q = (
        select(Incident)
        .where(Incident.status == IncidentStatus.OPEN.value)
        .order_by(Incident.opened_us.desc())
        .limit(limit)
    )
    return list(s.scalars(q))


def expiring_holds(s: Session, now_us: int, days: int = 7) -> list[RecordingHold]:
    """Holds in force now that lapse within ``days``, soonest first."""
    horizon = now_us + days * US_PER_DAY
    due = [
        h for h in active_holds(s, now_us) if h.expires_us is not None and h.expires_us <= horizon
    ]
    return sorted(due, key=lambda h: h.expires_us or 0)


def reviews_due(s: Session, today: date, within_days: int = 30) -> list[Camera]:
    """Cameras in service whose privacy review is overdue or due within ``within_days``."""
    q = (
        select(Camera)
        .where(
            Camera.status != CameraStatus.DECOMMISSIONED,
            Camera.next_review.is_not(None),
            Camera.next_review <= today + timedelta(days=within_days),
        )
        .order_by(Camera.next_review, Camera.id)
    )
    return list(s.scalars(q))
