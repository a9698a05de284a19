"""The one uvicorn configuration for the web app (``serve``, ``demo``, tests, benchmarks).

WebSocket compression (permessage-deflate) is off: live video is already compressed, and
deflating every fragment of every tile on the event loop costs more CPU than the remux and
delays every other request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import uvicorn
from fastapi import FastAPI

from watchkeeper.system import System
from watchkeeper.web.app import create_app

__all__ = ["WORKER_THREADS", "server_config"]

WORKER_THREADS = 200
"""Threads for blocking handlers (Starlette's default is 40).

A sync handler's transaction commits only after its response is validated, and that step
needs a thread of the same pool. With 40 threads, 40 concurrent writers on SQLite (each
waiting up to 30 s for the write lock or a pooled connection) left none for the writer that
held the lock: it could not commit, everyone waited out the 30 s timeouts, requests failed
and the recorder, whose writes queue on the same lock, stopped reading packets. Threads
cost little while they wait; the database still admits one writer at a time.
"""


def _with_worker_threads(app: FastAPI) -> None:
    """Widen the thread pool when the server starts, around the app's own lifespan."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        async with inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan


def server_config(system: System, **more: Any) -> uvicorn.Config:
    """Config serving ``system`` at its settings' host and port; ``more`` overrides."""
    options: dict[str, Any] = {
        "host": system.settings.host,
        "port": system.settings.port,
        "proxy_headers": system.settings.tls,
        "ws_per_message_deflate": False,
        **more,
    }
    app = create_app(system)
    _with_worker_threads(app)
    return uvicorn.Config(app, **options)
