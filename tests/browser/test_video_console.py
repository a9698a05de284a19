"""Live and recorded video in headless Chromium: the wall plays, playback matches ffmpeg,
and a client viewer cannot reach another client's camera by any URL."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from sqlalchemy import select

from tests.browser.conftest import serve_app
from tests.conftest import make_settings
from tests.foundation.helpers import add_user, load_small_register
from watchkeeper.auth.roles import Role
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import Segment
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_S, FakeClock, SystemClock, format_local

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "playback"))
from pb_media import fitted_diff, grey, record

from tests.clips import make_clip, need_tool

pytestmark = pytest.mark.browser


@dataclass
class VideoServer:
    url: str
    system: System
    t0: int


@pytest.fixture
def video_server(tmp_path: Path) -> Iterator[VideoServer]:
    """Recorded footage on TC-001 (from t0), and the recorder playing a looped clip live."""
    need_tool("ffmpeg")
    system = build_system(make_settings(tmp_path / "data"))
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
    clip = make_clip(tmp_path / "clip.ts", 6, "320x240")
    # Recent footage: the in-process recorder's retention would purge anything old.
    t0 = (SystemClock().now_us() // US_PER_S - 3600) * US_PER_S
    fake = FakeClock(t0)
    record(system, fake, clip, "TC-001")
    record(system, FakeClock(t0), clip, "RP-001")  # the same minute on a second camera
    clock = SystemClock()
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False),
        clock,
        file_opener(clock, realtime=True, loops=1000),
    )
    small = make_clip(tmp_path / "small.ts", 4, "160x120")
    recorder.start(
        [
            StreamPlan(StreamKey("RP-001", "main"), str(clip)),
            StreamPlan(StreamKey("RP-001", "sub"), str(small)),
            StreamPlan(StreamKey("BK-001", "main"), str(clip)),
        ]
    )
    system.recorder = recorder
    try:
        with serve_app(system) as url:
            yield VideoServer(url, system, t0)
    finally:
        system.close()


def log_in(page: Any, srv: VideoServer, username: str) -> None:
    with srv.system.db.session() as s:
        token = srv.system.users.open_session(s, srv.system.users.get(s, username))
    page.context.add_cookies([{"name": "wk_session", "value": token, "url": srv.url}])


def test_live_tile_plays_within_two_seconds(video_server: VideoServer, browser_page: Any) -> None:
    page = browser_page
    log_in(page, video_server, "olive")
    page.goto(video_server.url + "/wall")
    opened = time.monotonic()
    page.click("li[data-camera='RP-001']")
    page.wait_for_function(
        "() => { const v = document.querySelector('wk-live-tile[camera=RP-001] video');"
        " return v && v.currentTime > 0.2; }",
        timeout=2000,
    )
    assert time.monotonic() - opened < 2.0
    # It keeps playing, close to the live edge.
    page.wait_for_timeout(1000)
    lag = page.evaluate(
        "() => { const v = document.querySelector('wk-live-tile[camera=RP-001]"
        " video'); return v.buffered.end(v.buffered.length - 1) - v.currentTime; }"
    )
    assert lag < 0.6
    # The layout is saved for this user.
    saved = page.evaluate("() => localStorage.getItem('wk.wall.olive')")
    assert "RP-001" in saved


def test_tile_size_picks_the_stream_and_hls_is_the_fallback(
    video_server: VideoServer, browser_page: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, video_server, "olive")
    page.goto(video_server.url + "/wall")
    page.keyboard.press("4")  # 16 small tiles: the sub-stream
    page.click("li[data-camera='RP-001']")
    tile = "wk-live-tile[camera=RP-001]"
    page.wait_for_function(
        f"() => document.querySelector('{tile}')?.dataset.stream === 'sub'"
        f" && document.querySelector('{tile} video').videoWidth === 160",
        timeout=15_000,
    )
    page.keyboard.press("1")  # one big tile: the main stream
    page.wait_for_function(
        f"() => document.querySelector('{tile}')?.dataset.stream === 'main'"
        f" && document.querySelector('{tile} video').videoWidth === 320",
        timeout=15_000,
    )
    # The HLS fallback (what a browser without MSE gets) plays too, through hls.js here.
    page.evaluate(
        "() => { const t = document.createElement('wk-live-tile');"
        " t.setAttribute('hls', ''); t.setAttribute('camera', 'RP-001');"
        " t.id = 'hls-tile'; document.body.append(t); }"
    )
    page.wait_for_function(
        "() => document.querySelector('#hls-tile video').currentTime > 0.5", timeout=15_000
    )
    assert page.get_attribute("#hls-tile", "data-state") == "hls"


def frame_png(page: Any, selector: str) -> bytes:
    url = page.evaluate(
        "(sel) => { const v = document.querySelector(sel);"
        " const c = document.createElement('canvas');"
        " c.width = v.videoWidth; c.height = v.videoHeight;"
        " c.getContext('2d').drawImage(v, 0, 0); return c.toDataURL('image/png'); }",
        selector,
    )
    return base64.b64decode(url.split(",", 1)[1])


def decode_grey(png: bytes) -> tuple[bytes, int, int]:
    with av.open(io.BytesIO(png)) as c:
        return grey(next(c.decode(video=0)))


def test_playback_shows_the_frame_ffmpeg_extracts(
    video_server: VideoServer, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, video_server, "olive")
    at = video_server.t0 + 3_400_000  # mid-GOP: the player must decode forward from 3.0 s
    page.goto(video_server.url + "/playback?camera=TC-001")
    page.fill("#pb-time", format_local(at).rsplit(" ", 1)[0] + ".400")
    page.fill("#pb-reason", "browser test: compare with ffmpeg")
    page.click("#pb-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#pb-players video')?.dataset.ready === '1'", timeout=10_000
    )
    page.wait_for_timeout(300)
    ours = decode_grey(frame_png(page, "#pb-players video"))
    with video_server.system.db.session() as s:
        seg = s.scalars(
            select(Segment).where(
                Segment.camera_id == "TC-001", Segment.start_us <= at, Segment.end_us > at
            )
        ).one()
    offset = (at - seg.start_us) / US_PER_S
    path = video_server.system.playback.root / seg.path

    # Chromium converts untagged video to RGB with the BT.709 matrix; ffmpeg is told to match.
    def ffmpeg_at(sec: float, matrix: str = "bt709") -> tuple[bytes, int, int]:
        png = subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-i",
                str(path),
                "-ss",
                f"{sec:.6f}",
                "-frames:v",
                "1",
                "-vf",
                f"scale=in_color_matrix={matrix}",
                "-f",
                "image2pipe",
                "-c:v",
                "png",
                "-",
            ],
            capture_output=True,
            check=True,
        ).stdout
        return decode_grey(png)

    ref = ffmpeg_at(offset)
    assert ours[1:] == ref[1:]
    near = fitted_diff(ours[0], ref[0])
    assert near < 3.0, near
    # The frame one before or after (1/15 s) is clearly further: the seek is frame-accurate.
    for step in (-1, 1):
        assert fitted_diff(ours[0], ffmpeg_at(offset + step / 15)[0]) > 3 * near
    # Frame step with the keyboard: "." shows the next frame, exactly.
    page.evaluate(
        "() => { window.__seeked = 0; document.querySelector('#pb-players video')"
        ".addEventListener('seeked', () => window.__seeked++); }"
    )
    page.locator("body").press(".")
    page.wait_for_function("() => window.__seeked > 0", timeout=5000)
    page.wait_for_timeout(200)
    stepped = decode_grey(frame_png(page, "#pb-players video"))
    assert fitted_diff(stepped[0], ffmpeg_at(offset + 1 / 15)[0]) < 3.0
    # The view was audited once, with the reason given.
    from watchkeeper.audit.models import AuditEntry

    with video_server.system.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "video.playback")).all()
    assert [r.reason for r in rows] == ["browser test: compare with ffmpeg"]


def test_client_viewer_cannot_reach_another_clients_camera(
    video_server: VideoServer, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, video_server, "acme-viewer")
    t0 = video_server.t0
    base = f"{video_server.url}/api/playback/cameras"
    for cam in ("TC-001", "BK-001"):
        urls = [
            f"{video_server.url}/playback?camera={cam}",
            f"{base}/{cam}/vod.m3u8?start={t0}&end={t0 + 10**7}&view=x",
            f"{base}/{cam}/media.mp4?start={t0}&end={t0 + 10**7}&view=x",
            f"{base}/{cam}/snapshot.jpg?at={t0}&view=x",
            f"{base}/{cam}/timeline?start={t0}&end={t0 + 10**7}",
        ]
        for url in urls:
            assert page.request.get(url).status == 404, url
        grant = page.request.post(
            f"{base}/{cam}/views", data={"start_us": t0, "end_us": t0 + 10**7, "reason": "curious"}
        )
        assert grant.status in (403, 404)
    # Its own camera's live socket works; another client's is refused before any video.
    page.goto(video_server.url + "/wall")
    result = page.evaluate("""async () => {
      const probe = (cam) => new Promise((ok) => {
        const ws = new WebSocket(`ws://${location.host}/api/live/cameras/${cam}/ws`);
        ws.binaryType = 'arraybuffer';
        let bytes = 0;
        ws.onmessage = (e) => { if (typeof e.data !== 'string') bytes += e.data.byteLength;
                                if (bytes > 0) { ws.close(); ok({cam, bytes}); } };
        ws.onclose = (e) => ok({cam, bytes, code: e.code});
        setTimeout(() => ok({cam, bytes, timeout: true}), 4000);
      });
      return [await probe('RP-001'), await probe('BK-001'), await probe('TC-001')];
    }""")
    assert result[0]["bytes"] > 0, result
    assert result[1]["bytes"] == 0 and not result[1].get("timeout"), result
    assert result[2]["bytes"] == 0 and not result[2].get("timeout"), result


def test_two_cameras_play_in_step(video_server: VideoServer, browser_page: Any) -> None:
    page = browser_page
    log_in(page, video_server, "olive")
    at = video_server.t0 + 1_000_000
    page.goto(video_server.url + "/playback")
    page.select_option("#pb-cameras", ["TC-001", "RP-001"])
    page.fill("#pb-time", format_local(at).rsplit(" ", 1)[0])
    page.fill("#pb-reason", "browser test: follow across cameras")
    page.click("#pb-form button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#pb-players video')]"
        ".filter(v => v.dataset.ready === '1').length === 2",
        timeout=10_000,
    )
    page.locator("body").press(" ")  # play both
    page.wait_for_timeout(2500)
    page.locator("body").press(" ")  # pause both
    times = page.evaluate(
        "() => [...document.querySelectorAll('#pb-players video')].map(v => v.currentTime)"
    )
    # Both started at the same instant of the same recording layout: still in step.
    assert times[0] > 2.0 and abs(times[0] - times[1]) < 0.3, times
