"""Live fMP4 over a WebSocket and live HLS, fed by the recorder's fan-out."""

from __future__ import annotations

import io
import json
import time

import av
import pytest
from fastapi.testclient import TestClient
from live_helpers import cookie_for
from starlette.websockets import WebSocketDisconnect

from watchkeeper.live.streamer import fragments_of, mime_of
from watchkeeper.system import System

WS = "/api/live/cameras/{}/ws"


def test_socket_sends_init_then_a_fragment_per_frame(
    live_client: TestClient, live_system: System
) -> None:
    headers = {"cookie": cookie_for(live_system, "olive")}
    started = time.monotonic()
    with live_client.websocket_connect(WS.format("RP-001") + "?stream=sub", headers=headers) as ws:
        hello = json.loads(ws.receive_text())
        assert hello["type"] == "init" and hello["stream"] == "main"  # no sub recorded
        assert hello["mime"].startswith('video/mp4; codecs="avc1.')
        assert (hello["width"], hello["height"]) == (320, 240)
        init = ws.receive_bytes()
        assert init[4:8] == b"ftyp" and mime_of(init) == hello["mime"]
        chunks = [ws.receive_bytes() for _ in range(20)]
    assert time.monotonic() - started < 5
    assert [fragments_of(c) for c in chunks] == [1] * 20  # one moof+mdat per frame
    with av.open(io.BytesIO(init + b"".join(chunks))) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 20 and frames[0].key_frame
    # The recorder kept its one subscriber list tidy: the viewer is gone.
    assert live_system.recorder is not None
    fanout = live_system.recorder.supervisor("RP-001").fanout
    deadline = time.monotonic() + 3
    while fanout.subscribers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fanout.subscribers == 0


@pytest.mark.parametrize(("who", "code"), [(None, 4403), ("brook-viewer", 4404)])
def test_socket_refused_without_rights_or_visibility(
    live_client: TestClient, live_system: System, who: str | None, code: int
) -> None:
    headers = {"cookie": cookie_for(live_system, who)} if who else {}
    with (
        pytest.raises(WebSocketDisconnect) as err,
        live_client.websocket_connect(WS.format("RP-001"), headers=headers) as ws,
    ):
        ws.receive_bytes()
    assert err.value.code == code


def test_socket_refuses_a_foreign_origin(live_client: TestClient, live_system: System) -> None:
    headers = {"cookie": cookie_for(live_system, "acme-viewer"), "origin": "http://evil.example"}
    with (
        pytest.raises(WebSocketDisconnect),
        live_client.websocket_connect(WS.format("RP-001"), headers=headers) as ws,
    ):
        ws.receive_bytes()


def test_live_hls_window_plays(live_client: TestClient, live_system: System) -> None:
    headers = {"cookie": cookie_for(live_system, "acme-viewer")}
    base = "/api/live/cameras/RP-001/hls"
    r = live_client.get(f"{base}/live.m3u8", headers=headers)
    assert r.status_code == 200, r.text
    assert "#EXT-X-ENDLIST" not in r.text and "#EXT-X-MAP:URI=" in r.text
    for _ in range(40):  # wait for a second GOP
        if r.text.count("#EXTINF") >= 2:
            break
        time.sleep(0.25)
        r = live_client.get(f"{base}/live.m3u8", headers=headers)
    uris = [line for line in r.text.splitlines() if line and not line.startswith("#")]
    assert len(uris) >= 2
    init = live_client.get(f"{base}/init.mp4?stream=main", headers=headers).content
    body = init + b"".join(live_client.get(u, headers=headers).content for u in uris)
    with av.open(io.BytesIO(body)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames >= 2 * 15 - 1  # two GOPs of a second at 15 fps
    # Another client's viewer cannot see it.
    other = {"cookie": cookie_for(live_system, "brook-viewer")}
    assert live_client.get(f"{base}/live.m3u8", headers=other).status_code == 404
    assert live_client.get(uris[0], headers=other).status_code == 404


def test_live_snapshot_is_a_jpeg_of_the_camera(
    live_client: TestClient, live_system: System
) -> None:
    headers = {"cookie": cookie_for(live_system, "acme-viewer")}
    r = live_client.get("/api/live/cameras/RP-001/snapshot.jpg", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    with av.open(io.BytesIO(r.content)) as c:
        frame = next(c.decode(video=0))
    assert (frame.width, frame.height) == (320, 240)
    other = {"cookie": cookie_for(live_system, "brook-viewer")}
    assert (
        live_client.get("/api/live/cameras/RP-001/snapshot.jpg", headers=other).status_code == 404
    )


def test_alerts_report_offline_and_back_online_for_visible_cameras(
    live_client: TestClient, live_system: System
) -> None:
    from watchkeeper.recording.models import StreamEvent

    acme = {"cookie": cookie_for(live_system, "acme-viewer")}
    last = live_client.get("/api/live/events", headers=acme).json()["last"]
    with live_system.db.session() as s:
        for cam, state in (
            ("RP-001", "offline"),
            ("BK-001", "offline"),
            ("RP-001", "streaming"),
            ("RP-001", "connecting"),
        ):
            s.add(
                StreamEvent(
                    camera_id=cam,
                    stream="main",
                    at_us=live_system.clock.now_us(),
                    state=state,
                    reason="test",
                )
            )
    got = live_client.get(f"/api/live/events?after={last}&wait=2", headers=acme).json()
    assert [(e["camera_id"], e["state"]) for e in got["events"]] == [
        ("RP-001", "offline"),
        ("RP-001", "streaming"),
    ]  # not BK-001 (brook), not connecting
    again = live_client.get(f"/api/live/events?after={got['last']}", headers=acme).json()
    assert again["events"] == []


def test_alerts_are_pushed_by_the_recorder_not_polled(
    live_client: TestClient, live_system: System
) -> None:
    """A waiting client costs one query, and the recorder's state change answers it."""
    import threading

    from sqlalchemy import event

    from watchkeeper.recording.models import StreamState
    from watchkeeper.recording.paths import StreamKey

    acme = {"cookie": cookie_for(live_system, "acme-viewer")}
    last = live_client.get("/api/live/events", headers=acme).json()["last"]
    queries: list[str] = []

    def count(_conn: object, _cur: object, statement: str, *_args: object) -> None:
        if "recording_stream_event" in statement and statement.lstrip().upper().startswith(
            "SELECT"
        ):
            queries.append(statement)

    engine = live_system.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        quiet = live_client.get(f"/api/live/events?after={last}&wait=3", headers=acme).json()
        assert quiet["events"] == [] and len(queries) == 1  # not one a second

        assert live_system.recorder is not None
        record_event = live_system.recorder._events  # the recorder's own writer
        at = live_system.clock.now_us()
        timer = threading.Timer(
            1.0, record_event, (StreamKey("RP-001", "main"), StreamState.OFFLINE, at, "test")
        )
        timer.start()
        started = time.monotonic()
        got = live_client.get(f"/api/live/events?after={last}&wait=20", headers=acme).json()
        timer.join()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [(e["camera_id"], e["state"]) for e in got["events"]] == [("RP-001", "offline")]
    assert time.monotonic() - started < 15  # answered by the change, not the 20 s wait
