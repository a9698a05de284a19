"""The analytics set-up screen of one camera: zones and masks drawn on the picture, and
alert rules (zone x object x schedule, loitering, cool-down). Supervisors' and managers'
work (``ptz.supervise``, the right to set how a camera is watched); every change audited.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.analytics.models import AlertRule, AnalyticsZone
from watchkeeper.analytics.store import set_zone
from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound
from watchkeeper.system import System
from watchkeeper.web.bounds import RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.routers.analytics_pages import _minutes
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Setter = Annotated[Principal, Depends(require(Right.PTZ_SUPERVISE))]
Field = Annotated[str, Form()]
OBJECTS = ("motion", "person")


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request, system: System, s: Session, who: Principal, camera_id: str,
        check: FormCheck | None = None, form: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        cam = system.cameras.get(s, who, camera_id)
        zones = list(s.scalars(select(AnalyticsZone).where(AnalyticsZone.camera_id == cam.id)
                               .order_by(AnalyticsZone.id)))  # fmt: skip
        rules = list(s.scalars(select(AlertRule).where(AlertRule.camera_id == cam.id)
                               .order_by(AlertRule.id)))  # fmt: skip
        return pages.render_form(
            request, "analytics_setup.html", check, who=who,
            cam=cam, zones=zones, rules=rules, objects=OBJECTS,
            zone_json=json.dumps([{"name": z.name, "kind": z.kind, "points": json.loads(z.points)}
                                  for z in zones]), form=form,
        )  # fmt: skip

    def changed(system: System, camera_id: str) -> None:
        """After the commit (a background task): analysers read the new zones and rules."""
        if system.analytics is not None:
            system.analytics.reload_zones(camera_id)
            system.analytics.writer.reload_rules()

    @router.get("/analytics", response_class=HTMLResponse)
    def index(request: Request, system: SystemDep, s: SessionDep, who: Setter) -> Response:
        """Every camera the user can see, with its zones and rules counted."""
        cams = system.cameras.list(s, who)
        zones: dict[str, int] = {}
        for cid in s.scalars(select(AnalyticsZone.camera_id)):
            zones[cid] = zones.get(cid, 0) + 1
        rules: dict[str, int] = {}
        for cid in s.scalars(select(AlertRule.camera_id).where(AlertRule.active.is_(True))):
            rules[cid] = rules.get(cid, 0) + 1
        svc = system.analytics
        running = svc.health() if svc is not None else []
        return pages.render(
            request, "analytics_index.html", who=who, cameras=cams, zones=zones, rules=rules,
            health={h.camera_id: h for h in running}, service=svc,
        )  # fmt: skip

    @router.get("/analytics/cameras/{camera_id}", response_class=HTMLResponse)
    def setup(
        request: Request, camera_id: str, system: SystemDep, s: SessionDep, who: Setter
    ) -> Response:
        return page(request, system, s, who, camera_id)

    @router.post("/analytics/cameras/{camera_id}/zones")
    def add_zone(
        request: Request, camera_id: str, system: SystemDep, s: SessionDep, who: Setter,
        later: BackgroundTasks, name: Field = "", kind: Field = "zone", points: Field = "",
        sensitivity: Field = "0.5",
    ) -> Response:  # fmt: skip
        cam = system.cameras.get(s, who, camera_id)
        check = FormCheck()
        label = check.text("name", name, 64, required="name the zone")
        try:
            pts = json.loads(points) if points.strip() else None
        except ValueError:
            pts = None
        if pts is None:
            check.add("points", "draw the zone on the picture")
        try:
            pct = float(sensitivity)
        except ValueError:
            check.add("sensitivity", "a percentage, like 0.5")
            pct = 0.0
        if check.ok:
            try:
                row = set_zone(s, cam.id, label, kind, pts, pct / 100, who.username,
                               system.clock.now_us())  # fmt: skip
            except REFUSALS as exc:
                field = "points" if "point" in str(exc) or "polygon" in str(exc) else "sensitivity"
                check.refused(field if "name" not in str(exc) else "name", exc)
            else:
                record(s, who.actor, "analytics.zone", "camera", cam.id, "",
                       {"name": row.name, "kind": row.kind, "points": pts})  # fmt: skip
                later.add_task(changed, system, cam.id)
                return RedirectResponse(f"/analytics/cameras/{cam.id}", status_code=303)
        form = {"name": name, "kind": kind, "points": points, "sensitivity": sensitivity}
        return page(request, system, s, who, camera_id, check, form)

    @router.post("/analytics/cameras/{camera_id}/zones/{zone_id}/delete")
    def delete_zone(
        camera_id: str, zone_id: RowId, system: SystemDep, s: SessionDep, who: Setter,
        later: BackgroundTasks,
    ) -> Response:  # fmt: skip
        cam = system.cameras.get(s, who, camera_id)
        row = s.get(AnalyticsZone, zone_id)
        if row is None or row.camera_id != cam.id:
            raise NotFound(f"no zone {zone_id} on {cam.id}")
        record(s, who.actor, "analytics.zone_delete", "camera", cam.id, "", {"name": row.name})
        s.delete(row)
        later.add_task(changed, system, cam.id)
        return RedirectResponse(f"/analytics/cameras/{cam.id}", status_code=303)

    @router.post("/analytics/cameras/{camera_id}/rules")
    def add_rule(
        request: Request, camera_id: str, system: SystemDep, s: SessionDep, who: Setter,
        later: BackgroundTasks, name: Field = "", zone: Field = "all", object: Field = "motion",
        start: Field = "", end: Field = "", loiter_s: Field = "0", cooldown_s: Field = "60",
    ) -> Response:  # fmt: skip
        cam = system.cameras.get(s, who, camera_id)
        check = FormCheck()
        label = check.text("rule_name", name, 100, required="name the rule")
        where = check.text("zone", zone, 64, required="choose a zone") or "all"
        if object not in OBJECTS:
            check.add("object", "motion or person")
        a = _minutes(check, "start", start)
        b = _minutes(check, "end", end)
        loiter = check.count("loiter_s", loiter_s)
        cool = check.count("cooldown_s", cooldown_s)
        for field, v in (("loiter_s", loiter), ("cooldown_s", cool)):
            if v is not None and v > 86_400:
                check.add(field, "at most a day (86400 s)")
        if check.ok:
            rule = AlertRule(
                name=label, camera_id=cam.id, zone=where, object=object,
                start_min=0 if a is None else a, end_min=1440 if b is None else b,
                loiter_s=loiter or 0, cooldown_s=60 if cool is None else cool, active=True,
                updated_us=system.clock.now_us(), updated_by=who.username,
            )  # fmt: skip
            s.add(rule)
            s.flush()
            record(s, who.actor, "analytics.rule", "alert_rule", str(rule.id), "",
                   {"camera": cam.id, "name": label, "zone": where, "object": object,
                    "start": start, "end": end, "loiter_s": rule.loiter_s,
                    "cooldown_s": rule.cooldown_s})  # fmt: skip
            later.add_task(changed, system, cam.id)
            return RedirectResponse(f"/analytics/cameras/{cam.id}", status_code=303)
        form = {"rule_name": name, "zone": zone, "object": object, "start": start, "end": end,
                "loiter_s": loiter_s, "cooldown_s": cooldown_s}  # fmt: skip
        return page(request, system, s, who, camera_id, check, form)

    @router.post("/analytics/cameras/{camera_id}/rules/{rule_id}/toggle")
    def toggle_rule(
        camera_id: str, rule_id: RowId, system: SystemDep, s: SessionDep, who: Setter,
        later: BackgroundTasks,
    ) -> Response:  # fmt: skip
        cam = system.cameras.get(s, who, camera_id)
        rule = s.get(AlertRule, rule_id)
        if rule is None or rule.camera_id != cam.id:
            raise NotFound(f"no rule {rule_id} on {cam.id}")
        rule.active = not rule.active
        rule.updated_us, rule.updated_by = system.clock.now_us(), who.username
        record(s, who.actor, "analytics.rule_toggle", "alert_rule", str(rule.id), "",
               {"active": rule.active})  # fmt: skip
        later.add_task(changed, system, cam.id)
        return RedirectResponse(f"/analytics/cameras/{cam.id}", status_code=303)

    return router
