"""Partner schemes: members and their information sharing agreements, disclosures made
under them, a member's radio calls; and a member's own view of its radio log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.governance.partners import DisclosureIn, member_radio
from watchkeeper.records.log_models import PartnerMember
from watchkeeper.records.partners import MemberSpec
from watchkeeper.records.vocab import Scheme
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.routers.gov_forms import form_date
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.PARTNERS_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.PARTNERS_MANAGE))]
Member = Annotated[Principal, Depends(require(Right.RADIO_WRITE))]
Field = Annotated[str, Form()]


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def partners_page(
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
            "partners.html",
            status_code=status_code,
            who=who,
            members=system.partners.list(s, who),
            disclosures=system.governance.disclosures.list(s, who)[:100],
            schemes=[x.value for x in Scheme],
            errors=check.errors if check else {},
            form=form or {},
        )

    @router.get("/partners", response_class=HTMLResponse)
    def partners(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        return partners_page(request, system, s, who)

    @router.post("/partners/disclosures")
    def disclose(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        member_ref: Field = "",
        isa_ref: Field = "",
        incident_ref: Field = "",
        scheme_ids: Field = "",
        shared: Field = "",
        reason: Field = "",
    ) -> Response:
        check = FormCheck()
        data = DisclosureIn(
            member_ref=member_ref,
            isa_ref=check.text("isa_ref", isa_ref, 100),
            shared=check.text("shared", shared, 4000, required="say what was shared"),
            reason=check.text("reason", reason, 4000, required="say why"),
            incident_ref=check.text("incident_ref", incident_ref, 16),
            scheme_ids=check.text("scheme_ids", scheme_ids, 1000),
        )
        if check.ok:
            try:
                system.governance.disclosures.disclose(s, who, data)
            except REFUSALS as exc:
                text = str(exc)
                field = "isa_ref" if "agreement" in text else (
                    "incident_ref" if "incident" in text else "member_ref")  # fmt: skip
                check.refused(field, exc)
            else:
                return RedirectResponse("/partners", status_code=303)
        form = {"member_ref": member_ref, "isa_ref": isa_ref, "incident_ref": incident_ref,
                "scheme_ids": scheme_ids, "shared": shared, "reason": reason}  # fmt: skip
        return partners_page(request, system, s, who, check, form, status_code=422)

    @router.post("/partners/members")
    def save_member(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        ref: Field = "",
        name: Field = "",
        scheme: Field = "",
        m_isa_ref: Field = "",
        isa_date: Field = "",
        address: Field = "",
        contact: Field = "",
    ) -> Response:
        check = FormCheck()
        ref_v = check.text("ref", ref, 100, required="give the member's reference")
        name_v = check.text("name", name, 200, required="give the venue's name")
        isa = check.text("m_isa_ref", m_isa_ref, 100, required="give its sharing agreement")
        signed = form_date(check, "isa_date", isa_date, required="when the agreement was signed")
        if scheme not in {x.value for x in Scheme}:
            check.add("scheme", "choose Shopwatch or Pubwatch")
        if check.ok and signed is not None:
            spec = MemberSpec(ref_v, name_v, Scheme(scheme), isa, signed,
                              check.text("address", address, 2000),
                              check.text("contact", contact, 2000))  # fmt: skip
            try:
                system.partners.save(s, who, spec)
            except REFUSALS as exc:
                check.refused("ref", exc)
            else:
                return RedirectResponse("/partners", status_code=303)
        form = {"ref": ref, "name": name, "scheme": scheme, "m_isa_ref": m_isa_ref,
                "isa_date": isa_date, "address": address, "contact": contact}  # fmt: skip
        return partners_page(request, system, s, who, check, form, status_code=422)

    @router.get("/partners/members/{ref}", response_class=HTMLResponse)
    def member(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        m = system.partners.get(s, who, ref)
        calls = member_radio(s, who, m.id) if who.can(Right.RADIO_VIEW_ALL) else []
        return pages.render(
            request,
            "partner.html",
            who=who,
            m=m,
            calls=calls,
            disclosures=[d for d, _ in system.governance.disclosures.list(s, who, m.id)],
            own=False,
        )

    @router.get("/partners/mine", response_class=HTMLResponse)
    def mine(request: Request, system: SystemDep, s: SessionDep, who: Member) -> Response:
        """A scheme member's own entry and radio log (only its own calls)."""
        m = None
        if who.partner_member_ref:
            m = s.scalar(select(PartnerMember).where(PartnerMember.ref == who.partner_member_ref))
        calls = system.radio.list(s, who) if m is not None else []
        return pages.render(
            request, "partner.html", who=who, m=m, calls=calls, disclosures=[], own=True
        )

    return router
