"""The landing dashboard and the shift page (sign on/off, daily check, handover notes).

The dashboard lists what needs attention, each item linked to its page: disk level from
the recorder's retention status, active cameras not streaming, open faults, open
incidents, holds lapsing within a week, camera privacy reviews due (supervisory roles),
and the shift. What a role may not see is left out.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.governance.reviews import never_reviewed
from watchkeeper.records import handover
from watchkeeper.records.shifts import CheckAnswers
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.overview import (
    cameras_not_streaming,
    disk_status,
    expiring_holds,
    open_incidents,
    reviews_due,
)
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Anyone = Annotated[Principal, Depends(require(Right.PROFILE))]
Staff = Annotated[Principal, Depends(require(Right.SHIFTS_WRITE))]
Field = Annotated[str, Form()]


def _shift_context(system: System, s: Session, who: Principal) -> dict[str, Any]:
    last = system.shifts.last_handover(s)
    acks = handover.acknowledgements(s, last.id) if last else []
    health = system.shifts.health.summary(s)
    active = s.scalar(
        select(func.count()).select_from(Camera).where(Camera.status == CameraStatus.ACTIVE)
    )
    unfixed = system.faults.list(s, who, "unfixed") if who.can(Right.FAULTS_VIEW) else []
    return {
        "mine": system.shifts.current(s, who),
        "on_duty": system.shifts.on_duty(s),
        "check_due": system.shifts.check_due(s),
        "check": system.shifts.check_for(s, system.shifts.today()),
        "last": last,
        "acks": acks,
        "acked": any(a.username == who.username for a in acks),
        "health": health,
        "active_cameras": active or 0,
        "unfixed": unfixed,
        "disk": disk_status(system),
        "now_us": system.clock.now_us(),
    }


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request, system: SystemDep, s: SessionDep, who: Anyone) -> Response:
        now = system.clock.now_us()
        ctx: dict[str, Any] = {"disk": None, "cameras": None, "faults": None}
        if who.can(Right.SYSTEM_HEALTH):
            ctx["disk"] = disk_status(system)
            ctx["recorder_here"] = system.recorder is not None
            ctx["cameras"] = cameras_not_streaming(s)
        if who.can(Right.FAULTS_VIEW):
            ctx["faults"] = system.faults.list(s, who, "unfixed")
        if who.can(Right.INCIDENTS_VIEW):
            ctx["incidents"] = open_incidents(s)
        if who.can(Right.HOLDS_VIEW):
            ctx["reminder_days"] = system.settings.hold_reminder_days
            ctx["holds"] = expiring_holds(s, now, ctx["reminder_days"])
        if who.can(Right.STATS_VIEW) or who.can(Right.CAMERAS_MANAGE):  # supervisory roles
            ctx["reviews"] = reviews_due(s, system.shifts.today())
            ctx["today"] = system.shifts.today()
            ctx["never_reviewed"] = never_reviewed(s)
        if who.can(Right.SHIFTS_WRITE):
            ctx["mine"] = system.shifts.current(s, who)
            ctx["on_duty"] = system.shifts.on_duty(s)
            ctx["check_due"] = system.shifts.check_due(s)
        return pages.render(request, "dashboard.html", who=who, now_us=now, **ctx)

    def shift_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        return pages.render(
            request,
            "shift.html",
            status_code=status_code,
            who=who,
            errors=check.errors if check else {},
            form=form or {},
            **_shift_context(system, s, who),
        )

    @router.get("/shift", response_class=HTMLResponse)
    def shift(request: Request, system: SystemDep, s: SessionDep, who: Staff) -> Response:
        return shift_page(request, system, s, who)

    @router.post("/shift/on")
    def sign_on(request: Request, system: SystemDep, s: SessionDep, who: Staff) -> Response:
        check = FormCheck()
        try:
            system.shifts.sign_on(s, who)
        except REFUSALS as exc:
            check.refused("sign_on", exc)
            return shift_page(request, system, s, who, check, status_code=409)
        return RedirectResponse("/shift", status_code=303)

    @router.post("/shift/off")
    def sign_off(
        request: Request, system: SystemDep, s: SessionDep, who: Staff, handover_notes: Field = ""
    ) -> Response:
        check = FormCheck()
        notes = check.text("handover_notes", handover_notes, 10_000)
        if check.ok:
            try:
                system.shifts.sign_off(s, who, notes)
            except REFUSALS as exc:
                check.refused("handover_notes", exc)
        if not check.ok:
            form = {"handover_notes": handover_notes}
            return shift_page(request, system, s, who, check, form, status_code=422)
        return RedirectResponse("/shift", status_code=303)

    @router.post("/shift/handover/{entry_id}/read")
    def read_handover(
        request: Request, entry_id: int, system: SystemDep, s: SessionDep, who: Staff
    ) -> Response:
        try:
            handover.acknowledge(s, who, entry_id, system.clock)
        except REFUSALS as exc:
            check = FormCheck()
            check.refused("handover_read", exc)
            return shift_page(request, system, s, who, check, status_code=409)
        return RedirectResponse("/shift", status_code=303)

    @router.post("/shift/check")
    def daily_check(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Staff,
        cameras_total: Field = "",
        cameras_online: Field = "",
        cameras_recording: Field = "",
        police_link_ok: Field = "",
        radios_ok: Field = "",
        phone_ok: Field = "",
        faults_found: Field = "",
    ) -> Response:
        check = FormCheck()
        answers = CheckAnswers(
            police_link_ok=bool(police_link_ok),
            radios_ok=bool(radios_ok),
            phone_ok=bool(phone_ok),
            faults_found=check.text("faults_found", faults_found, 10_000),
            cameras_total=check.count("cameras_total", cameras_total),
            cameras_online=check.count("cameras_online", cameras_online),
            cameras_recording=check.count("cameras_recording", cameras_recording),
        )
        if check.ok:
            try:
                system.shifts.daily_check(s, who, answers)
            except REFUSALS as exc:
                check.refused("daily_check", exc)
        if not check.ok:
            form = {
                "cameras_total": cameras_total,
                "cameras_online": cameras_online,
                "cameras_recording": cameras_recording,
                "police_link_ok": police_link_ok,
                "radios_ok": radios_ok,
                "phone_ok": phone_ok,
                "faults_found": faults_found,
            }
            return shift_page(request, system, s, who, check, form, status_code=422)
        return RedirectResponse("/shift", status_code=303)

    return router
