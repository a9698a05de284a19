"""Playback over HTTP: reasons and audit merging, VOD playlist, MP4 with ranges, timeline."""

from __future__ import annotations

import io

import av
from fastapi.testclient import TestClient
from pb_media import Footage, token_for
from sqlalchemy import select

from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.recording.holds import create_hold
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S

BASE = "/api/playback/cameras"


def open_view(
    client: TestClient,
    hdr: dict[str, str],
    cam: str,
    start: int,
    end: int,
    reason: str = "incident 123: assault reported",
) -> dict[str, object]:
    r = client.post(
        f"{BASE}/{cam}/views",
        headers=hdr,
        json={"start_us": start, "end_us": end, "reason": reason},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def playback_rows(system: System) -> list[AuditEntry]:
    with system.db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "video.playback")))


def test_views_need_a_reason_and_repeats_merge(
    client: TestClient, system: System, footage: Footage
) -> None:
    hdr = token_for(system, Role.OPERATOR)
    r = client.post(
        f"{BASE}/TC-001/views",
        headers=hdr,
        json={"start_us": footage.t0, "end_us": footage.end, "reason": " "},
    )
    assert r.status_code == 422
    first = open_view(client, hdr, "TC-001", footage.t0, footage.end)
    again = open_view(client, hdr, "TC-001", footage.t0 + US_PER_S, footage.t0 + 2 * US_PER_S)
    assert first["audited"] and not again["audited"] and again["token"] == first["token"]
    rows = playback_rows(system)
    assert len(rows) == 1 and rows[0].reason == "incident 123: assault reported"
    assert rows[0].object_id == "TC-001" and rows[0].username == "user-operator"
    # Footage outside what the sitting covered, or another user: a new row each.
    open_view(client, hdr, "TC-001", footage.t0 - 60 * US_PER_S, footage.end)
    open_view(client, token_for(system, Role.SUPERVISOR), "TC-001", footage.t0, footage.end)
    assert len(playback_rows(system)) == 3


def test_media_refused_without_a_grant(
    client: TestClient, system: System, footage: Footage
) -> None:
    op, sup = token_for(system, Role.OPERATOR), token_for(system, Role.SUPERVISOR)
    q = f"start={footage.t0}&end={footage.gap_start}"
    assert client.get(f"{BASE}/TC-001/vod.m3u8?{q}&view=nope", headers=op).status_code == 403
    tok = open_view(client, op, "TC-001", footage.t0, footage.gap_start)["token"]
    assert client.get(f"{BASE}/TC-001/vod.m3u8?{q}&view={tok}", headers=op).status_code == 200
    # Someone else's grant, or a range beyond the grant, opens nothing.
    assert client.get(f"{BASE}/TC-001/vod.m3u8?{q}&view={tok}", headers=sup).status_code == 403
    wide = f"start={footage.t0}&end={footage.end + 60 * US_PER_S}"
    assert client.get(f"{BASE}/TC-001/media.mp4?{wide}&view={tok}", headers=op).status_code == 403


def test_vod_playlist_has_byte_ranges_dates_and_a_discontinuity(
    client: TestClient, system: System, footage: Footage
) -> None:
    hdr = token_for(system, Role.OPERATOR)
    tok = open_view(client, hdr, "TC-001", footage.t0, footage.end)["token"]
    r = client.get(
        f"{BASE}/TC-001/vod.m3u8?start={footage.t0}&end={footage.end}&view={tok}", headers=hdr
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    text = r.text
    assert text.startswith("#EXTM3U") and text.rstrip().endswith("#EXT-X-ENDLIST")
    # Two runs: before and after the gap (which is also a change of resolution).
    assert text.count("#EXT-X-DISCONTINUITY") == 1
    assert text.count("#EXT-X-MAP:") == 2 and text.count("#EXT-X-PROGRAM-DATE-TIME:") == 2
    assert text.count("#EXT-X-BYTERANGE:") == 9  # one per GOP (1 s): 6 + 3
    durations = [
        float(x.split(":")[1].rstrip(",")) for x in text.splitlines() if x.startswith("#EXTINF")
    ]
    assert abs(sum(durations) - 9.0) < 0.01
    # Every byte range the playlist names is a moof+mdat in the file it names.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-BYTERANGE:"):
            size, offset = (int(x) for x in line.split(":")[1].split("@"))
            got = client.get(
                lines[i + 1], headers={**hdr, "Range": f"bytes={offset}-{offset + size - 1}"}
            )
            assert got.status_code == 206 and len(got.content) == size
            assert got.content[4:8] == b"moof"


def test_mp4_range_requests_and_the_keyframe_before(
    client: TestClient, system: System, footage: Footage
) -> None:
    hdr = token_for(system, Role.OPERATOR)
    start = footage.t0 + 2_500_000  # mid-GOP: the file starts at the keyframe at 2 s
    tok = open_view(client, hdr, "TC-001", footage.t0, footage.end)["token"]
    url = f"{BASE}/TC-001/media.mp4?start={start}&end={footage.gap_start}&view={tok}"
    whole = client.get(url, headers=hdr)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert int(whole.headers["x-start-us"]) == footage.t0 + 2 * US_PER_S
    body = whole.content
    assert int(whole.headers["content-length"]) == len(body)
    for rng, want in (
        ("bytes=0-99", body[:100]),
        ("bytes=1000-", body[1000:]),
        ("bytes=-50", body[-50:]),
        ("bytes=700-200000", body[700:200001]),
    ):
        part = client.get(url, headers={**hdr, "Range": rng})
        assert part.status_code == 206 and part.content == want, rng
    assert client.get(url, headers={**hdr, "Range": f"bytes={len(body)}-"}).status_code == 416
    with av.open(io.BytesIO(body)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == 4 * 15
    # Across the change of resolution one MP4 cannot hold both: refused, saying where.
    across = client.get(
        f"{BASE}/TC-001/media.mp4?start={footage.t0}&end={footage.end}&view={tok}", headers=hdr
    )
    assert across.status_code == 422 and "format changed" in across.json()["detail"]


def test_timeline_spans_gaps_and_holds_at_any_zoom(
    client: TestClient, system: System, footage: Footage
) -> None:
    with system.db.session() as s:
        create_hold(
            s,
            ROOT_ACTOR,
            "TC-001",
            footage.t0,
            footage.t0 + US_PER_S,
            "INC-1",
            "assault",
            "PC 123",
            clock=system.clock,
        )
    hdr = token_for(system, Role.OPERATOR)
    day0 = footage.t0 - 3600 * US_PER_S
    r = client.get(
        f"{BASE}/TC-001/timeline?start={day0}&end={footage.end}&buckets=100000", headers=hdr
    )
    assert r.status_code == 422  # at most 10,000 buckets
    r = client.get(
        f"{BASE}/TC-001/timeline?start={footage.t0}&end={footage.end}&buckets=1000", headers=hdr
    )
    t = r.json()
    want = [footage.t0, footage.gap_start, footage.gap_end, footage.end]
    got = [x for span in t["spans"] for x in span]
    assert len(got) == 4 and all(abs(a - b) < 100_000 for a, b in zip(got, want, strict=True))
    assert len(t["gaps"]) == 1 and t["gaps"][0]["start_us"] == got[1]
    assert t["holds"][0]["reference"] == "INC-1"
    # Zoomed out to a month the 10 s gap is under one pixel: one span, no gap inside it.
    month0 = footage.end - 31 * 86400 * US_PER_S
    wide = client.get(
        f"{BASE}/TC-001/timeline?start={month0}&end={footage.end}&buckets=1000", headers=hdr
    ).json()
    assert len(wide["spans"]) == 1 and wide["spans"][0][0] == footage.t0
    assert wide["gaps"][0]["reason"].startswith("not recorded")


from watchkeeper.audit.service import Actor  # noqa: E402

ROOT_ACTOR = Actor.system("test")


def test_local_time_across_the_clock_change_must_say_which(
    client: TestClient, system: System
) -> None:
    hdr = token_for(system, Role.OPERATOR)
    r = client.get("/api/playback/time", params={"text": "2026-10-25 01:30"}, headers=hdr)
    assert r.status_code == 422 and "twice" in r.json()["detail"]
    bst = client.get(
        "/api/playback/time", params={"text": "2026-10-25 01:30", "fold": 0}, headers=hdr
    ).json()
    gmt = client.get(
        "/api/playback/time", params={"text": "2026-10-25 01:30", "fold": 1}, headers=hdr
    ).json()
    assert gmt["us"] - bst["us"] == 3600 * US_PER_S
    assert bst["local"].endswith("BST") and gmt["local"].endswith("GMT")
    skipped = client.get("/api/playback/time", params={"text": "2026-03-29 01:30"}, headers=hdr)
    assert skipped.status_code == 422
