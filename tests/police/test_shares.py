"""Sharing cameras with the police link: the police wall fills and empties with the shares,
a police account reaches nothing else by any route, shares end with their incident or
their time, the audit names the police viewers, the console sees the link's health."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.websockets import WebSocketDisconnect

from tests.foundation.helpers import ROOT
from tests.police.conftest import SHARED, Room
from watchkeeper.audit.models import AuditEntry
from watchkeeper.police.models import CameraShare
from watchkeeper.records.vocab import Outcome


def bearer(room: Room, username: str) -> dict[str, str]:
    with room.system.db.session() as s:
        token = room.system.users.issue_token(s, username, "test", ROOT)
    return {"Authorization": f"Bearer {token}"}


def share(client: TestClient, room: Room, by: str = "olive", **extra: Any) -> dict[str, Any]:
    body = {"camera_id": SHARED, "reason": "fight, suspect in view", "incident_ref": room.incident}
    body.update(extra)
    resp = client.post("/api/police/shares", json=body, headers=bearer(room, by))
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


def wall(client: TestClient, room: Room, have: str = "", wait: float = 0) -> dict[str, Any]:
    resp = client.get(f"/api/police/wall?have={have}&wait={wait}", headers=bearer(room, "pc-view"))
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


def wall_cameras(client: TestClient, room: Room) -> list[str]:
    return [sh["camera_id"] for sh in wall(client, room)["shares"]]


def test_shared_cameras_appear_and_disappear_on_the_police_wall(
    client: TestClient, room: Room
) -> None:
    empty = wall(client, room)
    assert empty["shares"] == []
    made = share(client, room)
    shown = wall(client, room, have=empty["sig"])
    assert [sh["camera_id"] for sh in shown["shares"]] == [SHARED]
    assert shown["shares"][0]["incident_ref"] == room.incident
    assert shown["shares"][0]["cad_ref"] == "CAD-1234"  # from the incident
    # The wall's long poll answers as soon as the share ends, not at its timeout.
    started = time.monotonic()
    resp = client.post(f"/api/police/shares/{made['id']}/end", json={"reason": "done"},
                       headers=bearer(room, "olive"))  # fmt: skip
    assert resp.status_code == 200, resp.text
    after = wall(client, room, have=shown["sig"], wait=15)
    assert after["shares"] == []
    assert time.monotonic() - started < 10


def test_long_poll_wakes_when_a_share_starts(client: TestClient, room: Room) -> None:
    import threading

    first = wall(client, room)
    got: dict[str, Any] = {}

    def poll() -> None:
        t0 = time.monotonic()
        got["body"] = wall(client, room, have=first["sig"], wait=15)
        got["took"] = time.monotonic() - t0

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.3)
    share(client, room)
    t.join(timeout=20)
    assert [sh["camera_id"] for sh in got["body"]["shares"]] == [SHARED]
    assert got["took"] < 5, got["took"]


UNSHARED = ("RP-001", "BK-001", "TC-002", "NO-SUCH-CAMERA")
"""A client's camera (recording), another client's, a council camera, and no camera."""

ROUTES_404 = [
    "/api/live/cameras/{cam}/snapshot.jpg",
    "/api/live/cameras/{cam}/hls/live.m3u8",
    "/api/live/cameras/{cam}/hls/init.mp4",
    "/api/live/cameras/{cam}/hls/0.m4s",
]
"""Routes whose right the police wall role holds: another camera is 404, as if absent."""
ROUTES_SAME = [
    "/api/cameras/{cam}",
    "/api/playback/cameras/{cam}/timeline?start=0&end=1000000",
    "/api/playback/cameras/{cam}/vod.m3u8?start=0&end=1000000&view=x",
    "/api/playback/cameras/{cam}/media.mp4?start=0&end=1000000&view=x",
    "/api/playback/cameras/{cam}/snapshot.jpg?at=0&view=x",
    "/playback?camera={cam}",
    "/ptz/{cam}",
]
"""Routes whose right the role lacks: refused alike for every id, whether it exists or not."""


@pytest.mark.parametrize("route", ROUTES_404 + ROUTES_SAME)
def test_police_user_cannot_reach_an_unshared_camera_by_any_route(
    client: TestClient, room: Room, route: str
) -> None:
    share(client, room)  # something is shared: the wall account is live, TC-001 visible
    headers = bearer(room, "pc-view")
    statuses = {cam: client.get(route.format(cam=cam), headers=headers, follow_redirects=False)
                for cam in UNSHARED}  # fmt: skip
    codes = {cam: r.status_code for cam, r in statuses.items()}
    assert len(set(codes.values())) == 1, codes  # an existing camera looks like no camera
    expected = 404 if route in ROUTES_404 else None
    for cam, r in statuses.items():
        assert r.status_code in (403, 404), (cam, r.status_code)
        assert cam not in r.text or cam == "NO-SUCH-CAMERA" or r.status_code == 404, r.text
        if expected:
            assert r.status_code == expected, (cam, r.status_code, r.text)
    # The shared camera: live view only.
    shared = client.get(route.format(cam=SHARED), headers=headers, follow_redirects=False)
    if route == ROUTES_404[0]:  # the live picture of the shared camera: yes
        assert shared.status_code == 200, shared.text
    elif route in ROUTES_SAME:  # its register entry, recordings, PTZ settings: no
        assert shared.status_code in (403, 404), (route, shared.status_code)


@pytest.mark.parametrize("path", ["/api/live/cameras/{cam}/ws", "/ws/ptz/{cam}"])
def test_police_sockets_refuse_unshared_cameras_as_absent(
    client: TestClient, room: Room, path: str
) -> None:
    share(client, room)
    cookie = {"cookie": f"wk_session={room.cookie('pc-view')}"}
    for cam in UNSHARED:
        with (
            pytest.raises(WebSocketDisconnect) as err,
            client.websocket_connect(path.format(cam=cam), headers=cookie) as ws,
        ):
            ws.receive_bytes()
        assert err.value.code == 4404, (cam, err.value.code)


def test_police_live_socket_plays_the_shared_camera_and_stops_when_the_share_ends(
    client: TestClient, room: Room
) -> None:
    made = share(client, room)
    cookie = {"cookie": f"wk_session={room.cookie('pc-view')}"}
    with client.websocket_connect(f"/api/live/cameras/{SHARED}/ws", headers=cookie) as ws:
        init = json.loads(ws.receive_text())
        assert init["type"] == "init"
        assert len(ws.receive_bytes()) > 0
        resp = client.post(f"/api/police/shares/{made['id']}/end", json={},
                           headers=bearer(room, "olive"))  # fmt: skip
        assert resp.status_code == 200
        code = None
        deadline = time.monotonic() + 15  # the re-check runs every 2 s
        while code is None and time.monotonic() < deadline:
            msg = ws.receive()
            if msg["type"] == "websocket.close":
                code = msg["code"]
        assert code == 4401


def test_police_accounts_see_no_council_records(client: TestClient, room: Room) -> None:
    share(client, room)
    for user in ("pc-view", "dc-jones"):
        headers = bearer(room, user)
        for path in ("/api/cameras", "/api/incidents", f"/api/incidents/{room.incident}",
                     "/api/audit", "/api/police/shares"):  # fmt: skip
            assert client.get(path, headers=headers).status_code == 403, (user, path)
    # The officer has no wall and no live video at all.
    officer = bearer(room, "dc-jones")
    assert client.get("/api/police/wall", headers=officer).status_code == 403
    assert (
        client.get(f"/api/live/cameras/{SHARED}/snapshot.jpg", headers=officer).status_code == 403
    )


def test_a_share_needs_a_visible_camera_a_reason_and_an_open_reference(
    client: TestClient, room: Room
) -> None:
    olive = bearer(room, "olive")
    post = lambda **b: client.post("/api/police/shares", json=b, headers=olive)  # noqa: E731
    assert post(camera_id="NO-SUCH", reason="x", cad_ref="CAD-1").status_code == 404
    r = post(camera_id=SHARED, reason="x")
    assert r.status_code == 422 and "CAD" in r.text
    assert post(camera_id=SHARED, reason="x", incident_ref="2026-999999").status_code == 404
    assert post(camera_id=SHARED, reason="", cad_ref="CAD-1").status_code == 422
    assert post(camera_id=SHARED, reason="x", cad_ref="CAD-1", minutes=0).status_code == 422
    # A client viewer shares nothing (no right), whatever the camera.
    acme = client.post("/api/police/shares", json={"camera_id": "RP-001", "reason": "x",
                       "cad_ref": "C"}, headers=bearer(room, "pc-view"))  # fmt: skip
    assert acme.status_code == 403


def close_incident(room: Room) -> None:
    with room.system.db.session() as s:
        who = room.who("olive")
        room.system.incidents.set_outcomes(s, who, room.incident, [Outcome.POLICE_ATTENDED])
        room.system.incidents.close(s, who, room.incident, "resolved")


def test_shares_end_with_their_incident(client: TestClient, room: Room) -> None:
    made = share(client, room)
    cad_only = share(client, room, incident_ref="", cad_ref="CAD-77", camera_id="RP-001")
    assert sorted(wall_cameras(client, room)) == ["RP-001", SHARED]
    close_incident(room)
    assert wall_cameras(client, room) == ["RP-001"]  # the CAD-only share goes on
    with room.system.db.session() as s:
        row = s.get(CameraShare, made["id"])
        assert row is not None and row.ended_us is not None
        assert row.end_reason == "its incident closed"
        ends = s.scalars(select(AuditEntry).where(AuditEntry.action == "police.share.end")).all()
        assert [e.object_id for e in ends] == [str(made["id"])]
        assert s.get(CameraShare, cad_only["id"]).ended_us is None  # type: ignore[union-attr]
    # A closed incident's cameras cannot be shared again.
    r = client.post("/api/police/shares", json={"camera_id": SHARED, "reason": "again",
                    "incident_ref": room.incident}, headers=bearer(room, "olive"))  # fmt: skip
    assert r.status_code == 409


def test_shares_end_after_their_time(client: TestClient, room: Room) -> None:
    made = share(client, room, minutes=5)
    assert wall_cameras(client, room) == [SHARED]
    with room.system.db.session() as s:  # five minutes later
        s.execute(update(CameraShare).values(expires_us=room.system.clock.now_us() - 1))
    assert wall_cameras(client, room) == []
    with room.system.db.session() as s:
        assert s.get(CameraShare, made["id"]).end_reason == "time ran out"  # type: ignore[union-attr]


def test_only_the_sharer_or_a_supervisor_ends_a_share(client: TestClient, room: Room) -> None:
    made = share(client, room)
    other = client.post(f"/api/police/shares/{made['id']}/end", json={},
                        headers=bearer(room, "owen"))  # fmt: skip
    assert other.status_code == 403
    sup = client.post(f"/api/police/shares/{made['id']}/end", json={"reason": "not needed"},
                      headers=bearer(room, "sue"))  # fmt: skip
    assert sup.status_code == 200
    again = client.post(f"/api/police/shares/{made['id']}/end", json={},
                        headers=bearer(room, "sue"))  # fmt: skip
    assert again.status_code == 409


def test_audit_and_incident_name_the_police_viewers(client: TestClient, room: Room) -> None:
    made = share(client, room)
    assert wall_cameras(client, room) == [SHARED]
    assert wall_cameras(client, room) == [SHARED]  # seen twice: audited once
    with room.system.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "police.share.view")).all()
        assert len(rows) == 1
        assert rows[0].username == "pc-view"
        details = json.loads(rows[0].details)
        assert details["force"] == "Borough Police" and details["collar_number"] == "CR101"
        assert details["camera"] == SHARED and rows[0].object_id == str(made["id"])
        shared = s.scalars(select(AuditEntry).where(AuditEntry.action == "police.share")).one()
        assert shared.username == "olive" and shared.reason == "fight, suspect in view"
    # The incident page's police section lists who watched.
    page = client.get(f"/police/incidents/{room.incident}/shares", headers=bearer(room, "olive"))
    assert page.status_code == 200
    assert "pc-view (Borough Police CR101)" in page.text
    # The console's link health: the police wall is connected.
    health = client.get("/api/police/shares", headers=bearer(room, "olive")).json()
    assert health["link"][0]["username"] == "pc-view" and health["link"][0]["connected"]
    assert health["shares"][0]["viewers"] == ["pc-view (Borough Police CR101)"]


def test_an_offline_shared_camera_shows_its_state(client: TestClient, room: Room) -> None:
    share(client, room, camera_id="BK-001", incident_ref="", cad_ref="CAD-9")
    shown = wall(client, room)["shares"]
    assert [(sh["camera_id"], sh["state"]) for sh in shown] == [("BK-001", "no video")]
    assert room.system.recorder is not None
    room.system.recorder.supervisor(SHARED)  # recording, so streaming (or connecting)
    share(client, room)
    states = {sh["camera_id"]: sh["state"] for sh in wall(client, room)["shares"]}
    assert states[SHARED] in ("streaming", "connecting")
