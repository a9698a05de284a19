"""Analytics over HTTP: motion on the timeline, span thumbnails, the alert queue (JSON for
the wall's flashing tiles), zones and alert rules.

Video rights and camera visibility as for playback: another client's camera is 404.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from watchkeeper.analytics.models import AlertRule, MotionSpanRow
from watchkeeper.analytics.store import motion_timeline, set_zone
from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.timeutil import MAX_US, MIN_US
from watchkeeper.web.bounds import RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.visibility import SeenCamera, visible_camera

__all__ = ["router"]

Recorded = Annotated[SeenCamera, Depends(visible_camera(Right.VIDEO_PLAYBACK))]
Configured = Annotated[SeenCamera, Depends(visible_camera(Right.CAMERAS_MANAGE))]
Watcher = Annotated[Principal, Depends(require(Right.VIDEO_LIVE))]
Viewer = Annotated[Principal, Depends(require(Right.VIDEO_PLAYBACK))]

router = APIRouter(tags=["analytics"])


class ZoneIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    kind: Literal["zone", "mask"] = "zone"
    points: list[list[float]] = Field(min_length=3, max_length=32)
    sensitivity: float = Field(0.005, ge=0.0001, le=1.0)


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    zone: str = Field("all", min_length=1, max_length=64)
    object: Literal["motion", "person", "vehicle"] = "motion"
    start_min: int = Field(0, ge=0, lt=1440, description="Minutes after local midnight")
    end_min: int = Field(1440, ge=0, le=1440, description="Before start: crosses midnight")
    loiter_s: int = Field(0, ge=0, le=86_400)
    cooldown_s: int = Field(60, ge=0, le=86_400)


@router.get("/api/analytics/cameras/{camera_id}/motion")
def camera_motion(
    cam: Recorded,
    s: SessionDep,
    start: Annotated[int, Query(ge=MIN_US, le=MAX_US)],
    end: Annotated[int, Query(ge=MIN_US, le=MAX_US)],
    buckets: int = Query(1000, ge=10, le=10_000),
) -> dict[str, object]:
    """Motion spans of a camera (any zone), merged to ``buckets`` pixels, for the timeline."""
    if end <= start:
        raise ValidationError("end must be after start")
    spans = motion_timeline(s, cam.id, start, end, buckets)
    return {"camera_id": cam.id, "start_us": start, "end_us": end, "spans": spans}


@router.get("/api/analytics/motion/{span_id}/thumbnail.jpg")
def span_thumbnail(span_id: RowId, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
    """The span's picture (masks blacked out); 404 for a camera the caller cannot see."""
    row = s.get(MotionSpanRow, span_id)
    if row is None or row.thumbnail is None:
        raise NotFound(f"no picture for motion span {span_id}")
    system.cameras.get(s, who, row.camera_id)
    return Response(row.thumbnail, media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip


@router.get("/api/alerts")
def alerts(
    system: SystemDep, s: SessionDep, who: Watcher, status: str = Query("open", max_length=16)
) -> dict[str, object]:
    """Alerts on the caller's cameras, newest first (the wall polls this)."""
    assert system.alerts is not None
    rows = system.alerts.list(s, who, status)
    return {
        "alerts": [
            {"id": a.id, "camera_id": a.camera_id, "rule": a.rule_name, "zone": a.zone,
             "object": a.object, "start_us": a.start_us, "raised_us": a.raised_us,
             "status": a.status}
            for a in rows
        ]
    }  # fmt: skip


@router.put("/api/analytics/cameras/{camera_id}/zones")
def put_zone(
    cam: Configured, system: SystemDep, s: SessionDep, body: Annotated[ZoneIn, Body()]
) -> dict[str, object]:
    """Add or replace a zone or mask (fractions of the picture; analysers pick it up at
    their next start)."""
    row = set_zone(s, cam.id, body.name, body.kind, body.points, body.sensitivity,
                   cam.who.username, system.clock.now_us())  # fmt: skip
    record(s, cam.who.actor, "analytics.zone", "camera", cam.id, "",
           {"name": row.name, "kind": row.kind, "points": json.loads(row.points)})  # fmt: skip
    return {"id": row.id, "camera_id": cam.id, "name": row.name, "kind": row.kind}


@router.post("/api/analytics/cameras/{camera_id}/rules")
def add_rule(
    cam: Configured, system: SystemDep, s: SessionDep, body: Annotated[RuleIn, Body()]
) -> dict[str, object]:
    """An alert rule: object in zone within the schedule, after loitering, with cool-down."""
    rule = AlertRule(
        camera_id=cam.id, active=True, updated_us=system.clock.now_us(),
        updated_by=cam.who.username, **body.model_dump(),
    )  # fmt: skip
    s.add(rule)
    s.flush()
    record(s, cam.who.actor, "analytics.rule", "alert_rule", str(rule.id), "",
           {"camera": cam.id, **body.model_dump()})  # fmt: skip
    if system.analytics is not None:
        system.analytics.writer.reload_rules()
    return {"id": rule.id, "camera_id": cam.id, "name": rule.name}
