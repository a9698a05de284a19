"""The API reference page, served from this origin (Swagger UI from the vendor folder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from watchkeeper.errors import NotFound
from watchkeeper.web.templating import Pages

__all__ = ["DOCS_PATH", "build_router"]

DOCS_PATH = "/api/docs"


def build_router(pages: Pages, available: bool) -> APIRouter:
    """``available``: Swagger UI is installed; without it the page is 404, not a CDN."""
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH, response_class=HTMLResponse)
    def api_docs(request: Request) -> Response:
        if not available:
            raise NotFound("the API reference page needs the front-end packages installed")
        return pages.render(request, "api_docs.html", openapi_url=request.app.openapi_url)

    return router
