"""Holds and gap-report screens over the recording engine.

Holds: every hold with who placed it, who asked, why and until when; search; a
supervisor releases one with a reason. A hold placed by marking an incident's cameras is
released through the incident, so the incident's record says so too.
Gaps: one camera's local day, recorded spans and gaps with their reasons.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import ValidationError
from watchkeeper.recording.gaps import DayReport, day_report
from watchkeeper.recording.holds import release_hold
from watchkeeper.recording.models import RecordingHold
from watchkeeper.records.incident_models import Incident, IncidentCamera
from watchkeeper.records.vocab import IncidentStatus
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_DAY, date_to_us, to_local
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.overview import expiring_holds
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import format_uk, format_uk_date, parse_uk_date

__all__ = ["build_router"]

HoldViewer = Annotated[Principal, Depends(require(Right.HOLDS_VIEW))]
Releaser = Annotated[Principal, Depends(require(Right.HOLDS_RELEASE))]
Health = Annotated[Principal, Depends(require(Right.SYSTEM_HEALTH))]
STATES = ("active", "lapsing soon", "lapsed", "released", "all")


def _incident_holds(s: Session) -> dict[int, tuple[str, str]]:
    """Recording hold id → (incident ref, the marking's hold id) for incident-placed holds."""
    rows = s.execute(
        select(IncidentCamera.hold_id, Incident.ref).join(
            Incident, Incident.id == IncidentCamera.incident_id
        )
    ).all()
    found: dict[int, tuple[str, str]] = {}
    for marking, ref in rows:
        for part in marking.split(","):
            if part.strip().isdigit():
                found[int(part)] = (ref, marking)
    return found


def _holds(s: Session, now_us: int, q: str, state: str, soon_us: int) -> list[RecordingHold]:
    """Holds by state; ``q`` matches reference, reason, who asked, who placed, camera and
    the expiry as printed (``12/2026`` finds holds lapsing in December 2026)."""
    query = select(RecordingHold).order_by(RecordingHold.created_us.desc()).limit(500)
    if state == "released":
        query = query.where(RecordingHold.released_us.is_not(None))
    elif state != "all":
        query = query.where(RecordingHold.released_us.is_(None))
    rows = list(s.scalars(query))
    if state in ("active", "lapsing soon"):  # lapsed holds are no longer in force
        rows = [h for h in rows if h.expires_us is None or h.expires_us > now_us]
    if state == "lapsing soon":
        rows = [h for h in rows if h.expires_us is not None and h.expires_us <= now_us + soon_us]
    elif state == "lapsed":
        rows = [h for h in rows if h.expires_us is not None and h.expires_us <= now_us]
    needle = q.strip().lower()
    if needle:
        rows = [
            h
            for h in rows
            if needle
            in f"{h.reference} {h.reason} {h.holder} {h.created_by} {h.camera_id or ''} "
            f"{format_uk(h.expires_us)}".lower()
        ]
    return rows


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def holds_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        q: str = "",
        state: str = "active",
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        chosen = state if state in STATES else "active"
        now = system.clock.now_us()
        return pages.render_form(
            request,
            "holds.html",
            check,
            who=who,
            rows=_holds(s, now, q, chosen, system.settings.hold_reminder_days * US_PER_DAY),
            incident_of=_incident_holds(s),
            open_refs=set(
                s.scalars(select(Incident.ref).where(Incident.status == IncidentStatus.OPEN.value))
            ),
            reminder_days=system.settings.hold_reminder_days,
            due=expiring_holds(s, now, system.settings.hold_reminder_days),
            q=q,
            state=chosen,
            states=STATES,
            now_us=now,
            form=form,
        )

    @router.get("/holds", response_class=HTMLResponse)
    def holds(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: HoldViewer,
        q: str = "",
        state: str = "active",
    ) -> Response:
        return holds_page(request, system, s, who, q, state)

    @router.post("/holds/{hold_id}/release")
    def release(
        request: Request,
        hold_id: int,
        system: SystemDep,
        s: SessionDep,
        who: Releaser,
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        check = FormCheck()
        why = check.text(f"reason-{hold_id}", reason, 2000, required="say why it is released")
        if check.ok:
            marking = _incident_holds(s).get(hold_id)
            try:
                if marking is not None:
                    system.incidents.release_hold(s, who, marking[0], marking[1], why)
                else:
                    release_hold(s, who.actor, hold_id, why, clock=system.clock)
            except REFUSALS as exc:
                check.refused(f"reason-{hold_id}", exc)
            else:
                return RedirectResponse("/holds?state=released", status_code=303)
        return holds_page(request, system, s, who, check=check, form={f"reason-{hold_id}": reason})

    @router.get("/gaps", response_class=HTMLResponse)
    def gaps(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Health,
        camera: str = "",
        day: str = "",
    ) -> Response:
        cams = system.cameras.list(s, who)
        now = system.clock.now_us()
        check = FormCheck()
        chosen: date = to_local(now).date()
        if day.strip():
            try:
                chosen = parse_uk_date(day)
            except ValidationError as exc:
                check.refused("day", exc)
        if camera and camera not in {c.id for c in cams}:
            check.add("camera", f"no camera {camera!r}")
        report: DayReport | None = None
        if camera and check.ok:
            report = day_report(s, camera, chosen, now_us=now)
        length = date_to_us(chosen + timedelta(days=1)) - date_to_us(chosen)
        return pages.render(
            request,
            "gaps.html",
            status_code=422 if not check.ok else 200,
            who=who,
            cameras=cams,
            camera=camera,
            day=day.strip() or format_uk_date(chosen),
            report=report,
            length=length,
            errors=check.errors,
        )

    return router
