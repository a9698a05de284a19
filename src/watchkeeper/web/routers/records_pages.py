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
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.search import SearchQuery, search_incidents
from watchkeeper.records.vocab import Channel, Outcome, Source
from watchkeeper.system import System
from watchkeeper.timeutil import date_to_us, parse_local, to_local
from watchkeeper.web.bounds import RowId, TimeQuery
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

SPAN_BEFORE_US = 10 * 60 * 1_000_000
SPAN_AFTER_US = 10 * 60 * 1_000_000
Viewer = Annotated[Principal, Depends(require(Right.INCIDENTS_VIEW))]
Writer = Annotated[Principal, Depends(require(Right.INCIDENTS_WRITE))]
Logger = Annotated[Principal, Depends(require(Right.RADIO_WRITE))]


def _choices(system: System, s: Session, who: Principal) -> dict[str, Any]:
    areas = list(s.scalars(select(Area).order_by(Area.name)))
    cams = [c.id for c in system.cameras.list(s, who)] if who.can(Right.CAMERAS_VIEW) else []
    return {
        "categories": system.incidents.categories(s),
        "sources": list(Source),
        "outcomes": list(Outcome),
        "areas": areas,
        "camera_ids": cams,
    }


def _day(text: str, end: bool = False) -> int | None:
    if not text:
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc
    return date_to_us(d + timedelta(days=1) if end else d)


def _local(text: str) -> int:
    """A ``datetime-local`` field's value (Europe/London wall time) in microseconds."""
    try:
        return parse_local(text)
    except ValueError as exc:
        raise ValidationError(f"{text!r}: {exc}") from exc


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
        query = SearchQuery(
            text=q,
            from_us=_day(date_from),
            to_us=_day(date_to, end=True),
            category_id=category or None,
            area_id=area or None,
            camera_id=camera or None,
            source=source or None,
            outcome=outcome or None,
            operator=operator or None,
        )
        rows = search_incidents(s, who, query)
        template = "_incident_rows.html" if request.headers.get("hx-request") else "incidents.html"
        return pages.render(
            request,
            template,
            who=who,
            rows=rows,
            q=q,
            f=request.query_params,
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
        area_id = ""
        location = ""
        if camera:
            cam = system.cameras.get(s, who, camera)
            area_id, location = cam.area_id, cam.location
        return pages.render(
            request,
            "incident_new.html",
            who=who,
            camera=camera,
            at=at or "",
            area_id=area_id,
            location=location,
            error="",
            **_choices(system, s, who),
        )

    @router.post("/incidents/new")
    def create_incident(
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        category_id: Annotated[str, Form(max_length=32)],
        source: Annotated[Source, Form()],
        summary: Annotated[str, Form(max_length=4000)] = "",
        area_id: Annotated[str, Form(max_length=64)] = "",
        location: Annotated[str, Form(max_length=4000)] = "",
        camera: Annotated[str, Form(max_length=64)] = "",
        at: Annotated[str, Form(max_length=20)] = "",
        police_ref: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        opened = int(at) if at.strip().isdigit() else None
        draft = IncidentDraft(
            category_id=category_id,
            source=source,
            summary=summary.strip(),
            area_id=area_id or None,
            location=location.strip(),
            police_ref=police_ref.strip(),
            opened_us=opened,
        )
        inc = system.incidents.create(s, who, draft)
        if camera.strip():
            centre = inc.opened_us
            system.incidents.mark_cameras(
                s,
                who,
                inc.ref,
                [camera.strip()],
                centre - SPAN_BEFORE_US,
                centre + SPAN_AFTER_US,
                note="marked when the incident was opened",
            )
        return RedirectResponse(f"/incidents/{inc.ref}", status_code=303)

    @router.get("/incidents/{ref}", response_class=HTMLResponse)
    def incident(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        inc = system.incidents.get(s, who, ref)
        seen: set[str] = set()
        release_rows = set()  # one release form per hold, on its first row
        for c in inc.cameras:
            if c.hold_id not in seen and c.released_us is None:
                release_rows.add(c.id)
            seen.add(c.hold_id)
        wall = "%Y-%m-%dT%H:%M"
        return pages.render(
            request,
            "incident.html",
            who=who,
            inc=inc,
            release_rows=release_rows,
            span_start=to_local(inc.opened_us - SPAN_BEFORE_US).strftime(wall),
            span_end=to_local(inc.opened_us + SPAN_AFTER_US).strftime(wall),
            **_choices(system, s, who),
        )

    @router.post("/incidents/{ref}/entries")
    def add_entry(
        ref: str,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        text: Annotated[str, Form(min_length=1, max_length=4000)],
        why: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        system.incidents.add_action(s, who, ref, text, why)
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
        ref: str,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        camera: Annotated[str, Form(min_length=1, max_length=64)],
        start: Annotated[str, Form(max_length=32)],
        end: Annotated[str, Form(max_length=32)],
        note: Annotated[str, Form(max_length=2000)] = "",
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        system.incidents.mark_cameras(
            s, who, ref, [camera.strip()], _local(start), _local(end), note, reason
        )
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

    @router.get("/radio", response_class=HTMLResponse)
    def radio(request: Request, system: SystemDep, s: SessionDep, who: Logger) -> Response:
        rows = system.radio.list(s, who)
        template = "_radio_rows.html" if request.headers.get("hx-request") else "radio.html"
        return pages.render(
            request,
            template,
            who=who,
            rows=rows,
            channels=list(Channel),
            categories=system.incidents.categories(s),
        )

    @router.post("/radio")
    def add_radio(
        system: SystemDep,
        s: SessionDep,
        who: Logger,
        channel: Annotated[Channel, Form()],
        message: Annotated[str, Form(min_length=1, max_length=2000)],
        caller: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        system.radio.add(s, who, channel, caller, message)
        return RedirectResponse("/radio", status_code=303)

    @router.post("/radio/{entry_id}/incident")
    def radio_to_incident(
        entry_id: RowId,
        system: SystemDep,
        s: SessionDep,
        who: Writer,
        category_id: Annotated[str, Form(max_length=32)],
    ) -> Response:
        inc = system.radio.to_incident(s, who, entry_id, category_id)
        return RedirectResponse(f"/incidents/{inc.ref}", status_code=303)

    return router
