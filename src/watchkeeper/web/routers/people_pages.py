"""Operators' records and controlled documents.

``/governance/operators``: training, vetting, confidentiality declarations and SIA
re-checks, with the evidence attached. ``/governance/documents``: issue a version of the
code of practice or a procedure; who has not read each current version. ``/documents``:
the signed-on staff's own reading list, acknowledged one version at a time (sign-on is
refused until it is empty).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.governance.models import DocKind, RecordKind
from watchkeeper.governance.people import DECLARATION, EVIDENCE_LIMIT, RecordIn
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.routers.gov_forms import attachment, form_date, read_upload
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.GOVERNANCE_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.GOVERNANCE_MANAGE))]
Staff = Annotated[Principal, Depends(require(Right.SHIFTS_WRITE))]
Field = Annotated[str, Form()]


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def operators_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        svc = system.governance.operators
        return pages.render_form(
            request,
            "operators.html",
            check,
            who=who,
            today=system.users.today(),
            staff=svc.staff(s, who),
            rows=svc.list(s, who),
            kinds=[k.value for k in RecordKind],
            form=form,
        )

    @router.get("/governance/operators", response_class=HTMLResponse)
    def operators(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        return operators_page(request, system, s, who)

    @router.post("/governance/operators")
    def add_record(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        username: Field = "",
        kind: Field = "",
        title: Field = "",
        done_on: Field = "",
        expires_on: Field = "",
        outcome: Field = "",
        evidence: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        check = FormCheck()
        title_v = check.text("title", title, 200, required="name the course, check or declaration")
        done = form_date(check, "done_on", done_on, required="when it was done")
        expires = form_date(check, "expires_on", expires_on)
        text = check.text("outcome", outcome, 4000)
        body, name, kind_type = read_upload(evidence, EVIDENCE_LIMIT)
        if check.ok and done is not None:
            try:
                system.governance.operators.add(
                    s, who, RecordIn(username, kind, title_v, done, expires, text),
                    body, name, kind_type,
                )  # fmt: skip
            except REFUSALS as exc:
                check.refused("evidence" if "attach" in str(exc) else "title", exc)
            else:
                return RedirectResponse("/governance/operators", status_code=303)
        form = {"username": username, "kind": kind, "title": title, "done_on": done_on,
                "expires_on": expires_on, "outcome": outcome}  # fmt: skip
        return operators_page(request, system, s, who, check, form)

    @router.get("/governance/operators/records/{record_id}/evidence")
    def evidence_file(record_id: int, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        row = system.governance.operators.get(s, who, record_id)
        if row.evidence is None:
            return Response(status_code=404)
        name = row.evidence_name.replace('"', "") or f"record-{row.id}"
        return attachment(row.evidence, row.evidence_type, name)

    def documents_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        docs = system.governance.documents
        return pages.render_form(
            request,
            "documents_admin.html",
            check,
            who=who,
            unread=docs.unread(s, who),
            kinds=[k.value for k in DocKind],
            form=form,
        )

    @router.get("/governance/documents", response_class=HTMLResponse)
    def documents(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        return documents_page(request, system, s, who)

    @router.post("/governance/documents")
    def issue(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        code: Field = "",
        title: Field = "",
        kind: Field = "",
        version: Field = "",
        changes: Field = "",
        body: Field = "",
    ) -> Response:
        check = FormCheck()
        code_v = check.text("code", code, 32, required="give the document's code (e.g. COP)")
        title_v = check.text("title", title, 200, required="give its title")
        version_v = check.text("version", version, 32, required="give the version")
        changes_v = check.text("changes", changes, 10_000, required="say what changed")
        body_v = check.text("body", body, 200_000)
        if check.ok:
            try:
                system.governance.documents.issue(
                    s, who, code_v, title_v, kind, version_v, changes_v, body_v
                )
            except REFUSALS as exc:
                check.refused("version", exc)
            else:
                return RedirectResponse("/governance/documents", status_code=303)
        form = {"code": code, "title": title, "kind": kind, "version": version,
                "changes": changes, "body": body}  # fmt: skip
        return documents_page(request, system, s, who, check, form)

    @router.get("/documents", response_class=HTMLResponse)
    def my_documents(request: Request, system: SystemDep, s: SessionDep, who: Staff) -> Response:
        docs = system.governance.documents
        return pages.render(
            request,
            "documents.html",
            who=who,
            unread=docs.unread_by(s, who.username),
            current=docs.documents(s),
            declaration=DECLARATION,
        )

    @router.post("/documents/{version_id}/read")
    def read(
        request: Request, version_id: int, system: SystemDep, s: SessionDep, who: Staff
    ) -> Response:
        system.governance.documents.acknowledge(s, who, version_id)
        return RedirectResponse("/documents", status_code=303)

    return router
