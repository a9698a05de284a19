"""The published camera register: a public page, CSV and GeoJSON, without logging in.

Every path here is in ``PUBLIC_PATHS``. Only the fields of
``governance.published.PUBLISHED`` are read out (no stream address, credential,
retention justification or internal note).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from watchkeeper.governance.published import PUBLISHED, published_cameras, to_csv, to_geojson
from watchkeeper.web.deps import SessionDep, SystemDep
from watchkeeper.web.templating import Pages

__all__ = ["PATHS", "build_router"]

PATHS = frozenset({"/public/cameras", "/public/cameras.csv", "/public/cameras.geojson"})


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(tags=["published register"])

    @router.get("/public/cameras", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, system: SystemDep, s: SessionDep) -> Response:
        rows = published_cameras(s, system.settings.operator_name)
        return pages.render(
            request, "public_cameras.html", who=None, rows=rows, fields=PUBLISHED,
            operator=system.settings.operator_name,
        )  # fmt: skip

    @router.get("/public/cameras.csv")
    def csv_file(system: SystemDep, s: SessionDep) -> Response:
        """The published camera register as CSV (open data)."""
        body = to_csv(published_cameras(s, system.settings.operator_name))
        disposition = 'inline; filename="cctv-cameras.csv"'
        return Response(body, media_type="text/csv", headers={"Content-Disposition": disposition})

    @router.get("/public/cameras.geojson")
    def geojson(system: SystemDep, s: SessionDep) -> Response:
        """The published camera register as GeoJSON (cameras with coordinates)."""
        body = to_geojson(published_cameras(s, system.settings.operator_name))
        return Response(body, media_type="application/geo+json")

    return router
