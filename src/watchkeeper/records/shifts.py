"""The shift log: sign on and off, the first operator's daily check, handover notes.

The daily check is due once per local calendar day, done by whoever is on shift
first. Camera counts come from the injected :class:`CameraHealth` when the recorder
knows them; otherwise the operator types them in (or leaves them blank).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import Conflict, ValidationError
from watchkeeper.records.log_models import DailyCheck, Shift
from watchkeeper.timeutil import Clock, to_local

__all__ = ["CameraHealth", "CheckAnswers", "HealthSummary", "ShiftService"]


@dataclass(frozen=True)
class HealthSummary:
    total: int
    online: int
    recording: int


class CameraHealth(Protocol):
    """What the recorder knows of camera health (``recording.health.RecordedHealth``)."""

    def summary(self, session: Session) -> HealthSummary | None: ...


@dataclass
class CheckAnswers:
    police_link_ok: bool
    radios_ok: bool
    phone_ok: bool
    faults_found: str = ""
    cameras_total: int | None = None
    cameras_online: int | None = None
    cameras_recording: int | None = None


class ShiftService:
    def __init__(
        self,
        clock: Clock,
        health: CameraHealth,
        gate: Callable[[Session, Principal], None] | None = None,
    ) -> None:
        self.clock = clock
        self.health = health
        self.gate = gate
        """Called at sign-on; raises to refuse it (unread controlled documents)."""

    def today(self) -> date:
        return to_local(self.clock.now_us()).date()

    def on_duty(self, s: Session) -> list[Shift]:
        return list(s.scalars(select(Shift).where(Shift.off_us.is_(None)).order_by(Shift.on_us)))

    def current(self, s: Session, who: Principal) -> Shift | None:
        return s.scalar(select(Shift).where(Shift.username == who.username, Shift.off_us.is_(None)))

    def recent(self, s: Session, who: Principal, limit: int = 20) -> list[Shift]:
        who.require(Right.SHIFTS_WRITE)
        return list(s.scalars(select(Shift).order_by(Shift.on_us.desc()).limit(limit)))

    def last_handover(self, s: Session) -> Shift | None:
        """The latest signed-off shift that left notes, for the incoming operator."""
        return s.scalar(
            select(Shift)
            .where(Shift.off_us.is_not(None), Shift.handover != "")
            .order_by(Shift.off_us.desc())
            .limit(1)
        )

    def sign_on(self, s: Session, who: Principal) -> Shift:
        who.require(Right.SHIFTS_WRITE)
        if self.current(s, who) is not None:
            raise Conflict(f"{who.username} is signed on already")
        if self.gate is not None:
            self.gate(s, who)
        shift = Shift(user_id=who.user_id or None, username=who.username, on_us=self.clock.now_us())
        s.add(shift)
        s.flush()
        record(s, who.actor, "shift.on", "shift", str(shift.id), "", {}, clock=self.clock)
        return shift

    def sign_off(self, s: Session, who: Principal, handover: str = "") -> Shift:
        who.require(Right.SHIFTS_WRITE)
        shift = self.current(s, who)
        if shift is None:
            raise Conflict(f"{who.username} is not signed on")
        shift.off_us = self.clock.now_us()
        shift.handover = handover.strip()
        record(
            s,
            who.actor,
            "shift.off",
            "shift",
            str(shift.id),
            "",
            {"handover": bool(shift.handover)},
            clock=self.clock,
        )
        return shift

    def check_due(self, s: Session) -> bool:
        return s.scalar(select(DailyCheck.id).where(DailyCheck.day == self.today())) is None

    def check_for(self, s: Session, day: date) -> DailyCheck | None:
        return s.scalar(select(DailyCheck).where(DailyCheck.day == day))

    def daily_check(self, s: Session, who: Principal, answers: CheckAnswers) -> DailyCheck:
        who.require(Right.SHIFTS_WRITE)
        shift = self.current(s, who)
        if shift is None:
            raise Conflict("sign on before doing the daily check")
        if not self.check_due(s):
            raise Conflict(f"the daily check for {self.today().isoformat()} is done already")
        health = self.health.summary(s)
        total = health.total if health else answers.cameras_total
        online = health.online if health else answers.cameras_online
        recording = health.recording if health else answers.cameras_recording
        for n in (online, recording):
            if n is not None and total is not None and not 0 <= n <= total:
                raise ValidationError("camera counts must lie between 0 and the total")
        check = DailyCheck(
            day=self.today(),
            shift_id=shift.id,
            at_us=self.clock.now_us(),
            done_by=who.username,
            cameras_total=total,
            cameras_online=online,
            cameras_recording=recording,
            police_link_ok=answers.police_link_ok,
            radios_ok=answers.radios_ok,
            phone_ok=answers.phone_ok,
            faults_found=answers.faults_found.strip(),
        )
        s.add(check)
        s.flush()
        record(
            s,
            who.actor,
            "shift.daily_check",
            "daily_check",
            check.day.isoformat(),
            "",
            {
                "online": online,
                "recording": recording,
                "total": total,
                "police_link": answers.police_link_ok,
                "radios": answers.radios_ok,
                "phone": answers.phone_ok,
            },
            clock=self.clock,
        )
        return check
