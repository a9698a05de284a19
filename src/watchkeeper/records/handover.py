"""Handover notes read and acknowledged by the incoming operator.

An acknowledgement is an audit entry (``shift.handover_read`` on the shift that left the
notes): the audit chain already is the tamper-evident record of who did what and when, so
no table of its own is needed, and reading who has acknowledged is a query on that log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import Conflict, NotFound
from watchkeeper.records.log_models import Shift
from watchkeeper.timeutil import Clock

__all__ = ["ACTION", "Acknowledgement", "acknowledge", "acknowledgements"]

ACTION = "shift.handover_read"


@dataclass(frozen=True)
class Acknowledgement:
    username: str
    at_us: int


def acknowledgements(s: Session, shift_id: int) -> list[Acknowledgement]:
    """Who has read the handover notes of ``shift_id``, first reader first."""
    rows = s.execute(
        select(AuditEntry.username, AuditEntry.at_us)
        .where(
            AuditEntry.action == ACTION,
            AuditEntry.object_type == "shift",
            AuditEntry.object_id == str(shift_id),
        )
        .order_by(AuditEntry.seq)
    ).all()
    return [Acknowledgement(r.username, r.at_us) for r in rows]


def acknowledge(s: Session, who: Principal, shift_id: int, clock: Clock) -> Acknowledgement:
    """Record that ``who`` read the notes; once per person per handover."""
    who.require(Right.SHIFTS_WRITE)
    shift = s.get(Shift, shift_id)
    if shift is None or shift.off_us is None or not shift.handover:
        raise NotFound(f"no handover notes on shift {shift_id}")
    if any(a.username == who.username for a in acknowledgements(s, shift_id)):
        raise Conflict("you have acknowledged these notes already")
    entry = record(
        s, who.actor, ACTION, "shift", str(shift_id), "", {"from": shift.username}, clock=clock
    )
    return Acknowledgement(who.username, entry.at_us)
