"""The one place where the project's error tree becomes HTTP status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError

from watchkeeper import errors

__all__ = ["STATUS", "install_error_handlers"]

STATUS: list[tuple[type[errors.WatchkeeperError], int]] = [
    (errors.ImportRejected, 422),
    (errors.ValidationError, 422),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.AuthError, 401),
    (errors.Forbidden, 403),
    (errors.StorageError, 507),
    (errors.MediaError, 502),
    (errors.ConfigError, 500),
]


def status_for(exc: errors.WatchkeeperError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.WatchkeeperError)
    async def _handle(request: Request, exc: errors.WatchkeeperError) -> Response:
        status = status_for(exc)
        if status == 401 and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, errors.ImportRejected):
            body["problems"] = exc.problems
        return JSONResponse(body, status_code=status)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        """A number no column can hold that slipped past the request's bounds: still the
        client's error (422), never a 500, and the database's message is not echoed."""
        body = {"error": "ValidationError", "detail": "a value is out of range"}
        return JSONResponse(body, status_code=422)
