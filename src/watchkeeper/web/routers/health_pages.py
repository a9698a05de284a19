"""Camera health: a page for people, the same rows as JSON for the wall's tree.

``GET /health/cameras`` lists per camera and stream the state, fps, bitrate, last frame,
reconnects today, recorded hours and uptime % for the last 7 days and the clock offset,
with the disk status above; filter by text, area and state, sort by a column. Active
cameras not recording are flagged. ``GET /api/health/cameras`` answers the same facts
(see :mod:`watchkeeper.recording.camera_health` for where each comes from).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.recording.camera_health import CameraHealth, CameraHealthReport
from watchkeeper.system import System
from watchkeeper.timeutil import format_utc
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.overview import disk_status
from watchkeeper.web.templating import Pages

__all__ = ["CameraHealthPublic", "build_router"]

Health = Annotated[Principal, Depends(require(Right.SYSTEM_HEALTH))]
STATES = ("all", "not recording", "streaming", "connecting", "stalled", "offline", "stopped")
SORTS = {
    "camera": lambda r: (r.camera_id,),
    "area": lambda r: (r.site, r.area, r.camera_id),
    "state": lambda r: (r.recording, r.main.state, r.camera_id),
    "uptime": lambda r: (r.main.days[-2].percent if r.main.days else 0.0, r.camera_id),
    "reconnects": lambda r: (-r.main.reconnects_today, r.camera_id),
}


class DayPublic(BaseModel):
    day: date
    recorded_s: float
    uptime_percent: float


class StreamHealthPublic(BaseModel):
    stream: str
    state: str
    since_us: int | None
    since_utc: str
    reason: str
    fps: float | None
    bitrate_bps: float | None
    last_frame_us: int | None
    reconnects_today: int
    source: str
    transport: str
    lost_frames: int | None
    corrupt: int | None
    days: list[DayPublic]


class CameraHealthPublic(BaseModel):
    camera_id: str
    name: str
    site: str
    area: str
    status: str
    recording: bool
    flag: str
    clock_offset_us: int | None
    clock_checked_us: int | None
    streams: list[StreamHealthPublic]

    @classmethod
    def of(cls, row: CameraHealth) -> CameraHealthPublic:
        return cls(
            camera_id=row.camera_id,
            name=row.name,
            site=row.site,
            area=row.area,
            status=row.status,
            recording=row.recording,
            flag=row.flag,
            clock_offset_us=row.clock_offset_us,
            clock_checked_us=row.clock_checked_us,
            streams=[
                StreamHealthPublic(
                    stream=st.stream,
                    state=st.state,
                    since_us=st.since_us,
                    since_utc=format_utc(st.since_us),
                    reason=st.reason,
                    fps=st.fps,
                    bitrate_bps=st.bitrate_bps,
                    last_frame_us=st.last_frame_us,
                    reconnects_today=st.reconnects_today,
                    source=st.source,
                    transport=st.transport,
                    lost_frames=st.lost_frames,
                    corrupt=st.corrupt,
                    days=[
                        DayPublic(
                            day=d.day,
                            recorded_s=d.recorded_us / 1e6,
                            uptime_percent=round(d.percent, 2),
                        )
                        for d in st.days
                    ],
                )
                for st in row.streams
            ],
        )


def _filtered(rows: list[CameraHealth], q: str, area: str, state: str) -> list[CameraHealth]:
    needle = q.strip().lower()
    out = []
    for r in rows:
        if needle and needle not in f"{r.camera_id} {r.name} {r.site} {r.area}".lower():
            continue
        if area and area != f"{r.site} / {r.area}":
            continue
        if state == "not recording" and not r.flag:
            continue
        if state not in ("", "all", "not recording") and r.main.state != state:
            continue
        out.append(r)
    return out


def build_router(pages: Pages, report: CameraHealthReport) -> APIRouter:
    router = APIRouter()

    def rows_for(system: System, s: Session, who: Principal) -> list[CameraHealth]:
        live = system.recorder.health() if system.recorder is not None else {}
        return report.build(s, system.cameras.list(s, who), live)

    @router.get("/health/cameras", response_class=HTMLResponse, include_in_schema=False)
    def health_page(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Health,
        q: str = "",
        area: str = "",
        state: str = "all",
        sort: str = "camera",
    ) -> Response:
        rows = rows_for(system, s, who)
        areas = sorted({f"{r.site} / {r.area}" for r in rows})
        shown = _filtered(rows, q, area, state if state in STATES else "all")
        key = SORTS.get(sort, SORTS["camera"])
        shown.sort(key=key)
        return pages.render(
            request,
            "camera_health.html",
            who=who,
            rows=shown,
            total=len(rows),
            flagged=sum(1 for r in rows if r.flag),
            areas=areas,
            states=STATES,
            sorts=list(SORTS),
            q=q,
            area=area,
            state=state,
            sort=sort if sort in SORTS else "camera",
            disk=disk_status(system),
            recorder_here=system.recorder is not None,
            now_us=system.clock.now_us(),
        )

    @router.get("/api/health/cameras", tags=["health"])
    def health_api(
        system: SystemDep,
        s: SessionDep,
        who: Health,
        camera: Annotated[str | None, Query(max_length=64)] = None,
    ) -> list[CameraHealthPublic]:
        """Health per camera and stream (the cameras the caller may see)."""
        rows = rows_for(system, s, who)
        if camera is not None:
            rows = [r for r in rows if r.camera_id == camera]
        return [CameraHealthPublic.of(r) for r in rows]

    return router
