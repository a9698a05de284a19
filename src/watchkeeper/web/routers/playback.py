"""Recorded video over HTTP: reasons, timeline, VOD playlists, on-demand MP4, snapshots.

Every path checks the right, then the camera's visibility to the caller (a client viewer
gets 404 for another client's camera, as if it did not exist), then, for anything that
returns pictures, the view grant that carries the audited reason.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from starlette.responses import Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import ValidationError
from watchkeeper.playback.snapshot import decode_at, encode_jpeg
from watchkeeper.playback.timeline import build_timeline
from watchkeeper.timeutil import format_local, format_utc
from watchkeeper.web.bounds import TimeQuery
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.ranges import ranged_response
from watchkeeper.web.templating import Pages
from watchkeeper.web.typed_time import parse_typed_time
from watchkeeper.web.uk import format_uk
from watchkeeper.web.visibility import SeenCamera, visible_camera

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.VIDEO_PLAYBACK))]
Recorded = Annotated[SeenCamera, Depends(visible_camera(Right.VIDEO_PLAYBACK))]
Stream = Literal["main", "sub"]
PREFIX = "/api/playback/cameras/{camera_id}"


class ViewRequest(BaseModel):
    start_us: int
    end_us: int
    reason: str


class ViewReply(BaseModel):
    token: str
    camera_id: str
    start_us: int
    end_us: int
    audited: bool


class TimeReply(BaseModel):
    us: int
    utc: str
    local: str


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(tags=["playback"])

    @router.get("/playback", response_class=HTMLResponse, include_in_schema=False)
    def playback_page(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        camera: str = "",
        at: TimeQuery = None,
        until: TimeQuery = None,
    ) -> Response:
        """``?camera=&at=&until=``: links from the wall, camera rows and held footage."""
        cams = system.cameras.list(s, who)
        if camera:
            system.cameras.get(s, who, camera)
        shown = format_uk(at, seconds=True).rsplit(" ", 1)[0] if at is not None else ""
        return pages.render(
            request,
            "playback.html",
            who=who,
            cameras=cams,
            camera=camera,
            at=at,
            until=until,
            at_text=shown,
            licence=None,
        )

    @router.get("/api/playback/time")
    def parse_time(
        who: Viewer, system: SystemDep, text: str, fold: int | None = Query(None, ge=0, le=1)
    ) -> TimeReply:
        """A time typed by a person: ``now``, ``-5m``, ``20:30``, ``dd/mm/yyyy hh:mm`` or ISO,
        Europe/London; the repeated hour needs ``fold``."""
        us = parse_typed_time(text, system.clock.now_us(), fold)
        return TimeReply(us=us, utc=format_utc(us), local=format_local(us))

    @router.post(PREFIX + "/views")
    def open_view(
        cam: Recorded,
        system: SystemDep,
        s: SessionDep,
        body: Annotated[ViewRequest, Body()],
    ) -> ViewReply:
        """Give the reason for viewing recorded footage; the reply's token opens it."""
        camera_id, who = cam.id, cam.who
        grant, audited = system.playback.views.open(
            s, who, camera_id, body.start_us, body.end_us, body.reason
        )
        return ViewReply(
            token=grant.token,
            camera_id=camera_id,
            start_us=grant.start_us,
            end_us=grant.end_us,
            audited=audited,
        )

    @router.get(PREFIX + "/timeline")
    def timeline(
        cam: Recorded,
        system: SystemDep,
        s: SessionDep,
        start: int,
        end: int,
        buckets: int = Query(1000, ge=10, le=10_000),
        stream: Stream = "main",
    ) -> dict[str, object]:
        """Recorded spans, explained gaps and holds, merged to ``buckets`` pixels."""
        camera_id = cam.id
        if end <= start:
            raise ValidationError("end must be after start")
        t = build_timeline(
            s, camera_id, start, end, buckets, stream, system.clock.now_us(), who=cam.who
        )
        return {
            "camera_id": t.camera_id,
            "stream": t.stream,
            "start_us": t.start_us,
            "end_us": t.end_us,
            "resolution_us": t.resolution_us,
            "spans": [[x.start_us, x.end_us] for x in t.spans],
            "gaps": [
                {"start_us": g.start_us, "end_us": g.end_us, "reason": g.reason} for g in t.gaps
            ],
            "holds": [
                {"id": h.id, "start_us": h.start_us, "end_us": h.end_us, "reference": h.reference}
                for h in t.holds
            ],
        }

    @router.get(PREFIX + "/vod.m3u8")
    def vod(
        cam: Recorded,
        system: SystemDep,
        s: SessionDep,
        start: int,
        end: int,
        view: str,
        stream: Stream = "main",
    ) -> Response:
        camera_id, who = cam.id, cam.who
        system.playback.views.check(view, who, camera_id, start, end)

        def url_for(a: int, b: int, base: int) -> str:
            q = urlencode(
                {"start": a, "end": b, "stream": stream, "view": view, "exact": 1, "base": base}
            )
            return f"/api/playback/cameras/{camera_id}/media.mp4?{q}"

        text = system.playback.playlist(s, camera_id, stream, start, end, url_for)
        return Response(
            text, media_type="application/vnd.apple.mpegurl", headers={"Cache-Control": "no-store"}
        )

    @router.get(PREFIX + "/media.mp4")
    def media(
        cam: Recorded,
        system: SystemDep,
        s: SessionDep,
        start: int,
        end: int,
        view: str,
        stream: Stream = "main",
        exact: bool = False,
        base: int | None = None,
        range_: Annotated[str | None, Header(alias="range")] = None,
    ) -> Response:
        """The range as one MP4, built from the index; answers HTTP Range requests."""
        camera_id, who = cam.id, cam.who
        system.playback.views.check(view, who, camera_id, start, end)
        vm = system.playback.media(s, camera_id, stream, start, end, exact, base)
        name = f"{camera_id}_{format_utc(vm.start_us).replace(':', '')}.mp4"
        return ranged_response(
            range_,
            vm.size,
            vm.read,
            "video/mp4",
            {
                "X-Start-Us": str(vm.start_us),
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "private, max-age=3600",
            },
        )

    @router.get(PREFIX + "/snapshot.jpg")
    def snapshot(
        cam: Recorded,
        system: SystemDep,
        s: SessionDep,
        at: int,
        view: str,
        stream: Stream = "main",
    ) -> Response:
        """The picture on screen at ``at`` as a JPEG."""
        camera_id, who = cam.id, cam.who
        system.playback.views.check(view, who, camera_id, at, at + 1)
        vm = system.playback.media(s, camera_id, stream, at, at + 1)
        jpeg = encode_jpeg(decode_at(vm, at))
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    return router
