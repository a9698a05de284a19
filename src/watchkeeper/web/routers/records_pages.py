"""Control-room record screens: fast incident entry, incident view, radio log, search.

Plain HTML forms that post and redirect, so every screen works without htmx; with
htmx the search and radio list refresh in place. The new-incident form takes
``?camera=TC-001&at=<us>`` so the video wall can open it pre-filled.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area
from watchkeeper.errors import ValidationError
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.search import SearchQuery, search_incidents
from watchkeeper.records.vocab import Channel, Outcome, Source
from watchkeeper.system import System
from watchkeeper.timeutil import date_to_us, parse_local, to_local
from watchkeeper.web.bounds import RowId, TimeQuery
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import parse_uk_date, parse_uk_time

__all__ = ["build_router"]

SPAN_BEFORE_US = 10 * 60 * 1_000_000
SPAN_AFTER_US = 10 * 60 * 1_000_000
Viewer = Annotated[Principal, Depends(require(Right.INCIDENTS_VIEW))]
Writer = Annotated[Principal, Depends(require(Right.INCIDENTS_WRITE))]
Logger = Annotated[Principal, Depends(require(Right.RADIO_WRITE))]
Field = Annotated[str, Form()]
MAX_TEXT = 4000


def _choices(system: System, s: Session, who: Principal) -> dict[str, Any]:
    areas = list(s.scalars(select(Area).order_by(Area.name)))
    cams = [c.id for c in system.cameras.list(s, who)] if who.can(Right.CAMERAS_VIEW) else []
    return {
        "categories": system.incidents.categories(s),
        "sources": list(Source),
        "outcomes": list(Outcome),
        "areas": areas,
        "camera_ids": cams,
        "source_labels": {src.value: src.label for src in Source},
        "outcome_labels": {o.value: o.label for o in Outcome},
    }


def _day(text: str, end: bool = False) -> int | None:
    """``dd/mm/yyyy`` as typed (or ``yyyy-mm-dd`` from an old link); ``end``: the next midnight."""
    text = text.strip()
    if not text:
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        try:
            d = parse_uk_date(text)
        except ValidationError as exc:
            raise ValidationError(f"not a date: {text[:40]!r} (use dd/mm/yyyy)") from exc
    return date_to_us(d + timedelta(days=1) if end else d)


def _local(text: str) -> int:
    """A time typed ``dd/mm/yyyy hh:mm`` (or ISO), Europe/London wall time, in microseconds."""
    try:
        return parse_uk_time(text)
    except ValidationError:
        pass
    try:
        return parse_local(text)
    except ValueError as exc:
        raise ValidationError(f"{text!r}: {exc}") from exc


def _day_field(check: FormCheck, name: str, text: str, end: bool = False) -> int | None:
    try:
        return _day(text, end)
    except ValidationError as exc:
        check.refused(name, exc)
        return None


def _local_field(check: FormCheck, name: str, text: str) -> int | None:
    if not text.strip():
        check.add(name, "give a date and time")
        return None
    try:
        return _local(text)
    except ValidationError:
        check.add(name, f"not a date and time: {text[:40]!r} (dd/mm/yyyy hh:mm)")
        return None


def _incident_refs(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = s.execute(select(Incident.id, Incident.ref).where(Incident.id.in_(ids)))
    return {int(i): str(ref) for i, ref in rows}


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/incidents", response_class=HTMLResponse)
    def incidents(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        q: str = "",
        category: str = "",
        area: str = "",
        camera: str = "",
        source: str = "",
        outcome: str = "",
        operator: str = "",
        date_from: str = "",
        date_to: str = "",
    ) -> Response:
        check = FormCheck()
        query = SearchQuery(
            text=q,
            from_us=_day_field(check, "date_from", date_from),
            to_us=_day_field(check, "date_to", date_to, end=True),
            category_id=category or None,
            area_id=area or None,
            camera_id=camera or None,
            source=source or None,
            outcome=outcome or None,
            operator=operator or None,
        )
        rows = []
        if check.ok:
            try:
                rows = search_incidents(s, who, query)
            except REFUSALS as exc:
                check.refused("q", exc)
        template = "_incident_rows.html" if request.headers.get("hx-request") else "incidents.html"
        return pages.render(
            request,
            template,
            status_code=200 if check.ok else 422,
            who=who,
            rows=rows,
            q=q,
            f=request.query_params,
            errors=check.errors,
            **_choices(system, s, who),
        )

    def new_incident_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        form: dict[str, str],
        check: FormCheck | None = None,
    ) -> Response:
        return pages.render_form(
            request,
            "incident_new.html",
            check,
            who=who,
            form=form,
            **_choices(system, s, who),
        )

    @router.get("/incidents/new", response_class=HTMLResponse)
    def new_incident(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        camera: Annotated[str, Query(max_length=64)] = "",
        at: TimeQuery = None,
    ) -> Response:
        form = {"camera": camera, "at": str(at or "")}
        if camera:
            cam = system.cameras.get(s, who, camera)
            form |= {"area_id": cam.area_id, "location": cam.location, "source": "operator"}
        return new_incident_page(request, system, s, who, form)

    @router.post("/incidents/new")
    def create_incident(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        category_id: Field = "",
        source: Field = "",
        summary: Field = "",
        area_id: Field = "",
        location: Field = "",
        camera: Field = "",
        at: Field = "",
        police_ref: Field = "",
    ) -> Response:
        form = {
            "category_id": category_id,
            "source": source,
            "summary": summary,
            "area_id": area_id,
            "location": location,
            "camera": camera,
            "at": at,
            "police_ref": police_ref,
        }
        check = FormCheck()
        if category_id not in {c.id for c in system.incidents.categories(s)}:
            check.add("category_id", "choose a category")
        if source not in {src.value for src in Source}:
            check.add("source", "choose where the report came from")
        text = check.text("summary", summary, MAX_TEXT, "describe what happened")
        place = check.text("location", location, MAX_TEXT)
        ref = check.text("police_ref", police_ref, 64)
        cam_id = check.text("camera", camera, 64)
        if cam_id and check.ok:
            try:
                system.cameras.get(s, who, cam_id)
            except REFUSALS:
                check.add("camera", f"no camera {cam_id!r}: pick one from the list")
        if not check.ok:
            return new_incident_page(request, system, s, who, form, check)
        draft = IncidentDraft(
            category_id=category_id,
            source=Source(source),
            summary=text,
            area_id=area_id or None,
            location=place,
            police_ref=ref,
            opened_us=int(at) if at.strip().isdigit() else None,
        )
        try:
            inc = system.incidents.create(s, who, draft)
            if cam_id:
                centre = inc.opened_us
                system.incidents.mark_cameras(
                    s,
                    who,
                    inc.ref,
                    [cam_id],
                    centre - SPAN_BEFORE_US,
                    centre + SPAN_AFTER_US,
                    note="marked when the incident was opened",
                )
        except REFUSALS as exc:
            check.refused("summary", exc)
            return new_incident_page(request, system, s, who, form, check)
        return RedirectResponse(f"/incidents/{inc.ref}", status_code=303)

    def incident_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        ref: str,
        form: dict[str, str] | None = None,
        check: FormCheck | None = None,
    ) -> Response:
        inc = system.incidents.get(s, who, ref)
        seen: set[str] = set()
        release_rows = set()  # one release form per hold, on its first row
        for c in inc.cameras:
            if c.hold_id not in seen and c.released_us is None:
                release_rows.add(c.id)
            seen.add(c.hold_id)
        wall = "%d/%m/%Y %H:%M"
        return pages.render_form(
            request,
            "incident.html",
            check,
            who=who,
            inc=inc,
            release_rows=release_rows,
            span_start=to_local(inc.opened_us - SPAN_BEFORE_US).strftime(wall),
            span_end=to_local(inc.opened_us + SPAN_AFTER_US).strftime(wall),
            form=form,
            **_choices(system, s, who),
        )

    @router.get("/incidents/{ref}", response_class=HTMLResponse)
    def incident(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        return incident_page(request, system, s, who, ref)

    @router.post("/incidents/{ref}/entries")
    def add_entry(
        request: Request,
        ref: str,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        text: Field = "",
        why: Field = "",
    ) -> Response:
        check = FormCheck()
        action = check.text("text", text, MAX_TEXT, "say what was done")
        reason = check.text("why", why, 2000)
        if check.ok:
            try:
                system.incidents.add_action(s, who, ref, action, reason)
            except REFUSALS as exc:
                check.refused("text", exc)
        if not check.ok:
            form = {"text": text, "why": why}
            return incident_page(request, system, s, who, ref, form, check)
        return RedirectResponse(f"/incidents/{ref}", status_code=303)

    @router.post("/incidents/{ref}/close")
    def close_incident(
        ref: str,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        outcome: Annotated[list[Outcome], Form()],
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        system.incidents.set_outcomes(s, who, ref, outcome)
        system.incidents.close(s, who, ref, note)
        return RedirectResponse(f"/incidents/{ref}", status_code=303)

    @router.post("/incidents/{ref}/cameras")
    def mark_cameras(
        request: Request,
        ref: str,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        camera: Field = "",
        start: Field = "",
        end: Field = "",
        note: Field = "",
        reason: Field = "",
    ) -> Response:
        check = FormCheck()
        cam_id = check.text("camera", camera, 64, "name a camera")
        start_us = _local_field(check, "start", start)
        end_us = _local_field(check, "end", end)
        what = check.text("note", note, 2000)
        why = check.text("reason", reason, 2000)
        if cam_id and "camera" not in check.errors:
            try:
                system.cameras.get(s, who, cam_id)
            except REFUSALS:
                check.add("camera", f"no camera {cam_id!r}: pick one from the list")
        if start_us is not None and end_us is not None and end_us <= start_us:
            check.add("end", "the footage must end after it starts")
        if check.ok and start_us is not None and end_us is not None:
            try:
                system.incidents.mark_cameras(s, who, ref, [cam_id], start_us, end_us, what, why)
            except REFUSALS as exc:
                check.refused("end", exc)
        if not check.ok:
            form = {"camera": camera, "start": start, "end": end, "note": note, "reason": reason}
            return incident_page(request, system, s, who, ref, form, check)
        return RedirectResponse(f"/incidents/{ref}", status_code=303)

    @router.post("/incidents/{ref}/holds/{hold_id}/release")
    def release_hold(
        ref: str,
        hold_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.HOLDS_RELEASE))],
        reason: Annotated[str, Form(min_length=1, max_length=2000)],
    ) -> Response:
        system.incidents.release_hold(s, who, ref, hold_id, reason)
        return RedirectResponse(f"/incidents/{ref}", status_code=303)

    def radio_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        form: dict[str, str] | None = None,
        check: FormCheck | None = None,
    ) -> Response:
        rows = system.radio.list(s, who)
        refs = _incident_refs(s, {e.incident_id for e in rows if e.incident_id})
        template = "_radio_rows.html" if request.headers.get("hx-request") else "radio.html"
        return pages.render_form(
            request,
            template,
            check,
            who=who,
            rows=rows,
            refs=refs,
            channels=list(Channel),
            categories=system.incidents.categories(s),
            form=form or {"channel": request.cookies.get("wk_radio_channel", "")},
        )

    @router.get("/radio", response_class=HTMLResponse)
    def radio(request: Request, system: SystemDep, s: SessionDep, who: Logger) -> Response:
        return radio_page(request, system, s, who)

    @router.post("/radio")
    def add_radio(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Logger,
        channel: Field = "",
        message: Field = "",
        caller: Field = "",
    ) -> Response:
        check = FormCheck()
        if channel not in {c.value for c in Channel}:
            check.add("channel", "choose the channel the call came on")
        text = check.text("message", message, 2000, "type the message (it was empty)")
        who_called = check.text("caller", caller, 100)
        if check.ok:
            try:
                system.radio.add(s, who, channel, who_called, text)
            except REFUSALS as exc:
                check.refused("message", exc)
        if not check.ok:
            form = {"channel": channel, "message": message, "caller": caller}
            return radio_page(request, system, s, who, form, check)
        done = RedirectResponse("/radio", status_code=303)
        # The next entry starts on the same channel: one desk works one channel at a time.
        done.set_cookie("wk_radio_channel", channel, samesite="strict", httponly=True)
        return done

    @router.post("/radio/{entry_id}/incident")
    def radio_to_incident(
        request: Request,
        entry_id: RowId,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        category_id: Field = "",
    ) -> Response:
        check = FormCheck()
        if category_id not in {c.id for c in system.incidents.categories(s)}:
            check.add(f"category-{entry_id}", "choose a category for the new incident")
            return radio_page(request, system, s, who, None, check)
        inc = system.radio.to_incident(s, who, entry_id, category_id)
        return RedirectResponse(f"/incidents/{inc.ref}", status_code=303)

    return router
