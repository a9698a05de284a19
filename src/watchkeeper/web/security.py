"""Response headers that keep pages from being framed, sniffed or fed foreign script,
and the ``/vendor`` files the pages use (and nothing else of ``node_modules``).

The Content-Security-Policy allows only the app's own origin: no inline script (page
data travels in ``data-`` attributes), no inline style elements, no other hosts. The
live wall and playback play fMP4 through MediaSource, so media comes from ``blob:``
URLs; hls.js starts its worker from a ``blob:`` URL; live video and alerts use
WebSockets to the same origin, which ``'self'`` covers.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "SECURITY_HEADERS", "VENDOR_FILES", "SecurityHeaders", "VendorFiles"]

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

VENDOR_FILES = frozenset(
    {
        "htmx.org/dist/htmx.min.js",
        "chart.js/dist/chart.umd.min.js",
        "hls.js/dist/hls.min.js",
        "leaflet/dist/leaflet.js",
        "leaflet/dist/leaflet.css",
        "swagger-ui-dist/swagger-ui.css",
        "swagger-ui-dist/swagger-ui-bundle.js",
    }
)
"""The front-end files pages load from ``/vendor``; everything else there is 404."""


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class VendorFiles(StaticFiles):
    """``node_modules`` served through an allow-list of files."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path not in VENDOR_FILES:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)
