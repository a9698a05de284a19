"""Analytics screens: motion search with thumbnails, and the alert queue.

Search answers "motion in this zone on these cameras between 02:00 and 04:00" over a UK
date range; the search is audited with its reason, as looking at recorded pictures is.
The alert queue lists open alerts (newest first): acknowledge one with a note, or make it
an incident in one action (the camera and the alert's span marked and held).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from watchkeeper.analytics.store import search_motion
from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_DAY, parse_local
from watchkeeper.web.bounds import RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.VIDEO_PLAYBACK))]
Watcher = Annotated[Principal, Depends(require(Right.VIDEO_LIVE))]
Writer = Annotated[Principal, Depends(require(Right.INCIDENTS_WRITE))]
Field = Annotated[str, Form()]


def _minutes(check: FormCheck, name: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    hh, _, mm = text.partition(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
        check.add(name, "a time of day as HH:MM, 24-hour")
        return None
    return int(hh) * 60 + int(mm)


def _when(check: FormCheck, name: str, text: str) -> int | None:
    try:
        return parse_local(text.strip())
    except ValueError as exc:
        check.add(name, str(exc))
        return None


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/motion", response_class=HTMLResponse)
    def motion_search(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        camera: Annotated[list[str] | None, Query()] = None,
        zone: str = Query("", max_length=64),
        start: str = Query("", max_length=40),
        end: str = Query("", max_length=40),
        tod_from: str = Query("", max_length=5),
        tod_to: str = Query("", max_length=5),
        reason: str = Query("", max_length=500),
        what: str = Query("motion", max_length=16),
    ) -> Response:
        cams = system.cameras.list(s, who)
        visible = {c.id for c in cams}
        chosen = [c for c in (camera or []) if c in visible]
        check = FormCheck()
        hits = None
        asked = bool(start or end or camera)
        if asked:
            a = _when(check, "start", start)
            b = _when(check, "end", end)
            fm = _minutes(check, "tod_from", tod_from)
            tm = _minutes(check, "tod_to", tod_to)
            if (fm is None) != (tm is None):
                check.add("tod_to", "give both ends of the time of day, or neither")
            why = check.text(
                "reason", reason, 500, required="give a reason: the search shows recorded pictures"
            )
            if not chosen:
                check.add("camera", "choose at least one camera")
            if a is not None and b is not None and b - a > 31 * US_PER_DAY:
                check.add("end", "search at most 31 days at once")
            if check.ok and a is not None and b is not None:
                try:
                    hits = search_motion(
                        s, chosen, a, b, zone.strip(), fm, tm, people=what == "person"
                    )
                except REFUSALS as exc:
                    check.refused("end", exc)
                else:
                    record(s, who.actor, "video.motion_search", "camera", ",".join(chosen)[:200],
                           why, {"cameras": chosen, "start_us": a, "end_us": b, "zone": zone,
                                 "from": tod_from, "to": tod_to, "what": what,
                                 "hits": len(hits)})  # fmt: skip
        form = {"zone": zone, "start": start, "end": end, "tod_from": tod_from,
                "tod_to": tod_to, "reason": reason, "what": what}  # fmt: skip
        return pages.render(
            request, "motion.html", status_code=422 if check.errors else 200, who=who,
            cameras=cams, chosen=chosen, hits=hits, errors=check.errors, form=form,
        )  # fmt: skip

    def queue_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        status: str = "open",
    ) -> Response:
        assert system.alerts is not None
        chosen = status if status in ("open", "acknowledged", "incident", "all") else "open"
        rows = system.alerts.list(s, who, chosen) if who.can(Right.VIDEO_LIVE) else []
        cats = system.incidents.categories(s) if who.can(Right.INCIDENTS_WRITE) else []
        return pages.render_form(
            request, "alerts.html", check, who=who, rows=rows, status=chosen, categories=cats,
        )  # fmt: skip

    @router.get("/alerts", response_class=HTMLResponse)
    def alert_queue(
        request: Request, system: SystemDep, s: SessionDep, who: Watcher,
        status: str = Query("open", max_length=16),
    ) -> Response:  # fmt: skip
        return queue_page(request, system, s, who, status=status)

    @router.post("/alerts/{alert_id}/acknowledge")
    def acknowledge(
        request: Request, alert_id: RowId, system: SystemDep, s: SessionDep, who: Watcher,
        note: Field = "",
    ) -> Response:  # fmt: skip
        assert system.alerts is not None
        check = FormCheck()
        text = check.text(f"note-{alert_id}", note, 2000, required="say what you saw or did")
        if check.ok:
            try:
                system.alerts.acknowledge(s, who, alert_id, text)
            except REFUSALS as exc:
                check.refused(f"note-{alert_id}", exc)
            else:
                return RedirectResponse("/alerts", status_code=303)
        return queue_page(request, system, s, who, check)

    @router.post("/alerts/{alert_id}/incident")
    def make_incident(
        request: Request, alert_id: RowId, system: SystemDep, s: SessionDep, who: Writer,
        category_id: Field = "", summary: Field = "",
    ) -> Response:  # fmt: skip
        assert system.alerts is not None
        check = FormCheck()
        cat = check.text(f"category-{alert_id}", category_id, 64, required="choose a category")
        text = check.text(f"category-{alert_id}", summary, 4000)
        if check.ok:
            try:
                inc = system.alerts.make_incident(s, who, alert_id, cat, text)
            except REFUSALS as exc:
                check.refused(f"category-{alert_id}", exc)
            else:
                return RedirectResponse(f"/incidents/{inc.ref}", status_code=303)
        return queue_page(request, system, s, who, check)

    return router
