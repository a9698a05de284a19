"""Steering from the video wall in headless Chromium against the simulated PTZ camera:
the keyboard and a (simulated) gamepad move the camera, and the painted picture moves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import serve_app
from tests.ptz.conftest import Served, head, send_home
from tests.ptz.test_privacy import SIM_LENS
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.onvif import PtzPosition
from watchkeeper.ptz.privacy import ZoneBook
from watchkeeper.ptz.zones import Rect, aim_at, frame_box
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System

pytestmark = [pytest.mark.browser, pytest.mark.media]

# A gamepad the page reads through navigator.getGamepads(); the test sets its axes.
FAKE_PAD = """
window.__pad = { axes: [0, 0, 0, 0], buttons: [], connected: true, id: "test pad", index: 0 };
navigator.getGamepads = () => [window.__pad];
"""


@pytest.fixture
def wall(ptz_system: System, ptz_rig: Rig) -> Iterator[Served]:
    """The app, recording TC-001 (the simulated PTZ camera) so its tile plays live."""
    send_home(ptz_rig)
    cam = ptz_rig.camera("ptz1")
    with ptz_system.db.session() as s:
        tc1 = s.get(Camera, "TC-001")
        assert tc1 is not None
        tc1.main_url, tc1.sub_url = cam.main_url, cam.sub_url
    recorder = RecorderService(
        ptz_system.db,
        ptz_system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False, record_sub=True),
        ptz_system.clock,
    )
    recorder.start(
        [
            StreamPlan(StreamKey("TC-001", "main"), cam.main_url),
            StreamPlan(StreamKey("TC-001", "sub"), cam.sub_url),
        ]
    )
    ptz_system.recorder = recorder
    with serve_app(ptz_system) as url:
        yield Served(url, ptz_system, ptz_rig)


@pytest.fixture
def page(browser_page: Any) -> Any:
    """Chromium with a gamepad the test can push (see FAKE_PAD)."""
    browser_page.context.add_init_script(FAKE_PAD)
    return browser_page


def open_wall(page: Any, wall: Served, username: str = "olive") -> Any:
    token = wall.cookie(username).split("=", 1)[1]
    page.context.add_cookies([{"name": "wk_session", "value": token, "url": wall.url}])
    page.add_init_script(
        f"localStorage.setItem('wk.wall.{username}', JSON.stringify({{size: 1, cams: ['TC-001']}}))"
    )
    page.goto(wall.url + "/wall")
    tile = page.locator("wk-live-tile[camera='TC-001']")
    page.wait_for_function(
        "() => { const v = document.querySelector('wk-live-tile[camera=\"TC-001\"] video');"
        " return v && v.currentTime > 0.3; }",
        timeout=10000,
    )
    tile.get_by_role("button", name="Take control of this camera").click()
    page.wait_for_function(
        "() => document.querySelector('wk-live-tile .ptz-holder').textContent === 'You control'"
    )
    tile.focus()
    return tile


def luma(page: Any) -> list[int]:
    """The tile's painted picture, 64x36 grey levels."""
    return list(
        page.evaluate(
            "() => { const v = document.querySelector('wk-live-tile[camera=\"TC-001\"] video');"
            " const c = document.createElement('canvas'); c.width = 64; c.height = 36;"
            " const g = c.getContext('2d'); g.drawImage(v, 0, 0, 64, 36);"
            " const d = g.getImageData(0, 0, 64, 36).data; const out = [];"
            " for (let i = 0; i < d.length; i += 4) out.push((d[i] + d[i+1] + d[i+2]) / 3 | 0);"
            " return out; }"
        )
    )


def diff(a: list[int], b: list[int]) -> float:
    # The top and bottom rows hold the burned-in caption and the clock code, which change
    # every frame; compare the scene between them.
    rows = range(4 * 64, 32 * 64)
    return sum(abs(a[i] - b[i]) for i in rows) / len(rows)


def test_steer_with_the_keyboard_and_see_the_picture_move(wall: Served, page: Any) -> None:
    open_wall(page, wall)
    before = luma(page)
    page.wait_for_timeout(500)
    still = diff(before, luma(page))
    page.keyboard.down("ArrowRight")
    page.wait_for_timeout(900)
    assert head(wall.rig).moving, "the camera pans while the key is held"
    page.keyboard.up("ArrowRight")
    page.wait_for_timeout(300)
    stopped = head(wall.rig)
    assert not stopped.moving and stopped.pan > 0.2
    page.wait_for_timeout(700)  # the moved picture reaches the tile
    moved = diff(before, luma(page))
    assert moved > 4 * max(still, 1.0), (moved, still)
    assert page.locator(".ptz-holder").text_content() == "You control"
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.ptz-holder').textContent === 'Free'")


def test_steer_with_a_gamepad_at_analogue_speed(wall: Served, page: Any) -> None:
    open_wall(page, wall)
    page.evaluate("() => { window.__pad.axes = [-0.5, 0, 0, 0]; }")  # half left
    page.wait_for_timeout(400)
    a, ta = head(wall.rig), time.monotonic()
    page.wait_for_timeout(1000)
    b, tb = head(wall.rig), time.monotonic()
    rate = (a.pan - b.pan) / (tb - ta)
    assert 0.25 < rate < 0.55, f"half deflection pans at about half top speed (0.4/s): {rate}"
    page.evaluate("() => { window.__pad.axes = [0, -1, 0, -1]; }")  # full up, zoom in
    page.wait_for_timeout(600)
    c = head(wall.rig)
    assert c.tilt > b.tilt + 0.2 and c.zoom > b.zoom + 0.1
    page.evaluate("() => { window.__pad.axes = [0.05, 0.05, 0, 0]; }")  # inside the dead zone
    page.wait_for_timeout(400)
    d = head(wall.rig)
    page.wait_for_timeout(300)
    assert not head(wall.rig).moving and head(wall.rig).pan == pytest.approx(d.pan, abs=1e-4)


def test_supervisor_locks_from_the_tile_and_runs_a_tour_from_the_settings_page(
    wall: Served, page: Any
) -> None:
    tile = open_wall(page, wall, "sam")
    tile.get_by_role("button", name="Save this view as a preset").wait_for()
    for name in ("Gate", "Square"):
        page.once("dialog", lambda d, n=name: d.accept(n))
        page.keyboard.down("ArrowLeft" if name == "Gate" else "ArrowRight")
        page.wait_for_timeout(400)
        page.keyboard.up("ArrowLeft" if name == "Gate" else "ArrowRight")
        tile.get_by_role("button", name="Save this view as a preset").click()
        page.wait_for_function(
            f"() => [...document.querySelectorAll('wk-live-tile select option')]"
            f".some(o => o.value === '{name}')"
        )
    tile.get_by_role("button", name="Lock the camera to whoever holds it (or to you)").click()
    page.wait_for_function(
        "() => document.querySelector('.ptz-holder').textContent === 'You control · locked to sam'"
    )
    tile.get_by_role("button", name="Release the lock on this camera").click()
    page.wait_for_function("() => !document.querySelector('.ptz-holder').textContent"
                           ".includes('locked')")  # fmt: skip
    tile.focus()  # the Unlock button it pressed is hidden now
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.ptz-holder').textContent === 'Free'")
    page.goto(wall.url + "/ptz/cameras/TC-001")
    assert "up to 64 presets" in page.locator("main").text_content()
    page.fill("#tour-steps", "Gate, 1, 1\nSquare, 1\nNowhere, 1")
    page.get_by_role("button", name="Start tour").click()
    assert (
        "camera TC-001 has no preset 'Nowhere'"
        in page.locator("main [role=alert].error").text_content()
    )
    page.fill("#tour-steps", "Gate, 1, 1\nSquare, 1")
    page.get_by_role("button", name="Start tour").click()
    assert page.locator("#tour-state").text_content() == "Tour running."
    pans = set()
    for _ in range(30):
        pans.add(round(head(wall.rig).pan, 1))
        time.sleep(0.1)
    assert len(pans) >= 3, f"the camera travels between the presets: {pans}"
    page.get_by_role("button", name="Stop tour").click()
    assert page.locator("#tour-state").text_content() == "No tour running."


def test_draw_a_privacy_zone_on_the_picture_and_lift_it_for_a_reason(
    wall: Served, page: Any
) -> None:
    tile = open_wall(page, wall, "sam")
    tile.get_by_role("button", name="Draw a privacy zone on the picture").click()
    box = page.locator("wk-live-tile video").bounding_box()
    assert box is not None
    page.once("dialog", lambda d: d.accept("12 High St windows"))
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.4, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('.ptz-notice').textContent.includes('12 High St windows')"
    )
    page.keyboard.press("Escape")
    page.goto(wall.url + "/ptz/cameras/TC-001")
    assert "12 High St windows (residential): applies" in page.locator("#zones").inner_text()
    page.fill("#lift-reason", "police request: suspect in the garden")
    page.fill("#lift-minutes", "5")
    page.get_by_role("button", name="Lift zone").click()
    assert "lifted until" in page.locator("#zones").inner_text()


def test_live_tile_masks_a_privacy_zone_until_it_is_lifted(wall: Served, page: Any) -> None:
    PtzDirectory(wall.system.db, wall.system.clock).set_lens("TC-001", SIM_LENS.to_json())
    zones = ZoneBook(wall.system.db, wall.system.clock)
    olive = Principal(1, "olive", Role.OPERATOR)
    zones.add("TC-001", olive, "Garden", Rect(0.6, 0.2, 0.8, 0.4), PtzPosition(0.0, 0.0, 0.0))
    open_wall(page, wall)
    page.wait_for_selector(".ptz-mask")
    mask = page.locator(".ptz-mask").bounding_box()
    video = page.evaluate(
        "() => { const v = document.querySelector('wk-live-tile video');"
        " const r = v.getBoundingClientRect();"
        " const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);"
        " const w = v.videoWidth * s, h = v.videoHeight * s;"
        " return [r.left + (r.width - w) / 2, r.top + (r.height - h) / 2, w, h]; }"
    )
    x, y, w, h = video
    got = ((mask["x"] - x) / w, (mask["y"] - y) / h,
           (mask["x"] + mask["width"] - x) / w, (mask["y"] + mask["height"] - y) / h)  # fmt: skip
    assert got == pytest.approx((0.6, 0.2, 0.8, 0.4), abs=0.01), "drawn where the zone lies"
    sam = Principal(2, "sam", Role.SUPERVISOR)
    zones.lift("TC-001", sam, "Garden", "police request: suspect in the garden", 5)
    page.wait_for_selector(".ptz-mask", state="detached", timeout=5000)


def test_click_to_centre_and_drag_a_box_to_zoom(wall: Served, page: Any) -> None:
    PtzDirectory(wall.system.db, wall.system.clock).set_lens("TC-001", SIM_LENS.to_json())
    tile = open_wall(page, wall)
    page.keyboard.down("+")  # zoom in halfway, so there is room to turn
    deadline = time.monotonic() + 5
    while head(wall.rig).zoom < 0.5 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.keyboard.up("+")
    page.wait_for_timeout(400)
    before = head(wall.rig)
    box = page.locator("wk-live-tile video").bounding_box()
    content = page.evaluate(
        "() => { const v = document.querySelector('wk-live-tile video');"
        " const r = v.getBoundingClientRect();"
        " const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);"
        " return [r.left + (r.width - v.videoWidth * s) / 2, r.top +"
        " (r.height - v.videoHeight * s) / 2, v.videoWidth * s, v.videoHeight * s]; }"
    )
    assert box is not None
    x, y, w, h = content
    tile.click(position={"x": x - box["x"] + 0.75 * w, "y": y - box["y"] + 0.25 * h})
    page.wait_for_timeout(300)
    deadline = time.monotonic() + 8
    while (after := head(wall.rig)).moving and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    want = aim_at(SIM_LENS, before, 0.75, 0.25)
    assert (after.pan, after.tilt) == pytest.approx((want.pan, want.tilt), abs=0.01)
    assert after.pan > before.pan + 0.1 and after.tilt > before.tilt + 0.1
    # Drag a box over the left half's middle: the camera turns and zooms to fill it.
    page.mouse.move(x + 0.10 * w, y + 0.40 * h)
    page.mouse.down()
    page.mouse.move(x + 0.35 * w, y + 0.60 * h, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    deadline = time.monotonic() + 8
    while (framed := head(wall.rig)).moving and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    want = frame_box(SIM_LENS, after, Rect(0.10, 0.40, 0.35, 0.60))
    assert (framed.pan, framed.tilt, framed.zoom) == pytest.approx(
        (want.pan, want.tilt, want.zoom), abs=0.01)  # fmt: skip
    assert framed.zoom > after.zoom + 0.2 and framed.pan < after.pan
