"""The police link over the web: sharing from the console, the police wall and its feed.

Thin: the rules live in ``police/shares.py``; what a police account may reach is decided by
``CameraService.visible`` (docs/design/police-link.md). The police wall long-polls
``/api/police/wall`` as the console wall polls its alerts: the answer comes as soon as a
share starts or ends (the service's commit hook wakes the request), or within a second
when a share lapses by itself or a shared camera's video state changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import NotFound
from watchkeeper.police.models import CameraShare
from watchkeeper.police.shares import MAX_MINUTES, ShareSpec
from watchkeeper.records.incident_models import Incident
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.routers import police_accounts
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import format_uk

__all__ = ["build_router"]

Sharer = Annotated[Principal, Depends(require(Right.POLICE_SHARE))]
Wall = Annotated[Principal, Depends(require(Right.POLICE_WALL))]
IncidentViewer = Annotated[Principal, Depends(require(Right.INCIDENTS_VIEW))]


class ShareIn(BaseModel):
    camera_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    incident_ref: str = Field("", max_length=16)
    cad_ref: str = Field("", max_length=64)
    minutes: int = Field(60, ge=1, le=MAX_MINUTES)
    ptz: bool = False


class EndIn(BaseModel):
    reason: str = Field("", max_length=500)


class ShareOut(BaseModel):
    id: int
    camera_id: str
    camera_name: str
    incident_ref: str
    cad_ref: str
    reason: str
    shared_by: str
    shared: str
    expires: str
    expires_us: int
    ptz: bool
    viewers: list[str]


class LinkOut(BaseModel):
    username: str
    force: str
    collar_number: str
    last_seen: str
    connected: bool


class SharesOut(BaseModel):
    shares: list[ShareOut]
    link: list[LinkOut]


class WallShare(BaseModel):
    id: int
    camera_id: str
    camera_name: str
    location: str
    incident_ref: str
    cad_ref: str
    reason: str
    expires: str
    state: str
    """The camera's main stream: streaming, connecting, stalled, offline, stopped, no video."""
    ptz: bool = False
    """The share lets the police steer the camera (the tile then offers Take control)."""


class WallOut(BaseModel):
    sig: str
    shares: list[WallShare]


def _out(s: Session, system: System, shares: list[CameraShare]) -> list[ShareOut]:
    refs = system.shares.incident_refs(s, shares)
    viewers = system.shares.viewers(s, [sh.id for sh in shares])
    ids = {sh.camera_id for sh in shares}
    names = dict(s.execute(select(Camera.id, Camera.name).where(Camera.id.in_(ids))).all())
    return [
        ShareOut(
            id=sh.id,
            camera_id=sh.camera_id,
            camera_name=names.get(sh.camera_id, ""),
            incident_ref=refs.get(sh.incident_id or 0, ""),
            cad_ref=sh.cad_ref,
            reason=sh.reason,
            shared_by=sh.shared_by,
            shared=format_uk(sh.shared_us),
            expires=format_uk(sh.expires_us),
            expires_us=sh.expires_us,
            ptz=sh.ptz,
            viewers=[
                f"{v.username} ({v.force} {v.collar_number})".replace(" ( )", "")
                for v in viewers[sh.id]
            ],
        )
        for sh in shares
    ]


def _video_states(system: System) -> dict[str, str]:
    if system.recorder is None:
        return {}
    return {
        key.rsplit("/", 1)[0]: h.state.value
        for key, h in system.recorder.health().items()
        if key.endswith("/main")
    }


def _wall(system: System, who: Principal) -> tuple[WallOut, list[int]]:
    """What ``who``'s police wall shows now (shares of cameras it may see)."""
    with system.db.session() as s:
        system.shares.sweep(s)
        visible = {c.id: c for c in system.cameras.list(s, who)}
        shares = [sh for sh in system.shares.active(s) if sh.camera_id in visible]
        refs = system.shares.incident_refs(s, shares)
        states = _video_states(system)
        rows = [
            WallShare(
                id=sh.id,
                camera_id=sh.camera_id,
                camera_name=visible[sh.camera_id].name,
                location=visible[sh.camera_id].location,
                incident_ref=refs.get(sh.incident_id or 0, ""),
                cad_ref=sh.cad_ref,
                reason=sh.reason,
                expires=format_uk(sh.expires_us),
                state=states.get(sh.camera_id, "no video"),
                ptz=sh.ptz,
            )
            for sh in shares
        ]
    text = json.dumps([r.model_dump() for r in rows], sort_keys=True)
    return WallOut(sig=hashlib.sha256(text.encode()).hexdigest()[:16], shares=rows), [
        r.id for r in rows
    ]


def _seen(system: System, who: Principal, share_ids: list[int]) -> None:
    with system.db.session() as s:
        shares = [sh for sh in system.shares.active(s) if sh.id in set(share_ids)]
        system.shares.seen(s, who, shares)


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(tags=["police"])
    router.include_router(police_accounts.build_router(pages))

    @router.post("/api/police/shares")
    def share(body: ShareIn, system: SystemDep, s: SessionDep, who: Sharer) -> ShareOut:
        """Share a camera live with the police link, for an incident or a CAD reference."""
        spec = ShareSpec(**body.model_dump())
        made = system.shares.share(s, who, spec)
        return _out(s, system, [made])[0]

    @router.post("/api/police/shares/{share_id}/end")
    def end(share_id: int, body: EndIn, system: SystemDep, s: SessionDep, who: Sharer) -> ShareOut:
        """End a share (one's own; a supervisor any)."""
        ended = system.shares.end(s, who, share_id, body.reason)
        return _out(s, system, [ended])[0]

    @router.get("/api/police/shares")
    def shares(system: SystemDep, s: SessionDep, who: Sharer) -> SharesOut:
        """Shares in force, their viewers, and whether the police walls are connected."""
        system.shares.sweep(s)
        link = [
            LinkOut(
                username=v.username,
                force=v.force,
                collar_number=v.collar_number,
                last_seen=format_uk(v.last_us),
                connected=v.connected,
            )
            for v in system.shares.link()
        ]
        return SharesOut(shares=_out(s, system, system.shares.active(s)), link=link)

    @router.get("/api/police/wall")
    async def wall_feed(
        system: SystemDep,
        who: Wall,
        have: str = Query("", max_length=64),
        wait: float = Query(0.0, ge=0.0, le=20.0),
    ) -> WallOut:
        """The police wall's shares; waits up to ``wait`` s for a change from ``have``."""
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def poke() -> None:  # any thread, after a share's commit
            with contextlib.suppress(RuntimeError):  # loop closed: nobody waits
                loop.call_soon_threadsafe(changed.set)

        undo = system.shares.subscribe(poke)
        deadline = loop.time() + wait
        try:
            while True:
                changed.clear()
                body, ids = await run_in_threadpool(_wall, system, who)
                left = deadline - loop.time()
                if body.sig != have or left <= 0:
                    await run_in_threadpool(_seen, system, who, ids)
                    return body
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), min(1.0, left))
        finally:
            undo()

    @router.get("/police/wall", response_class=HTMLResponse, include_in_schema=False)
    def police_wall(request: Request, who: Wall) -> Response:
        return pages.render(request, "police_wall.html", who=who)

    @router.get(
        "/police/incidents/{ref}/shares", response_class=HTMLResponse, include_in_schema=False
    )
    def incident_shares(
        request: Request, ref: str, system: SystemDep, s: SessionDep, who: IncidentViewer
    ) -> Response:
        """The incident page's police-link section: its shares, who watched, share more."""
        inc = s.scalar(select(Incident).where(Incident.ref == ref))
        if inc is None:
            raise NotFound(f"no incident {ref}")
        system.shares.sweep(s)
        rows = system.shares.for_incident(s, inc.id)
        active = {sh.id for sh in system.shares.active(s)}
        ctx: dict[str, Any] = {
            "inc": inc,
            "shares": _out(s, system, rows),
            "active": active,
            "ended": {sh.id: sh for sh in rows},
            "cameras": [c.camera_id for c in inc.cameras],
        }
        return pages.render(request, "_police_shares.html", who=who, **ctx)

    return router
