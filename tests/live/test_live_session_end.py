"""A live socket lives no longer than the session that opened it.

Log-out closes the user's sockets at once; disabling the user, a licence that stops being
valid, or the camera leaving the user's sight closes them at the next re-check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from live_helpers import cookie_for
from starlette.testclient import WebSocketTestSession

from watchkeeper.audit.service import Actor
from watchkeeper.auth.models import User
from watchkeeper.cameras.models import Camera
from watchkeeper.system import System

WS = "/api/live/cameras/RP-001/ws"


@contextmanager
def _open(client: TestClient, cookie: str) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect(WS, headers={"cookie": cookie}) as ws:
        assert json.loads(ws.receive_text())["type"] == "init"
        assert ws.receive_bytes()[4:8] == b"ftyp"
        yield ws


def _closed_within(ws: WebSocketTestSession, seconds: float) -> float:
    """Seconds until the server closed the socket (video flows until then)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        msg = ws.receive()
        if msg["type"] == "websocket.close":
            return time.monotonic() - started
    raise AssertionError(f"video still flowing {seconds} s after the session ended")


def test_log_out_closes_the_users_live_sockets_at_once(
    live_client: TestClient, live_system: System
) -> None:
    live_system.live.interval_s = 60.0  # only log-out itself can close it in time
    cookie = cookie_for(live_system, "olive")
    with live_system.db.session() as s:
        who = live_system.users.principal_for_session(s, cookie.split("=", 1)[1])
    assert who is not None
    with (
        _open(live_client, cookie_for(live_system, "olive")) as other,  # another sitting
        _open(live_client, cookie) as ws,
    ):
        r = live_client.post(
            "/logout",
            headers={"cookie": cookie, "x-csrf-token": who.csrf_token},
            data={"csrf_token": who.csrf_token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert _closed_within(ws, 3.0) < 3.0
        # The same user's other session keeps its video.
        assert len(other.receive_bytes()) > 0


def _disable(system: System) -> None:
    with system.db.session() as s:
        system.users.set_disabled(s, "olive", True, Actor(None, "admin"), "left the service")


def _suspend_licence(system: System) -> None:
    with system.db.session() as s:
        s.query(User).filter_by(username="olive").one().sia_status = "suspended"


def _hide_camera(system: System) -> None:
    with system.db.session() as s:
        s.get_one(Camera, "RP-001").client_id = "brook"


@pytest.mark.parametrize(
    ("user", "end"),
    [("olive", _disable), ("olive", _suspend_licence), ("acme-viewer", _hide_camera)],
    ids=["disabled", "licence-suspended", "camera-hidden"],
)
def test_live_socket_closes_when_the_session_stops_being_valid(
    live_client: TestClient,
    live_system: System,
    user: str,
    end: Callable[[System], None],
) -> None:
    live_system.live.interval_s = 0.5
    with _open(live_client, cookie_for(live_system, user)) as ws:
        for _ in range(10):
            ws.receive_bytes()
        end(live_system)
        assert _closed_within(ws, 5.0) < 5.0
