"""The camera map in Chromium: the borough's cameras drawn from the register's coordinates
by site and area, coloured by video state, a click puts a camera on the wall; with the tile
server unreachable the plain vector map is what shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import free_port
from tests.browser.console_rig import console, log_in
from watchkeeper.web.routers.situation import map_policy

pytestmark = pytest.mark.browser


def test_map_draws_the_register_and_puts_a_camera_on_the_wall(
    tmp_path: Path, browser_page: Any
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"  # nothing listens there
    with console(tmp_path, tile_url=dead) as rig:
        page = browser_page
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, rig, "olive")
        page.goto(rig.url + "/map")
        page.wait_for_selector("#map[data-ready]", timeout=15_000)
        drawn = int(page.get_attribute("#map", "data-ready") or 0)
        assert drawn == 138  # every camera of the sample borough has coordinates
        assert page.locator("path.cam-marker").count() == 138
        assert page.locator(".map-site-label").count() >= 8
        assert "Ashbury Town Centre" in page.inner_text("#map")
        # The tile server does not answer: the plain vector map stays, and says so.
        page.wait_for_function(
            "() => document.querySelector('#map-mode').textContent.includes('unreachable')",
            timeout=15_000,
        )
        assert page.locator(".leaflet-tile-loaded").count() == 0
        # Colours follow the recorder's state: RP-001 streams, TC-001 has no file.
        page.wait_for_selector("path.cam-RP-001.state-streaming", timeout=20_000)
        page.wait_for_selector("path.cam-TC-001.state-offline", timeout=30_000)
        assert page.locator("path.cam-BE-001.state-not-recording").count() == 1
        # Find a camera, select it, put it on the wall.
        page.fill("#map-search", "RP-001")
        page.wait_for_selector("#map-camera:not([hidden])")
        assert "Car park row A (north)" in page.inner_text("#map-camera-name")
        assert "streaming" in page.inner_text("#map-camera-state")
        page.fill("#map-search", "market place junction")  # zooms to TC-001's corner
        page.click("path.cam-TC-001")
        assert page.inner_text("#map-camera-name").startswith("TC-001 ")
        page.click("#map-to-wall")
        page.wait_for_url(lambda u: u.endswith("/wall"))
        page.wait_for_selector("#wall wk-live-tile[camera='TC-001']", timeout=10_000)


def test_the_map_page_admits_only_its_tile_server() -> None:
    assert "img-src 'self' data: blob:;" in map_policy("")
    policy = map_policy("https://{s}.tiles.example/{z}/{x}/{y}.png")
    assert "https://a.tiles.example https://b.tiles.example https://c.tiles.example" in policy
    assert "script-src 'self';" in policy
