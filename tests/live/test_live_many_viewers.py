"""Many live tiles hold no worker threads, so ordinary requests are served while they play.

A real uvicorn server (the test client gives each socket its own event loop and thread pool,
which would hide the problem). How fast requests stay under load is measured by
``bench/console_load.py``, not here.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
from live_helpers import cookie_for
from tests.browser.conftest import serve_app
from websockets.asyncio.client import ClientConnection, connect

from watchkeeper.system import System

VIEWERS = 60


def _pool_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("AnyIO worker thread"))


async def _watch_and_ask(url: str, cookie: str) -> tuple[list[int], list[int], int]:
    ws_url = url.replace("http://", "ws://") + "/api/live/cameras/RP-001/ws"
    sockets: list[ClientConnection] = []
    try:
        for _ in range(VIEWERS):  # one after another, as a wall of tiles opens
            sockets.append(
                await connect(ws_url, additional_headers={"cookie": cookie}, open_timeout=20)
            )
        inits = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 20) for ws in sockets))
        assert all(isinstance(m, str) for m in inits)  # the init message, then video
        await asyncio.gather(*(asyncio.wait_for(ws.recv(), 20) for ws in sockets))
        threads = _pool_threads()
        async with httpx.AsyncClient(base_url=url, headers={"cookie": cookie}) as http:
            answers = [(await http.get("/api/me", timeout=30)).status_code for _ in range(5)]
        still = [len(await asyncio.wait_for(ws.recv(), 20)) for ws in sockets]
        return answers, still, threads
    finally:
        for ws in sockets:
            await ws.close()


def test_sixty_live_tiles_leave_the_server_free_for_requests(live_system: System) -> None:
    cookie = cookie_for(live_system, "olive")
    with serve_app(live_system) as url:
        answers, still, threads = asyncio.run(_watch_and_ask(url, cookie))
    assert answers == [200] * 5
    assert len(still) == VIEWERS and all(n > 0 for n in still)
    # A thread per viewer (the old design) would hold the pool's 40 threads here.
    assert threads < 10, f"{threads} worker threads busy with {VIEWERS} viewers"
