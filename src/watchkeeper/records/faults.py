"""The fault log: camera and system faults reported to the maintainer, and their repair.

A fault moves open → acknowledged (the maintainer has it) → fixed; each step is
timed, so time-to-repair figures come straight from the rows. The recorder calls
:func:`camera_offline` on its offline events: it opens a fault for the camera, or
adds a line to the fault already open, so an unstable link makes one fault, not fifty.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.records.log_models import Fault, FaultEvent
from watchkeeper.records.vocab import FaultStatus, enum_value
from watchkeeper.timeutil import Clock, SystemClock, check_us

__all__ = ["FaultService", "camera_fault", "camera_offline"]

RECORDER = Actor.system("recorder")


def _open_fault_for(s: Session, camera_id: str) -> Fault | None:
    return s.scalar(
        select(Fault)
        .where(Fault.camera_id == camera_id, Fault.status != FaultStatus.FIXED.value)
        .order_by(Fault.id.desc())
        .limit(1)
    )


def camera_offline(
    session: Session, camera_id: str, at_us: int, reason: str, clock: Clock | None = None
) -> Fault:
    """Open a fault for ``camera_id`` or add to the open one; the recorder's hook."""
    return camera_fault(session, camera_id, at_us, f"camera offline: {reason}", reason, clock=clock)


def camera_fault(
    session: Session,
    camera_id: str,
    at_us: int,
    text: str,
    reason: str = "",
    by: Actor = RECORDER,
    clock: Clock | None = None,
) -> Fault:
    """Open a fault for ``camera_id`` found by the system, or add a line to the open one."""
    if session.get(Camera, camera_id) is None:
        raise NotFound(f"no camera {camera_id!r}")
    fault = _open_fault_for(session, camera_id)
    text = text.strip()
    if fault is None:
        fault = Fault(
            camera_id=camera_id,
            summary=text,
            status=FaultStatus.OPEN.value,
            reported_us=at_us,
            reported_by=by.username,
        )
        session.add(fault)
        session.flush()
        action = "fault.open"
    else:
        action = "fault.note"
    session.add(FaultEvent(fault_id=fault.id, at_us=at_us, by=by.username, text=text))
    session.flush()
    record(
        session,
        by,
        action,
        "fault",
        str(fault.id),
        reason,
        {"camera": camera_id},
        clock=clock or SystemClock(),
    )
    return fault


class FaultService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def list(
        self, s: Session, who: Principal, status: str | None = None, limit: int = 200
    ) -> list[Fault]:
        who.require(Right.FAULTS_VIEW)
        q = select(Fault).options(selectinload(Fault.events))
        if status == "unfixed":
            q = q.where(Fault.status != FaultStatus.FIXED.value)
        elif status:
            q = q.where(Fault.status == enum_value(FaultStatus, status, "fault status"))
        return list(s.scalars(q.order_by(Fault.reported_us.desc()).limit(limit)))

    def get(self, s: Session, who: Principal, fault_id: int) -> Fault:
        who.require(Right.FAULTS_VIEW)
        fault = s.get(Fault, fault_id)
        if fault is None:
            raise NotFound(f"no fault {fault_id}")
        return fault

    def report(
        self,
        s: Session,
        who: Principal,
        summary: str,
        camera_id: str | None = None,
        component: str = "",
        maintainer: str = "",
        at_us: int | None = None,
    ) -> Fault:
        who.require(Right.FAULTS_WRITE)
        if not summary.strip():
            raise ValidationError("describe the fault")
        if camera_id is None and not component.strip():
            raise ValidationError("name the camera or the system component at fault")
        if camera_id is not None and s.get(Camera, camera_id) is None:
            raise ValidationError(f"no camera {camera_id!r}")
        now = self.clock.now_us()
        fault = Fault(
            camera_id=camera_id,
            component=component.strip(),
            summary=summary.strip(),
            status=FaultStatus.OPEN.value,
            reported_us=now if at_us is None else check_us(at_us, "the time of the fault"),
            reported_by=who.username,
            maintainer=maintainer.strip(),
        )
        s.add(fault)
        s.flush()
        self._event(s, who, fault, "fault.open", f"reported: {fault.summary}")
        return fault

    def acknowledge(
        self, s: Session, who: Principal, fault_id: int, maintainer_ref: str = "", note: str = ""
    ) -> Fault:
        fault = self._writable(s, who, fault_id)
        if fault.status != FaultStatus.OPEN.value:
            raise Conflict(f"fault {fault_id} is {fault.status}")
        fault.status = FaultStatus.ACKNOWLEDGED.value
        fault.acknowledged_us = self.clock.now_us()
        fault.maintainer_ref = maintainer_ref.strip()
        self._event(s, who, fault, "fault.acknowledge", note or "acknowledged by maintainer")
        return fault

    def fix(self, s: Session, who: Principal, fault_id: int, note: str) -> Fault:
        fault = self._writable(s, who, fault_id)
        if not note.strip():
            raise ValidationError("say what was done to fix it")
        now = self.clock.now_us()
        fault.status = FaultStatus.FIXED.value
        fault.fixed_us = now
        if fault.acknowledged_us is None:
            fault.acknowledged_us = now
        self._event(s, who, fault, "fault.fix", note)
        return fault

    def note(self, s: Session, who: Principal, fault_id: int, text: str) -> Fault:
        fault = self._writable(s, who, fault_id)
        if not text.strip():
            raise ValidationError("the note is empty")
        self._event(s, who, fault, "fault.note", text)
        return fault

    def _writable(self, s: Session, who: Principal, fault_id: int) -> Fault:
        who.require(Right.FAULTS_WRITE)
        fault = self.get(s, who, fault_id)
        if fault.status == FaultStatus.FIXED.value:
            raise Conflict(f"fault {fault_id} is fixed; report a new one")
        return fault

    def _event(self, s: Session, who: Principal, fault: Fault, action: str, text: str) -> None:
        s.add(
            FaultEvent(
                fault_id=fault.id, at_us=self.clock.now_us(), by=who.username, text=text.strip()
            )
        )
        s.flush()
        record(
            s,
            who.actor,
            action,
            "fault",
            str(fault.id),
            "",
            {"camera": fault.camera_id},
            clock=self.clock,
        )
