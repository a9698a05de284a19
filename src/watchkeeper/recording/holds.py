"""Holds: footage that retention and disk pressure must never delete (invariant 4).

A hold names one camera or every camera, a time range, a reference (incident, CAD, SAR), a
reason, the person or body that asked for it, and an optional expiry. Creating and releasing
are audited in the same transaction. Both lock the camera rows they cover, and the purge locks
the camera row before it unlinks a file, so a hold and a deletion can never cross.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.recording.models import RecordingHold, Segment
from watchkeeper.timeutil import Clock, SystemClock, format_utc

__all__ = [
    "RecordingHolds",
    "active_holds",
    "create_hold",
    "holds_covering",
    "lock_cameras",
    "release_hold",
    "segment_is_held",
]


def _active(now_us: int) -> ColumnElement[bool]:
    return (RecordingHold.released_us.is_(None)) & or_(
        RecordingHold.expires_us.is_(None), RecordingHold.expires_us > now_us
    )


def segment_is_held(now_us: int) -> ColumnElement[bool]:
    """SQL: an active hold overlaps this segment row (use in a WHERE on ``Segment``)."""
    return exists().where(
        _active(now_us),
        or_(RecordingHold.camera_id.is_(None), RecordingHold.camera_id == Segment.camera_id),
        RecordingHold.start_us < Segment.end_us,
        RecordingHold.end_us > Segment.start_us,
    )


def lock_cameras(session: Session, camera_id: str | None) -> None:
    """Row-lock one camera (or all) so holds and deletions on it take turns (PostgreSQL).

    SQLite has one writer at a time, which gives the same ordering.
    """
    q = select(Camera.id).with_for_update()
    if camera_id is not None:
        q = q.where(Camera.id == camera_id)
    session.execute(q).all()


def create_hold(
    session: Session,
    actor: Actor,
    camera_id: str | None,
    start_us: int,
    end_us: int,
    reference: str,
    reason: str,
    holder: str,
    expires_us: int | None = None,
    clock: Clock | None = None,
) -> RecordingHold:
    """Hold footage of one camera (or all, ``camera_id=None``) in ``[start_us, end_us)``."""
    now = (clock or SystemClock()).now_us()
    if end_us <= start_us:
        raise ValidationError("a hold must end after it starts")
    if not reference.strip() or not reason.strip() or not holder.strip():
        raise ValidationError("a hold needs a reference, a reason and a holder")
    if expires_us is not None and expires_us <= now:
        raise ValidationError("a hold's expiry must be in the future")
    if camera_id is not None and session.get(Camera, camera_id) is None:
        raise NotFound(f"camera {camera_id} not found")
    lock_cameras(session, camera_id)
    hold = RecordingHold(
        camera_id=camera_id,
        start_us=start_us,
        end_us=end_us,
        reference=reference.strip(),
        reason=reason.strip(),
        holder=holder.strip(),
        created_us=now,
        created_by=actor.username,
        expires_us=expires_us,
    )
    session.add(hold)
    session.flush()
    record(
        session,
        actor,
        "recording.hold.create",
        "recording_hold",
        str(hold.id),
        reason,
        {
            "camera_id": camera_id,
            "start": format_utc(start_us),
            "end": format_utc(end_us),
            "reference": hold.reference,
            "holder": hold.holder,
            "expires": format_utc(expires_us),
        },
        clock=clock,
    )
    return hold


def release_hold(
    session: Session, actor: Actor, hold_id: int, reason: str, clock: Clock | None = None
) -> RecordingHold:
    """Release a hold; the footage becomes subject to retention again."""
    now = (clock or SystemClock()).now_us()
    if not reason.strip():
        raise ValidationError("say why the hold is released")
    hold = session.get(RecordingHold, hold_id)
    if hold is None:
        raise NotFound(f"hold {hold_id} not found")
    lock_cameras(session, hold.camera_id)
    session.refresh(hold)
    if hold.released_us is not None:
        raise Conflict(f"hold {hold_id} was released already")
    hold.released_us, hold.released_by, hold.release_reason = now, actor.username, reason.strip()
    session.flush()
    record(
        session,
        actor,
        "recording.hold.release",
        "recording_hold",
        str(hold.id),
        reason,
        {"reference": hold.reference},
        clock=clock,
    )
    return hold


def active_holds(
    session: Session, now_us: int, camera_id: str | None = None
) -> list[RecordingHold]:
    """Holds in force now; with ``camera_id``, those covering that camera."""
    q = select(RecordingHold).where(_active(now_us)).order_by(RecordingHold.start_us)
    if camera_id is not None:
        q = q.where(or_(RecordingHold.camera_id.is_(None), RecordingHold.camera_id == camera_id))
    return list(session.execute(q).scalars())


def holds_covering(
    session: Session, camera_id: str, start_us: int, end_us: int, now_us: int
) -> list[RecordingHold]:
    """Who holds this footage, why and until when (for reports and refusals)."""
    return [
        h
        for h in active_holds(session, now_us, camera_id)
        if h.start_us < end_us and h.end_us > start_us
    ]


class RecordingHolds:
    """The recording engine's holds as the occurrence log asks for them (``HoldPlacer``).

    One hold row per camera; the id given back lists them all, so releasing the
    incident's marking releases every camera's hold together.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def place(
        self,
        session: Session,
        actor: Actor,
        camera_ids: Sequence[str],
        start_us: int,
        end_us: int,
        reference: str,
        reason: str,
        expires_us: int,
    ) -> str:
        if not camera_ids:
            raise ValidationError("name at least one camera to hold")
        ids = [
            create_hold(
                session,
                actor,
                cam,
                start_us,
                end_us,
                reference,
                reason,
                holder=actor.username,
                expires_us=expires_us,
                clock=self.clock,
            ).id
            for cam in camera_ids
        ]
        return ",".join(str(i) for i in ids)

    def release(self, session: Session, actor: Actor, hold_id: str, reason: str) -> None:
        for part in hold_id.split(","):
            release_hold(session, actor, int(part), reason, clock=self.clock)
