"""A live Watchkeeper server in a thread and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.conftest import make_settings, need_service
from watchkeeper.system import System, build_system
from watchkeeper.web.serving import server_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    system: System


@contextmanager
def serve_app(system: System) -> Iterator[str]:
    """The web app of ``system`` served by uvicorn in a thread on a free port; its URL.

    Graceful shutdown is cut to 1 s: a live-video WebSocket would otherwise hold it open.
    """
    port = free_port()
    server = uvicorn.Server(
        server_config(
            system, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    system = build_system(make_settings(tmp_path / "data"))
    try:
        with serve_app(system) as url:
            yield LiveServer(url, system)
    finally:
        system.close()


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = context.new_page()
        yield page
        context.close()


NAV_GROUPS = "header nav details.navgroup"


def nav_to(page: Any, text: str) -> None:
    """Click the nav link named ``text``, opening its group first when it is in one."""
    link = page.locator("header nav a", has_text=text).first
    if not link.is_visible():
        page.locator(NAV_GROUPS, has=page.locator("a", has_text=text)).locator("summary").click()
    link.click()
