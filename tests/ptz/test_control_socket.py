"""Steering through the PTZ WebSocket, as a console does, against the simulated camera:
continuous move and the dead-man stop, take-over by priority with notice, the licence
gate mid-session, a fixed camera, a flood of commands; one audit entry per session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.ptz.conftest import Served, head
from tests.ptz.ws_client import Console
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.models import User

pytestmark = pytest.mark.media
ROOT = Path(__file__).resolve().parents[2]


def _sessions(served: Served) -> list[AuditEntry]:
    with served.system.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "ptz.session")).all()
        s.expunge_all()
        return list(rows)


def _wait_audit(served: Served, n: int, timeout: float = 5.0) -> list[AuditEntry]:
    deadline = time.monotonic() + timeout
    while len(rows := _sessions(served)) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    return rows


def _still(served: Served, settle: float = 0.4) -> float:
    """The pan where the camera stopped; asserts it is not moving."""
    a = head(served.rig)
    time.sleep(settle)
    b = head(served.rig)
    assert not b.moving and a.pan == pytest.approx(b.pan, abs=1e-4), (a, b)
    return b.pan


def test_move_then_dead_man_stop_when_the_client_freezes_then_dies(served: Served) -> None:
    client = subprocess.Popen(
        [sys.executable, "-m", "tests.ptz.ws_client", served.url, served.cookie("olive"), "TC-001"],
        cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert client.stdout is not None and client.stdout.readline() == b"steering\n"
        time.sleep(0.8)
        moving = head(served.rig)
        assert moving.moving and moving.pan > 0.1, "pans right while the key is held"
        client.send_signal(signal.SIGSTOP)  # a hung browser: socket open, nothing sent
        frozen_at = time.monotonic()
        time.sleep(0.9)
        pan = _still(served)
        # 0.5 s of silence, a watchdog tick and a request: the camera stopped within ~0.7 s
        # of the last command (0.8 units/s top speed), long before the camera's own Timeout.
        assert pan < moving.pan + 0.8 * (time.monotonic() - frozen_at), "stopped while frozen"
        assert pan - moving.pan < 0.8 * 0.9, "stopped by the dead-man rule, not by Timeout"
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=5)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    (entry,) = _wait_audit(served, 1)
    details = json.loads(entry.details)
    assert entry.username == "olive" and entry.object_id == "TC-001"
    assert entry.reason == "disconnected" and details["dead_man_stops"] >= 1
    assert details["from_us"] < details["to_us"] and details["commands"] >= 5


def test_take_over_by_priority_with_notice(served: Served) -> None:
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    sam = Console(served.url, served.cookie("sam"), "TC-001")
    try:
        olive.send(type="take")
        olive.wait_for(type="state", holder="olive", you=True)
        sam.wait_for(type="state", holder="olive", you=False)  # every tile shows the holder
        olive.send(type="move", pan=-1.0, tilt=0.0, zoom=0.0)
        sam.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
        assert "held by olive" in sam.wait_for(type="error")["message"]
        sam.send(type="take")
        lost = olive.wait_for(type="lost")
        assert (lost["reason"], lost["by"]) == ("taken over", "sam")
        olive.wait_for(type="state", holder="sam", you=False)
        time.sleep(0.3)
        assert not head(served.rig).moving, "the camera stops when control changes hands"
        olive.send(type="take")
        assert "held by sam (supervisor)" in olive.wait_for(type="error")["message"]
    finally:
        olive.close()
        sam.close()
    rows = _wait_audit(served, 2)
    first = json.loads(rows[0].details)
    assert (rows[0].username, rows[0].reason, first["taken_over_by"]) == (
        "olive", "taken over", "sam")  # fmt: skip
    assert rows[1].username == "sam"


def test_a_lock_keeps_others_out_until_released(served: Served) -> None:
    sam = Console(served.url, served.cookie("sam"), "TC-001")
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    try:
        sam.send(type="lock", user="sam")
        olive.wait_for(type="state", locked_to="sam")
        olive.send(type="take")
        assert "locked to sam by sam" in olive.wait_for(type="error")["message"]
        seen = olive.mark()  # the state before the lock also had no lock
        sam.send(type="unlock")
        olive.wait_for(type="state", locked_to=None, after=seen)
        olive.send(type="take")
        olive.wait_for(type="state", holder="olive", you=True)
    finally:
        olive.close()
        sam.close()


def test_licence_suspended_mid_session_loses_control_at_once(served: Served) -> None:
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    try:
        olive.send(type="take")
        olive.wait_for(type="state", you=True)
        with served.system.db.session() as s:
            user = s.scalar(select(User).where(User.username == "olive"))
            assert user is not None
            user.sia_status = "suspended"
        for _ in range(15):  # keep steering, as an operator would
            olive.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
            time.sleep(0.1)
        lost = olive.wait_for(type="lost", timeout=1.0)
        assert lost["reason"] == "licence" and "suspended" in lost["detail"]
        olive.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
        assert "take control first" in olive.wait_for(type="error")["message"]
        _still(served)
    finally:
        olive.close()
    (entry,) = _wait_audit(served, 1)
    assert entry.reason == "licence"


def test_fixed_camera_and_bad_messages_get_clear_errors(served: Served) -> None:
    olive = Console(served.url, served.cookie("olive"), "TC-002")
    try:
        olive.send(type="take")
        assert "TC-002 is a fixed camera" in olive.wait_for(type="error")["message"]
        olive.ws.send("{not json")
        olive.wait_for(type="error", message="a PTZ message is JSON")
        olive.send(type="warp")
        olive.wait_for(type="error", message="unknown PTZ message type 'warp'")
    finally:
        olive.close()


def test_a_flood_of_commands_is_cut_off_and_leaves_the_camera_stopped(served: Served) -> None:
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    sam = Console(served.url, served.cookie("sam"), "TC-001")
    try:
        olive.send(type="take")
        olive.wait_for(type="state", you=True)
        seen = sam.mark()
        for i in range(3000):
            try:
                olive.send(type="move", pan=(i % 3) - 1.0, tilt=0.0, zoom=0.0)
            except Exception:
                break  # the server closed the socket
        olive.wait_for(type="error", message="too many commands: control ended")
        sam.wait_for(type="state", holder=None, after=seen)
        t0 = time.monotonic()
        sam.send(type="take")
        sam.wait_for(type="state", holder="sam", you=True)
        assert time.monotonic() - t0 < 1.0, "the server still answers at once"
        _still(served)
    finally:
        olive.close()
        sam.close()
    assert _wait_audit(served, 1)[0].reason == "too many commands"
