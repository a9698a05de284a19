"""Governance screens: the hub, camera reviews, the DPIA register and the signage register.

Reading needs ``governance.view``; completing a review or changing a register needs
``governance.manage``. Forms are checked field by field (``web/forms``) and re-rendered
with the errors beside their fields.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area
from watchkeeper.governance.models import Decision
from watchkeeper.governance.reviews import PHOTO_LIMIT, DpiaIn, ReviewIn, SignIn, never_reviewed
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.routers.gov_forms import form_date, read_upload
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.GOVERNANCE_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.GOVERNANCE_MANAGE))]
Field = Annotated[str, Form()]


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/governance", response_class=HTMLResponse)
    def hub(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        gov = system.governance
        today = gov.reviews.today()
        return pages.render(
            request,
            "governance.html",
            who=who,
            today=today,
            due=gov.reviews.due(s, who),
            dpias=[d for d, _ in gov.reviews.dpias(s, who) if d.next_review <= today],
            signs=[x for x in gov.reviews.signs(s, who)
                   if x.next_inspection is not None and x.next_inspection <= today],
            unread=[u for u in gov.documents.unread(s, who) if u.missing],
        )  # fmt: skip

    @router.get("/governance/reviews", response_class=HTMLResponse)
    def reviews(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        svc = system.governance.reviews
        due = svc.due(s, who)
        return pages.render(
            request,
            "reviews.html",
            who=who,
            today=svc.today(),
            due=[c for c in due if c.next_review is not None],
            never=never_reviewed(s),
            done=svc.all(s, who)[:50],
        )

    def review_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        camera_id: str,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        svc = system.governance.reviews
        cam = svc.camera(s, who, camera_id)
        faults = [f for f in system.faults.list(s, who, None) if f.camera_id == cam.id][:20] \
            if who.can(Right.FAULTS_VIEW) else []  # fmt: skip
        return pages.render_form(
            request,
            "review.html",
            check,
            who=who,
            cam=cam,
            today=svc.today(),
            history=svc.history(s, who, cam.id),
            incidents=svc.incidents_in_year(s, cam.id),
            faults=faults,
            decisions=[d.value for d in Decision],
            form=form,
        )

    @router.get("/governance/reviews/{camera_id}", response_class=HTMLResponse)
    def review(
        request: Request, camera_id: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        return review_page(request, system, s, who, camera_id)

    @router.post("/governance/reviews/{camera_id}")
    def complete_review(
        request: Request,
        camera_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        still_justified: Field = "",
        justification: Field = "",
        decision: Field = "",
        signage_checked: Field = "",
        complaints: Field = "",
        maintenance: Field = "",
    ) -> Response:
        check = FormCheck()
        data = ReviewIn(
            still_justified=bool(still_justified),
            justification=check.text("justification", justification, 10_000,
                                     required="say why the camera is still justified, or not"),
            decision=decision,
            signage_checked=bool(signage_checked),
            complaints=check.text("complaints", complaints, 10_000),
            maintenance=check.text("maintenance", maintenance, 10_000),
        )  # fmt: skip
        if decision not in {d.value for d in Decision}:
            check.add("decision", "choose retain, relocate or decommission")
        if check.ok:
            try:
                system.governance.reviews.complete(s, who, camera_id, data)
            except REFUSALS as exc:
                check.refused("decision", exc)
            else:
                return RedirectResponse(f"/governance/reviews/{camera_id}", status_code=303)
        form = {"still_justified": still_justified, "justification": justification,
                "decision": decision, "signage_checked": signage_checked,
                "complaints": complaints, "maintenance": maintenance}  # fmt: skip
        return review_page(request, system, s, who, camera_id, check, form)

    def dpia_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        svc = system.governance.reviews
        return pages.render_form(
            request,
            "dpias.html",
            check,
            who=who,
            today=svc.today(),
            rows=svc.dpias(s, who),
            unregistered=svc.unregistered_dpia_refs(s, who),
            form=form,
        )

    @router.get("/governance/dpias", response_class=HTMLResponse)
    def dpias(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        return dpia_page(request, system, s, who)

    @router.post("/governance/dpias")
    def save_dpia(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        ref: Field = "",
        title: Field = "",
        approved_on: Field = "",
        approved_by: Field = "",
        next_review: Field = "",
        summary: Field = "",
    ) -> Response:
        check = FormCheck()
        ref_v = check.text("ref", ref, 100, required="give the DPIA's reference")
        title_v = check.text("title", title, 200, required="give its title")
        by = check.text("approved_by", approved_by, 200, required="who approved it")
        approved = form_date(check, "approved_on", approved_on, required="when it was approved")
        nxt = form_date(check, "next_review", next_review, required="when it is next reviewed")
        text = check.text("summary", summary, 10_000)
        if check.ok and approved and nxt:
            try:
                system.governance.reviews.save_dpia(
                    s, who, DpiaIn(ref_v, title_v, approved, by, nxt, text)
                )
            except REFUSALS as exc:
                check.refused("next_review", exc)
            else:
                return RedirectResponse("/governance/dpias", status_code=303)
        form = {"ref": ref, "title": title, "approved_on": approved_on, "approved_by": approved_by,
                "next_review": next_review, "summary": summary}  # fmt: skip
        return dpia_page(request, system, s, who, check, form)

    def signage_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        svc = system.governance.reviews
        areas = list(s.scalars(select(Area).order_by(Area.name)))
        return pages.render_form(
            request,
            "signage.html",
            check,
            form,
            who=who,
            today=svc.today(),
            rows=svc.signs(s, who),
            areas=areas,
            area_names={a.id: a.name for a in areas},
        )

    @router.get("/governance/signage", response_class=HTMLResponse)
    def signage(request: Request, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        return signage_page(request, system, s, who)

    @router.post("/governance/signage")
    def save_sign(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        area_id: Field = "",
        location: Field = "",
        cameras: Field = "",
        wording: Field = "",
        last_inspected: Field = "",
        next_inspection: Field = "",
        condition: Field = "",
        photo: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        check = FormCheck()
        data = SignIn(
            area_id=area_id,
            location=check.text("location", location, 2000, required="say where the sign is"),
            cameras=check.text("cameras", cameras, 2000),
            wording=check.text("wording", wording, 2000),
            last_inspected=form_date(check, "last_inspected", last_inspected),
            next_inspection=form_date(check, "next_inspection", next_inspection),
            condition=check.text("condition", condition, 2000),
        )
        body, _, kind = read_upload(photo, PHOTO_LIMIT)
        if check.ok:
            try:
                system.governance.reviews.save_sign(s, who, data, body, kind)
            except REFUSALS as exc:
                check.refused("photo" if "photo" in str(exc) else "location", exc)
            else:
                return RedirectResponse("/governance/signage", status_code=303)
        form = {"area_id": area_id, "location": location, "cameras": cameras, "wording": wording,
                "last_inspected": last_inspected, "next_inspection": next_inspection,
                "condition": condition}  # fmt: skip
        return signage_page(request, system, s, who, check, form)

    @router.post("/governance/signage/{sign_id}/inspection")
    def inspect_sign(
        request: Request,
        sign_id: int,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        inspected_on: Field = "",
        next_on: Field = "",
        condition: Field = "",
        photo: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        check = FormCheck()
        name = f"inspected_on-{sign_id}"
        inspected = form_date(check, name, inspected_on, required="when it was inspected")
        nxt = form_date(check, name, next_on)
        text = check.text(name, condition, 2000)
        body, _, kind = read_upload(photo, PHOTO_LIMIT)
        if check.ok and inspected is not None:
            try:
                system.governance.reviews.inspect_sign(
                    s, who, sign_id, inspected, nxt, text, body, kind
                )
            except REFUSALS as exc:
                check.refused(name, exc)
            else:
                return RedirectResponse("/governance/signage", status_code=303)
        return signage_page(request, system, s, who, check)

    @router.get("/governance/signage/{sign_id}/photo")
    def sign_photo(sign_id: int, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        sign = system.governance.reviews.sign(s, who, sign_id)
        if sign.photo is None:
            return Response(status_code=404)
        return Response(sign.photo, media_type=sign.photo_type)

    return router
