"""A system on SQLite and fake time with recorded footage, users of every role, a web client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pb_media import Footage, Served, record
from tests.clips import make_clip
from tests.foundation.helpers import add_user, load_small_register

from watchkeeper.auth.roles import Role
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("pbclips")
    return make_clip(d / "a.ts", 6, "320x240"), make_clip(d / "b.ts", 3, "480x272")


@pytest.fixture
def footage(system: System, clock: FakeClock, clips: tuple[Path, Path]) -> Footage:
    load_small_register(system)
    for role in Role:
        add_user(
            system,
            f"user-{role.value}",
            role,
            client_id="acme" if role is Role.CLIENT_VIEWER else None,
        )
    t0 = clock.now_us()
    record(system, clock, clips[0], "TC-001")
    gap_start = clock.now_us()
    clock.advance(10)
    gap_end = clock.now_us()
    record(system, clock, clips[1], "TC-001")
    end = clock.now_us()
    rp_start = clock.now_us()
    record(system, clock, clips[1], "RP-001")
    return Footage(t0, gap_start, gap_end, end, rp_start)


@pytest.fixture
def client(system: System, footage: Footage) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as c:
        yield c


@pytest.fixture
def served(system: System, footage: Footage) -> Iterator[Served]:
    """The app on a real port (for ffmpeg and WebSocket clients)."""
    import threading
    import time

    import uvicorn
    from tests.browser.conftest import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(system), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield Served(f"http://127.0.0.1:{port}", system)
    server.should_exit = True
    thread.join(timeout=10)
