"""Disclosure request screens: list with deadlines, new request per kind, the request page
with every step of its workflow, and the disclosure register (page and CSV).

Plain forms that post and redirect; htmx refreshes the export progress in place.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import Conflict, ValidationError
from watchkeeper.evidence.custody import (
    CustodyNote,
    add_entry,
    entries,
    register_csv,
    released,
    stills_made,
    stills_register_csv,
)
from watchkeeper.evidence.deadlines import urgency
from watchkeeper.evidence.kinds import KINDS
from watchkeeper.evidence.letters import LETTERS, render_letter
from watchkeeper.evidence.models import CustodyAction, ExportJob, JobState, RequestKind
from watchkeeper.evidence.requests import RequestSpec
from watchkeeper.timeutil import parse_local, to_local
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import FormCheck
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import parse_uk_time

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.REQUESTS_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.REQUESTS_MANAGE))]
Approver = Annotated[Principal, Depends(require(Right.REQUESTS_APPROVE))]
Exporter = Annotated[Principal, Depends(require(Right.EVIDENCE_EXPORT))]
Text = Annotated[str, Form(max_length=2000)]


async def form_lists(request: Request) -> dict[str, list[str]]:
    """Every field of a posted form (fields vary by request kind)."""
    form = await request.form()
    return {k: [str(v) for v in form.getlist(k)] for k in form}


FormLists = Annotated[dict[str, list[str]], Depends(form_lists)]


def _local(text: str) -> int:
    """``dd/mm/yyyy hh:mm[:ss]`` as typed (London time), or ISO from an older form."""
    try:
        return parse_uk_time(text)
    except ValidationError:
        pass
    try:
        return parse_local(text)
    except ValueError as exc:
        raise ValidationError(f"{text!r} is not a time: use dd/mm/yyyy hh:mm:ss") from exc


def jobs_context(s: Session, request_id: int) -> dict[str, Any]:
    """The export table's template values: the request's jobs, and whether to poll."""
    q = select(ExportJob).where(ExportJob.request_id == request_id).order_by(ExportJob.id)
    jobs = list(s.scalars(q))
    busy = any(j.state in (JobState.QUEUED.value, JobState.RUNNING.value) for j in jobs)
    return {"jobs": jobs, "busy": busy, "link": None, "link_job": None, "password": None}


def _one(f: dict[str, list[str]], name: str) -> str:
    return (f.get(name) or [""])[0]


def _back(ref: str) -> RedirectResponse:
    return RedirectResponse(f"/requests/{ref}", status_code=303)


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/requests", response_class=HTMLResponse)
    def requests_list(
        request: Request, system: SystemDep, s: SessionDep, who: Viewer, closed: bool = False
    ) -> Response:
        rows = system.requests.browse(s, who, open_only=not closed)
        today = to_local(system.clock.now_us()).date()
        marks = {r.id: urgency(r.due_on, today).value for r in rows if r.due_on and
                 r.state != "closed"}  # fmt: skip
        return pages.render(request, "requests.html", who=who, rows=rows, marks=marks,
                            kinds=KINDS, closed=closed)  # fmt: skip

    @router.get("/requests/new", response_class=HTMLResponse)
    def new_request(
        request: Request, system: SystemDep, s: SessionDep, who: Manager, kind: str = "police"
    ) -> Response:
        try:
            k = RequestKind(kind)
        except ValueError as exc:
            raise ValidationError(f"unknown request kind {kind!r}") from exc
        cams = system.cameras.list(s, who)
        return pages.render(request, "request_new.html", who=who, kind=k, rule=KINDS[k],
                            kinds=KINDS, cameras=cams)  # fmt: skip

    @router.post("/requests/new")
    def create_request(system: SystemDep, s: SessionDep, who: Manager, f: FormLists) -> Response:
        try:
            kind = RequestKind(_one(f, "kind"))
        except ValueError as exc:
            raise ValidationError("choose the kind of request") from exc
        spec = RequestSpec(
            kind=kind, requester_name=_one(f, "requester_name"),
            lawful_basis=_one(f, "lawful_basis"),
            camera_ids=f.get("camera", []), start_us=_local(_one(f, "start")),
            end_us=_local(_one(f, "end")), requester_org=_one(f, "requester_org"),
            requester_contact=_one(f, "requester_contact"), incidents=_one(f, "incidents"),
            fields={name: _one(f, f"f_{name}") for name, _ in KINDS[kind].fields},
        )  # fmt: skip
        req = system.requests.receive(s, who, spec)
        return _back(req.ref)

    @router.get("/requests/{ref}", response_class=HTMLResponse)
    def request_page(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        return _request_page(request, ref, system, s, who)

    def _request_page(
        request: Request, ref: str, system: Any, s: Session, who: Principal,
        check: FormCheck | None = None, form: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        req = system.requests.get(s, who, ref)
        today = to_local(system.clock.now_us()).date()
        return pages.render_form(
            request, "request.html", check, form, who=who, req=req,
            rule=KINDS[RequestKind(req.kind)],
            fields=json.loads(req.fields), custody=entries(s, req.id),
            mark=urgency(req.due_on, today).value if req.due_on else "",
            actions=list(CustodyAction), letters=LETTERS, **jobs_context(s, req.id),
        )  # fmt: skip

    @router.get("/requests/{ref}/jobs", response_class=HTMLResponse)
    def request_jobs(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        req = system.requests.get(s, who, ref)
        return pages.render(request, "_request_jobs.html", who=who, req=req,
                            **jobs_context(s, req.id))  # fmt: skip

    @router.post("/requests/{ref}/identity")
    def identity(ref: str, system: SystemDep, s: SessionDep, who: Manager, how: Text) -> Response:
        system.requests.verify_identity(s, who, ref, how)
        return _back(ref)

    @router.post("/requests/{ref}/search")
    def search(ref: str, system: SystemDep, s: SessionDep, who: Manager) -> Response:
        system.requests.start_search(s, who, ref)
        return _back(ref)

    @router.post("/requests/{ref}/review")
    def review(
        ref: str, system: SystemDep, s: SessionDep, who: Manager, note: Text = ""
    ) -> Response:
        system.requests.to_review(s, who, ref, note)
        return _back(ref)

    @router.post("/requests/{ref}/decide")
    def decide(ref: str, system: SystemDep, s: SessionDep, who: Approver, f: FormLists) -> Response:
        approvers = {k[9:]: v[0] for k, v in f.items() if k.startswith("approver_") and v}
        approve = _one(f, "decision") == "approve"
        system.requests.decide(s, who, ref, approve, _one(f, "reasons"), _one(f, "exemptions"),
                               approvers)  # fmt: skip
        return _back(ref)

    @router.post("/requests/{ref}/pause")
    def pause(ref: str, system: SystemDep, s: SessionDep, who: Manager, reason: Text) -> Response:
        system.requests.pause(s, who, ref, reason)
        return _back(ref)

    @router.post("/requests/{ref}/resume")
    def resume(ref: str, system: SystemDep, s: SessionDep, who: Manager) -> Response:
        system.requests.resume(s, who, ref)
        return _back(ref)

    @router.post("/requests/{ref}/extend")
    def extend(
        ref: str, system: SystemDep, s: SessionDep, who: Approver,
        months: Annotated[int, Form(ge=1, le=2)], reason: Text,
    ) -> Response:  # fmt: skip
        system.requests.extend(s, who, ref, months, reason)
        return _back(ref)

    @router.post("/requests/{ref}/export")
    def export(
        ref: str, system: SystemDep, s: SessionDep, who: Exporter,
        stills: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:  # fmt: skip
        at = [_local(x) for x in stills.replace(";", ",").split(",") if x.strip()]
        system.requests.start_export(s, who, ref, at)
        if system.exports is not None:
            s.commit()
            system.exports.wake()
        return _back(ref)

    @router.post("/requests/{ref}/release")
    def release(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Manager,
        to: Annotated[str, Form(max_length=500)], how: Annotated[str, Form(max_length=500)],
        unredacted_reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:  # fmt: skip
        try:
            system.requests.release(s, who, ref, to, how, unredacted_reason)
        except (Conflict, ValidationError) as exc:  # refused before any change: shown
            check = FormCheck()
            check.refused("release", exc)
            form = {"to": to, "how": how, "unredacted_reason": unredacted_reason}
            return _request_page(request, ref, system, s, who, check, form)
        return _back(ref)

    @router.post("/requests/{ref}/close")
    def close(ref: str, system: SystemDep, s: SessionDep, who: Manager, reason: Text) -> Response:
        system.requests.close(s, who, ref, reason)
        return _back(ref)

    @router.post("/requests/{ref}/custody")
    def custody(
        ref: str, system: SystemDep, s: SessionDep, who: Manager,
        action: Annotated[CustodyAction, Form()], recipient: Text = "",
        collar_number: Annotated[str, Form(max_length=32)] = "",
        force: Annotated[str, Form(max_length=100)] = "",
        medium_id: Annotated[str, Form(max_length=100)] = "",
        hash_checked: Annotated[bool, Form()] = False, notes: Text = "",
    ) -> Response:  # fmt: skip
        req = system.requests.get(s, who, ref)
        note = CustodyNote(action, recipient, collar_number, force, medium_id, hash_checked,
                           notes=notes)  # fmt: skip
        add_entry(s, who, req.id, None, note, system.clock)
        return _back(ref)

    @router.get("/requests/{ref}/letter")
    def letter(ref: str, system: SystemDep, s: SessionDep, who: Viewer, name: str) -> Response:
        req = system.requests.get(s, who, ref)
        pdf = render_letter(req, name, system.settings.data_dir, system.clock.now_us())
        record(s, who.actor, "request.letter", "evidence_request", req.ref, name,
               {"letter": name}, clock=system.clock)  # fmt: skip
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{req.ref}-{name}.pdf"'})  # fmt: skip

    @router.get("/stills", response_class=HTMLResponse)
    def stills_register(request: Request, s: SessionDep, who: Viewer) -> Response:
        return pages.render(request, "stills.html", who=who, rows=stills_made(s, who))

    @router.get("/stills.csv")
    def stills_csv(s: SessionDep, who: Viewer) -> Response:
        return Response(
            stills_register_csv(stills_made(s, who)), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="stills-register.csv"'},
        )  # fmt: skip

    @router.get("/disclosures", response_class=HTMLResponse)
    def disclosures(request: Request, s: SessionDep, who: Viewer) -> Response:
        return pages.render(request, "disclosures.html", who=who, rows=released(s, who))

    @router.get("/disclosures.csv")
    def disclosures_csv(s: SessionDep, who: Viewer) -> Response:
        return Response(
            register_csv(released(s, who)), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="disclosure-register.csv"'},
        )  # fmt: skip

    return router
