"""Commercial clients: contract and terms, their cameras and users, monthly reports.

Reports are generated on demand here (``governance.manage``) and on schedule by the
``reports monthly`` command; each month's PDF is kept and downloaded as generated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound
from watchkeeper.governance.clients import TermsIn, previous_month
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.routers.gov_forms import attachment, form_date
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.GOVERNANCE_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.GOVERNANCE_MANAGE))]
ClientViewer = Annotated[Principal, Depends(require(Right.CLIENT_REPORTS))]
Field = Annotated[str, Form()]
TERMS = ("contract_ref", "contract_start", "contract_end", "contacts", "retention_days",
         "disclosure_approvers", "report_to")  # fmt: skip


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/governance/clients", response_class=HTMLResponse)
    def clients(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        svc = system.governance.clients
        rows = [(c, svc.terms(s, c.id), len(svc.cameras(s, c.id))) for c in svc.all(s, who)]
        return pages.render(request, "clients.html", who=who, rows=rows)

    def client_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        client_id: str,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        svc = system.governance.clients
        client = svc.get(s, who, client_id)
        terms = svc.terms(s, client.id)
        shown = form
        if shown is None:
            shown = {k: "" if terms is None or getattr(terms, k) is None else str(getattr(terms, k))
                     for k in TERMS}  # fmt: skip
        return pages.render_form(
            request,
            "client.html",
            check,
            who=who,
            client=client,
            terms=terms,
            cameras=svc.cameras(s, client.id),
            users=svc.users(s, client.id),
            reports=svc.reports(s, client.id),
            last_month=previous_month(svc.today()),
            form=shown,
        )

    @router.get("/governance/clients/{client_id}", response_class=HTMLResponse)
    def client(
        request: Request, client_id: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        return client_page(request, system, s, who, client_id)

    @router.post("/governance/clients/{client_id}")
    def save_terms(
        request: Request,
        client_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        contract_ref: Field = "",
        contract_start: Field = "",
        contract_end: Field = "",
        contacts: Field = "",
        retention_days: Field = "",
        disclosure_approvers: Field = "",
        report_to: Field = "",
    ) -> Response:
        check = FormCheck()
        data = TermsIn(
            contract_ref=check.text("contract_ref", contract_ref, 100),
            contract_start=form_date(check, "contract_start", contract_start),
            contract_end=form_date(check, "contract_end", contract_end),
            contacts=check.text("contacts", contacts, 4000),
            retention_days=check.count("retention_days", retention_days),
            disclosure_approvers=check.text("disclosure_approvers", disclosure_approvers, 4000),
            report_to=check.text("report_to", report_to, 4000),
        )
        if check.ok:
            try:
                system.governance.clients.save_terms(s, who, client_id, data)
            except REFUSALS as exc:
                check.refused("contract_end" if "contract" in str(exc) else "retention_days", exc)
            else:
                return RedirectResponse(f"/governance/clients/{client_id}", status_code=303)
        form = {"contract_ref": contract_ref, "contract_start": contract_start,
                "contract_end": contract_end, "contacts": contacts,
                "retention_days": retention_days, "disclosure_approvers": disclosure_approvers,
                "report_to": report_to}  # fmt: skip
        return client_page(request, system, s, who, client_id, check, form)

    @router.post("/governance/clients/{client_id}/reports")
    def generate(
        request: Request,
        client_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        month: Field = "",
    ) -> Response:
        check = FormCheck()
        try:
            row = system.governance.clients.generate(s, who, client_id, month.strip())
        except REFUSALS as exc:
            check.refused("month", exc)
            return client_page(request, system, s, who, client_id, check)
        return RedirectResponse(
            f"/governance/clients/{client_id}/reports/{row.month}.pdf", status_code=303
        )

    @router.get("/governance/clients/{client_id}/reports/{month}.pdf")
    def report_pdf(
        client_id: str, month: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        row = system.governance.clients.report(s, who, client_id, month)
        return attachment(row.pdf, "application/pdf", f"{client_id}-{row.month}.pdf")

    @router.get("/client/reports", response_class=HTMLResponse)
    def own_reports(
        request: Request, system: SystemDep, s: SessionDep, who: ClientViewer
    ) -> Response:
        """A client viewer's monthly reports; another client's answer 404."""
        return pages.render(
            request, "client_reports.html", who=who,
            reports=system.governance.clients.own_reports(s, who),
        )  # fmt: skip

    @router.get("/client/reports/{month}.pdf")
    def own_report_pdf(month: str, system: SystemDep, s: SessionDep, who: ClientViewer) -> Response:
        if not who.client_id:
            raise NotFound("this account is not linked to a client")
        row = system.governance.clients.report(s, who, who.client_id, month)
        return attachment(row.pdf, "application/pdf", f"{who.client_id}-{row.month}.pdf")

    return router
