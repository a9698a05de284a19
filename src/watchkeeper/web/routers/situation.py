"""Where the cameras are and how they are: the camera map page and the camera state API.

The map draws the register's coordinates (site, area, camera) with Leaflet; map tiles come
from the ``map_tile_url`` setting when one is set and reachable, otherwise the map is the
plain vector drawing alone. The page's policy admits images from that one tile origin.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.web.camera_states import CameraState, camera_states
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.security import CSP
from watchkeeper.web.templating import Pages

__all__ = ["build_router", "map_policy"]

Viewer = Annotated[Principal, Depends(require(Right.CAMERAS_VIEW))]


def map_policy(tile_url: str) -> str:
    """The site policy with images also allowed from the tile server's origin."""
    if not tile_url:
        return CSP
    parts = urlsplit(tile_url)
    hosts = (
        [parts.netloc.replace("{s}", sub) for sub in "abc"]
        if "{s}" in parts.netloc
        else [parts.netloc]
    )
    origin = " ".join(f"{parts.scheme}://{h}" for h in hosts)
    return CSP.replace("img-src 'self'", f"img-src 'self' {origin}", 1)


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter()

    @router.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def camera_map(request: Request, system: SystemDep, who: Viewer) -> Response:
        tiles = system.settings.map_tile_url
        page = pages.render(
            request,
            "map.html",
            who=who,
            tile_url=tiles,
            can_live=who.can(Right.VIDEO_LIVE),
            can_playback=who.can(Right.VIDEO_PLAYBACK),
            licence=None,
        )
        page.headers["content-security-policy"] = map_policy(tiles)
        return page

    @router.get("/api/live/states", tags=["live"])
    def states(system: SystemDep, s: SessionDep, who: Viewer) -> dict[str, CameraState]:
        """Each visible camera's video state (streaming, connecting, stalled, offline, not
        recording) and since when, for the wall's tree, its tiles and the map."""
        return camera_states(system, [c.id for c in system.cameras.list(s, who)])

    return router
