"""Fault log and visitors' book screens.

Faults: the list (unfixed first by default) with a report form, and a fault's page to
acknowledge, note and fix it, with time to repair. Faults the recorder opens for a camera
that went offline are rows like any other, so they appear here by themselves.
Visitors: sign in with the confidentiality declaration, what they were shown, sign out.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.visitors import VisitorIn
from watchkeeper.records.vocab import FaultStatus
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.templating import Pages

__all__ = ["DECLARATION", "build_router"]

FaultViewer = Annotated[Principal, Depends(require(Right.FAULTS_VIEW))]
FaultWriter = Annotated[Principal, Depends(require(Right.FAULTS_WRITE))]
Host = Annotated[Principal, Depends(require(Right.VISITORS_WRITE))]
Field = Annotated[str, Form()]
FILTERS = ("unfixed", "all", *(s.value for s in FaultStatus))

DECLARATION = (
    "I will not disclose anything I see or hear in this control room, I will not record or "
    "photograph any screen, and I understand my visit is logged."
)


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def faults_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        status: str = "unfixed",
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        chosen = status if status in FILTERS else "unfixed"
        rows = system.faults.list(s, who, None if chosen == "all" else chosen)
        cams = [c.id for c in system.cameras.list(s, who)]
        return pages.render_form(
            request,
            "faults.html",
            check,
            who=who,
            rows=rows,
            status=chosen,
            filters=FILTERS,
            camera_ids=cams,
            form=form,
            now_us=system.clock.now_us(),
        )

    @router.get("/faults", response_class=HTMLResponse)
    def faults(
        request: Request, system: SystemDep, s: SessionDep, who: FaultViewer, status: str = ""
    ) -> Response:
        return faults_page(request, system, s, who, status or "unfixed")

    @router.post("/faults")
    def report_fault(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: FaultWriter,
        camera: Field = "",
        component: Field = "",
        summary: Field = "",
        maintainer: Field = "",
    ) -> Response:
        check = FormCheck()
        cam = check.text("camera", camera, 64)
        comp = check.text("component", component, 100)
        text = check.text("summary", summary, 4000, required="describe the fault")
        who_fixes = check.text("maintainer", maintainer, 200)
        if not cam and not comp:
            check.add("camera", "name the camera, or the system component below")
        if cam and cam not in {c.id for c in system.cameras.list(s, who)}:
            check.add("camera", f"no camera {cam!r}")
        if check.ok:
            try:
                fault = system.faults.report(s, who, text, cam or None, comp, who_fixes)
            except REFUSALS as exc:
                check.refused("summary", exc)
            else:
                return RedirectResponse(f"/faults/{fault.id}", status_code=303)
        form = {"camera": camera, "component": component, "summary": summary,
                "maintainer": maintainer}  # fmt: skip
        return faults_page(request, system, s, who, "unfixed", check, form)

    def fault_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        fault_id: int,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        fault = system.faults.get(s, who, fault_id)
        return pages.render_form(
            request,
            "fault.html",
            check,
            who=who,
            f=fault,
            form=form,
            now_us=system.clock.now_us(),
        )

    @router.get("/faults/{fault_id}", response_class=HTMLResponse)
    def fault(
        request: Request, fault_id: int, system: SystemDep, s: SessionDep, who: FaultViewer
    ) -> Response:
        return fault_page(request, system, s, who, fault_id)

    def fault_step(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        fault_id: int,
        name: str,
        value: str,
        extra: dict[str, str] | None = None,
    ) -> Response:
        check = FormCheck()
        text = check.text(name, value, 4000, required="" if name == "ack_note" else "write it")
        if check.ok:
            try:
                if name == "ack_note":
                    ref = (extra or {}).get("maintainer_ref", "")
                    system.faults.acknowledge(s, who, fault_id, ref.strip()[:100], text)
                elif name == "fix_note":
                    system.faults.fix(s, who, fault_id, text)
                else:
                    system.faults.note(s, who, fault_id, text)
            except REFUSALS as exc:
                check.refused(name, exc)
            else:
                return RedirectResponse(f"/faults/{fault_id}", status_code=303)
        return fault_page(request, system, s, who, fault_id, check, {name: value, **(extra or {})})

    @router.post("/faults/{fault_id}/acknowledge")
    def acknowledge(
        request: Request,
        fault_id: int,
        system: SystemDep,
        s: SessionDep,
        who: FaultWriter,
        maintainer_ref: Field = "",
        ack_note: Field = "",
    ) -> Response:
        extra = {"maintainer_ref": maintainer_ref}
        return fault_step(request, system, s, who, fault_id, "ack_note", ack_note, extra)

    @router.post("/faults/{fault_id}/note")
    def note(
        request: Request,
        fault_id: int,
        system: SystemDep,
        s: SessionDep,
        who: FaultWriter,
        note_text: Field = "",
    ) -> Response:
        return fault_step(request, system, s, who, fault_id, "note_text", note_text)

    @router.post("/faults/{fault_id}/fix")
    def fix(
        request: Request,
        fault_id: int,
        system: SystemDep,
        s: SessionDep,
        who: FaultWriter,
        fix_note: Field = "",
    ) -> Response:
        return fault_step(request, system, s, who, fault_id, "fix_note", fix_note)

    def visitors_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, Any] | None = None,
    ) -> Response:
        recent = system.visitors.list(s, who)
        shown = {row.incident_id for v in recent for row in v.viewed if row.incident_id}
        q = select(Incident.id, Incident.ref).where(Incident.id.in_(shown))
        refs = {i: ref for i, ref in s.execute(q)}
        return pages.render_form(
            request,
            "visitors.html",
            check,
            who=who,
            on_site=system.visitors.list(s, who, on_site=True),
            recent=recent,
            incident_refs=refs,
            declaration=DECLARATION,
            form=form,
        )

    @router.get("/visitors", response_class=HTMLResponse)
    def visitors(request: Request, system: SystemDep, s: SessionDep, who: Host) -> Response:
        return visitors_page(request, system, s, who)

    @router.post("/visitors")
    def sign_in(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Host,
        name: Field = "",
        organisation: Field = "",
        purpose: Field = "",
        host: Field = "",
        police: Field = "",
        declaration: Field = "",
    ) -> Response:
        check = FormCheck()
        data = VisitorIn(
            name=check.text("name", name, 200, required="the visitor's name"),
            organisation=check.text("organisation", organisation, 200),
            purpose=check.text("purpose", purpose, 4000, required="why they are visiting"),
            host=check.text("host", host or who.username, 64, required="who hosts the visit"),
            police=bool(police),
            declaration_accepted=bool(declaration),
        )
        if not data.declaration_accepted:
            check.add("declaration", "the visitor must accept the declaration to come in")
        if check.ok:
            try:
                system.visitors.sign_in(s, who, data)
            except REFUSALS as exc:
                check.refused("name", exc)
            else:
                return RedirectResponse("/visitors", status_code=303)
        form = {"name": name, "organisation": organisation, "purpose": purpose, "host": host,
                "police": police}  # fmt: skip
        return visitors_page(request, system, s, who, check, form)

    @router.post("/visitors/{visitor_id}/viewed")
    def viewed(
        request: Request,
        visitor_id: int,
        system: SystemDep,
        s: SessionDep,
        who: Host,
        camera: Field = "",
        incident: Field = "",
        note: Field = "",
    ) -> Response:
        check = FormCheck()
        name = f"viewed-{visitor_id}"
        cam = check.text(name, camera, 64)
        ref = check.text(name, incident, 16)
        text = check.text(name, note, 2000)
        if check.ok:
            try:
                system.visitors.viewed(s, who, visitor_id, cam or None, ref or None, text)
            except REFUSALS as exc:
                check.refused(name, exc)
            else:
                return RedirectResponse("/visitors", status_code=303)
        form = {f"camera-{visitor_id}": camera, f"incident-{visitor_id}": incident,
                f"note-{visitor_id}": note}  # fmt: skip
        return visitors_page(request, system, s, who, check, form)

    @router.post("/visitors/{visitor_id}/out")
    def sign_out(
        request: Request, visitor_id: int, system: SystemDep, s: SessionDep, who: Host
    ) -> Response:
        try:
            system.visitors.sign_out(s, who, visitor_id)
        except REFUSALS as exc:
            check = FormCheck()
            check.refused("sign_out", exc)
            return visitors_page(request, system, s, who, check)
        return RedirectResponse("/visitors", status_code=303)

    return router
