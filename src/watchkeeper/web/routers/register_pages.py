"""A camera's register entry: every field seen, and edited by those who manage cameras.

The edit goes through the register's own rules (:meth:`CameraService.apply`): the same
checks as an import, every changed field audited with the reason given (URLs redacted).
Credentials are shown masked (``rtsp://***@host/...``); a URL left masked keeps the
stored credentials for the same host. A refused form is shown again with each error next
to its field, and never with credentials typed into it: those are masked again and must be
typed once more. Activation without a purpose and a DPIA reference is refused next to
those fields, with the reason.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.fields import LOCATION_FIELDS, URL_FIELDS, flat_values
from watchkeeper.cameras.models import Area, Camera, CameraKind, CameraStatus, Client, RtspTransport
from watchkeeper.cameras.redact import MASK, redact_url
from watchkeeper.cameras.schemas import CameraSpec
from watchkeeper.errors import ImportRejected, ValidationError
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import format_uk_date, parse_uk_date

__all__ = ["EDIT_FIELDS", "build_router"]

Viewer = Annotated[Principal, Depends(require(Right.CAMERAS_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.CAMERAS_MANAGE))]
Field = Annotated[str, Form()]

EDIT_FIELDS = (
    "name",
    "kind",
    "area_id",
    "owner",
    *LOCATION_FIELDS,
    *URL_FIELDS,
    "rtsp_transport",
    "retention_days",
    "retention_justification",
    "purpose",
    "dpia_ref",
    "signage",
    "last_review",
    "next_review",
    "status",
)
DEFAULT_RETENTION_DAYS = 31
"""The council's usual period; a longer one needs its justification written down."""


def _form_of(cam: Camera) -> dict[str, str]:
    """The camera as the form's text fields (credentials masked, dates in UK form)."""
    values = flat_values(cam)
    form = {k: "" if values.get(k) is None else str(values[k]) for k in values}
    form["area_id"] = cam.area_id
    form["owner"] = cam.client_id or "council"
    form["last_review"] = format_uk_date(cam.last_review)
    form["next_review"] = format_uk_date(cam.next_review)
    return form


def _date(check: FormCheck, name: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_uk_date(text)
    except ValidationError as exc:
        check.add(name, str(exc))
        return None


def _spec(check: FormCheck, camera_id: str, form: dict[str, str]) -> CameraSpec | None:
    """The posted form as a :class:`CameraSpec`, or ``None`` with errors in ``check``."""
    last = _date(check, "last_review", form["last_review"])
    nxt = _date(check, "next_review", form["next_review"])
    if last and nxt and nxt < last:
        check.add("next_review", "the next review cannot come before the last one")
    if form["status"] == CameraStatus.ACTIVE.value:
        why = "an active camera needs a {}: fill it in, or keep the camera planned"
        if not form["purpose"].strip():
            check.add("purpose", why.format("purpose"))
        if not form["dpia_ref"].strip():
            check.add("dpia_ref", why.format("DPIA reference"))
        if not (form["purpose"].strip() and form["dpia_ref"].strip()):
            check.add("status", "cannot be made active without a purpose and a DPIA reference")
    days = check.count("retention_days", form["retention_days"])
    if days is None and "retention_days" not in check.errors:
        check.add("retention_days", "give the number of days footage is kept")
    if days and days > DEFAULT_RETENTION_DAYS and not form["retention_justification"].strip():
        check.add(
            "retention_justification",
            f"keeping footage longer than {DEFAULT_RETENTION_DAYS} days needs a justification",
        )
    if not check.ok:
        return None
    raw: dict[str, Any] = {
        "id": camera_id,
        "name": form["name"],
        "kind": form["kind"],
        "owner": form["owner"] or "council",
        "location": {
            "description": form["location"],
            "latitude": form["latitude"].strip() or None,
            "longitude": form["longitude"].strip() or None,
        },
        **{f: form[f].strip() for f in URL_FIELDS},
        "rtsp_transport": form["rtsp_transport"],
        "retention_days": days,
        "retention_justification": form["retention_justification"],
        "purpose": form["purpose"],
        "dpia_ref": form["dpia_ref"],
        "signage": form["signage"],
        "last_review": last,
        "next_review": nxt,
        "status": form["status"],
    }
    try:
        return CameraSpec.model_validate(raw)
    except pydantic.ValidationError as exc:
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            name = loc[-1] if loc else "status"
            name = {"description": "location"}.get(name, name)
            message = e["msg"].removeprefix("Value error, ")
            check.add(name if name in EDIT_FIELDS else "status", message)
        return None


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        cam: Camera,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
        saved: bool = False,
    ) -> Response:
        areas = s.scalars(
            select(Area).options(joinedload(Area.site)).order_by(Area.site_id, Area.name)
        )
        return pages.render_form(
            request,
            "camera.html",
            check,
            who=who,
            cam=cam,
            form=form or _form_of(cam),
            saved=saved,
            areas=list(areas),
            clients=list(s.scalars(select(Client).order_by(Client.name))),
            kinds=[k.value for k in CameraKind],
            statuses=[st.value for st in CameraStatus],
            transports=[t.value for t in RtspTransport],
            can_edit=who.can(Right.CAMERAS_MANAGE),
            mask=MASK,
        )

    @router.get("/cameras/{camera_id}", response_class=HTMLResponse)
    def camera(
        request: Request,
        camera_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        saved: int = 0,
    ) -> Response:
        cam = system.cameras.get(s, who, camera_id)
        return page(request, system, s, who, cam, saved=bool(saved))

    @router.post("/cameras/{camera_id}")
    def edit_camera(
        request: Request,
        camera_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Manager,
        name: Field = "",
        kind: Field = "",
        area_id: Field = "",
        owner: Field = "council",
        location: Field = "",
        latitude: Field = "",
        longitude: Field = "",
        main_url: Field = "",
        sub_url: Field = "",
        onvif_url: Field = "",
        rtsp_transport: Field = "tcp",
        retention_days: Field = "",
        retention_justification: Field = "",
        purpose: Field = "",
        dpia_ref: Field = "",
        signage: Field = "",
        last_review: Field = "",
        next_review: Field = "",
        status: Field = "",
        reason: Field = "",
    ) -> Response:
        cam = system.cameras.get(s, who, camera_id)
        form = {k: v for k, v in locals().items() if k in EDIT_FIELDS}
        check = FormCheck()
        why = check.text("reason", reason, 1000, "say why the register entry changes (audited)")
        area = s.get(Area, area_id)
        if area is None:
            check.add("area_id", "choose the area the camera is in")
        spec = _spec(check, camera_id, form)
        if check.ok and spec is not None and area is not None:
            try:
                with s.begin_nested():  # a refusal leaves the row as it was
                    system.cameras.apply(s, [(area.site_id, area.id, spec)], who.actor, why)
            except ImportRejected as exc:
                for problem in exc.problems:
                    field = next((f for f in URL_FIELDS if f"{f}:" in problem), "status")
                    field = "owner" if "owner" in problem else field
                    field = "area_id" if "area" in problem and "belongs" in problem else field
                    check.add(field, problem.removeprefix(f"camera {camera_id}: "))
            except REFUSALS as exc:
                check.refused("status", exc)
        if not check.ok:
            # what was typed comes back, but never a credential
            shown = {**form, **{f: redact_url(form[f]) for f in URL_FIELDS}, "reason": reason}
            again = system.cameras.get(s, who, camera_id)
            return page(request, system, s, who, again, check, shown)
        return RedirectResponse(f"/cameras/{cam.id}?saved=1", status_code=303)

    return router
