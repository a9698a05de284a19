"""The video wall as a control room reads it, in Chromium: health dots from the recorder,
tile overlays and names, no endless retry for a camera without video, alerts once in plain
words, layouts that keep their cameras, a tree that scrolls by itself at 1366x768, links
from a tile to playback and a new incident, and no server traceback when the browser goes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_rig import Console, console, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Console]:
    with console(tmp_path) as con:
        yield con


def dot(page: Any, camera: str) -> str:
    return str(page.get_attribute(f".tree li[data-camera='{camera}']", "data-video"))


def test_wall_shows_health_overlays_and_keeps_its_layout(rig: Console, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    log_in(page, rig, "olive")
    page.goto(rig.url + "/wall")

    # The tree's dots follow the recorder (refreshed while the page stays open).
    page.wait_for_function(
        "() => document.querySelector(\".tree li[data-camera='RP-001']\").dataset.video"
        " === 'streaming'",
        timeout=20_000,
    )
    page.wait_for_function(
        "() => document.querySelector(\".tree li[data-camera='TC-001']\").dataset.video"
        " === 'offline'",
        timeout=30_000,
    )
    assert dot(page, "BE-001") == "not recording"
    assert "streaming" in page.inner_text("#tree-health")

    # A camera that plays: its name on the tile, no overlay once the picture runs.
    page.click(".tree li[data-camera='RP-001']")
    first = "wk-live-tile[data-slot='0']"
    page.wait_for_function(
        f'() => document.querySelector("{first} video").currentTime > 0.2', timeout=15_000
    )
    assert page.inner_text(f"{first} .tile-label") == "RP-001 Car park row A (north)"
    assert page.is_hidden(f"{first} .tile-overlay")

    # A camera with no video here: one attempt, then the tile says why and stops.
    page.click(".tree li[data-camera='TC-002']")
    second = "wk-live-tile[data-slot='1']"
    page.wait_for_selector(f"{second}[data-state='refused']", timeout=10_000)
    assert "No video" in page.inner_text(f"{second} .tile-overlay")
    page.wait_for_timeout(4500)  # the old page retried every 2 s
    assert len([u for u in sockets if "/TC-002/" in u]) == 1
    assert page.get_attribute(second, "data-state") == "refused"

    # An offline camera: "Offline since HH:MM" over the tile.
    page.click(".tree li[data-camera='TC-001']")
    third = "wk-live-tile[data-slot='2']"
    page.wait_for_function(
        f"() => /Offline since \\d\\d:\\d\\d/.test("
        f'document.querySelector("{third} .tile-overlay").textContent)',
        timeout=15_000,
    )

    # 1 tile and back to 4: the three cameras come back, and the saved layout kept them.
    page.keyboard.press("1")
    assert page.locator("#wall wk-live-tile").count() == 1
    page.keyboard.press("2")
    assert page.locator("#wall wk-live-tile").count() == 4
    cams = [page.get_attribute(f"wk-live-tile[data-slot='{i}']", "camera") for i in range(3)]
    assert cams == ["RP-001", "TC-002", "TC-001"]
    saved = page.evaluate("() => JSON.parse(localStorage.getItem('wk.wall.olive')).cams")
    assert saved[:3] == ["RP-001", "TC-002", "TC-001"]

    # 1366x768: the page does not scroll, the tree does, the wall stays on screen.
    page_height = page.evaluate("() => document.scrollingElement.scrollHeight")
    assert page_height <= 768 + 1
    tree = page.evaluate(
        "() => { const t = document.querySelector('.tree');"
        " return [t.scrollHeight, t.clientHeight]; }"
    )
    assert tree[0] > tree[1]
    box = page.locator("#wall").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768 and box["height"] > 300

    # A search hides the areas and sites left with no camera.
    page.fill("#cam-search", "car park row a")
    visible_areas = page.locator(".tree-area:visible")
    assert visible_areas.count() == 1
    assert page.locator(".tree-site:visible").count() == 1
    page.fill("#cam-search", "")
    assert page.locator(".tree-area:visible").count() > 10

    # The tile's links: playback from a minute ago, a new incident from this camera.
    page.hover(first)
    href = page.get_attribute(f"{first} .to-playback", "href") or ""
    assert href.startswith("/playback?camera=RP-001&at=")
    page.click(f"{first} .to-incident")
    page.wait_for_url(lambda u: "/incidents/new" in u)
    assert page.input_value("#camera") == "RP-001"


def test_alerts_are_listed_once_in_plain_words(rig: Console, browser_page: Any) -> None:
    page = browser_page
    log_in(page, rig, "olive")
    page.goto(rig.url + "/wall")
    # RP-002's 3-second clip ends on main and sub at once, again and again.
    page.wait_for_selector("#alerts li[data-camera='RP-002']", timeout=40_000)
    page.wait_for_function(
        "() => document.querySelectorAll(\"#alerts li[data-camera='RP-002']\").length >= 2",
        timeout=40_000,
    )
    lines = page.locator("#alerts li[data-camera='RP-002']").all_inner_texts()
    for line in lines:
        assert "stream ended" not in line and "stalled" not in line
        assert "RP-002 Car park row D (centre):" in line
    # Main and sub report each change; the list shows it once: no two alike in a row.
    says = [line.split("(centre): ", 1)[1] for line in lines]
    assert all(a != b for a, b in itertools.pairwise(says))


def test_closing_a_browser_with_live_tiles_leaves_no_traceback(
    rig: Console, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, rig, "olive")
    page.goto(rig.url + "/wall")
    page.click(".tree li[data-camera='RP-001']")
    page.wait_for_function(
        "() => document.querySelector(\"wk-live-tile[data-slot='0'] video\").currentTime > 0.2",
        timeout=15_000,
    )
    page.close()
    page.context.new_page().wait_for_timeout(2000)
    assert not [line for line in rig.server_log if "Exception in ASGI application" in line]
