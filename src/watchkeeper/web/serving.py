"""The one uvicorn configuration for the web app (``serve``, ``demo``, tests, benchmarks).

WebSocket compression (permessage-deflate) is off: live video is already compressed, and
deflating every fragment of every tile on the event loop costs more CPU than the remux and
delays every other request.
"""

from __future__ import annotations

from typing import Any

import uvicorn

from watchkeeper.system import System
from watchkeeper.web.app import create_app

__all__ = ["server_config"]


def server_config(system: System, **more: Any) -> uvicorn.Config:
    """Config serving ``system`` at its settings' host and port; ``more`` overrides."""
    options: dict[str, Any] = {
        "host": system.settings.host,
        "port": system.settings.port,
        "proxy_headers": system.settings.tls,
        "ws_per_message_deflate": False,
        **more,
    }
    return uvicorn.Config(create_app(system), **options)
