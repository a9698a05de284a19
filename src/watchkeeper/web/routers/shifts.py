"""Shift log over HTTP: sign on and off, daily check, handover notes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.shifts import CheckAnswers
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import ShiftOut

__all__ = ["router"]

router = APIRouter(prefix="/api/shifts", tags=["shifts"])
Staff = Annotated[Principal, Depends(require(Right.SHIFTS_WRITE))]


@router.get("")
def overview(system: SystemDep, s: SessionDep, who: Staff) -> dict[str, Any]:
    last = system.shifts.last_handover(s)
    return {
        "on_duty": [ShiftOut.of(x) for x in system.shifts.on_duty(s)],
        "recent": [ShiftOut.of(x) for x in system.shifts.recent(s, who)],
        "daily_check_due": system.shifts.check_due(s),
        "last_handover": ShiftOut.of(last) if last else None,
    }


@router.post("/sign-on", status_code=201)
def sign_on(system: SystemDep, s: SessionDep, who: Staff) -> ShiftOut:
    return ShiftOut.of(system.shifts.sign_on(s, who))


@router.post("/sign-off")
def sign_off(
    system: SystemDep,
    s: SessionDep,
    who: Staff,
    handover: Annotated[str, Body(embed=True, max_length=10000)] = "",
) -> ShiftOut:
    return ShiftOut.of(system.shifts.sign_off(s, who, handover))


@router.post("/daily-check", status_code=201)
def daily_check(
    system: SystemDep,
    s: SessionDep,
    who: Staff,
    police_link_ok: Annotated[bool, Body()],
    radios_ok: Annotated[bool, Body()],
    phone_ok: Annotated[bool, Body()],
    faults_found: Annotated[str, Body(max_length=10000)] = "",
    cameras_total: Annotated[int | None, Body(ge=0, le=100_000)] = None,
    cameras_online: Annotated[int | None, Body(ge=0, le=100_000)] = None,
    cameras_recording: Annotated[int | None, Body(ge=0, le=100_000)] = None,
) -> dict[str, Any]:
    answers = CheckAnswers(
        police_link_ok,
        radios_ok,
        phone_ok,
        faults_found,
        cameras_total,
        cameras_online,
        cameras_recording,
    )
    c = system.shifts.daily_check(s, who, answers)
    return {
        "day": c.day.isoformat(),
        "done_by": c.done_by,
        "cameras_total": c.cameras_total,
        "cameras_online": c.cameras_online,
        "cameras_recording": c.cameras_recording,
        "police_link_ok": c.police_link_ok,
        "radios_ok": c.radios_ok,
        "phone_ok": c.phone_ok,
        "faults_found": c.faults_found,
    }
