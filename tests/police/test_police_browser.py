"""Two browsers: an operator shares a camera from the wall and the police wall plays it
within 2 s, then the share ends and the tile goes; an officer files a request on the portal
and the council finds it in its queue with the footage held."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from tests.police.conftest import SHARED, Room, build_room
from watchkeeper.evidence.models import EvidenceRequest, RequestCamera

pytestmark = pytest.mark.browser

PLAYING = (
    "() => { const v = document.querySelector("
    f"'#police-wall wk-live-tile[camera=\"{SHARED}\"] video');"
    " return !!v && v.readyState >= 2 && v.currentTime > 0.1; }"
)


@dataclass
class Site:
    url: str
    room: Room


@pytest.fixture
def site(tmp_path: Path, police_clip: Path) -> Iterator[Site]:
    room = build_room(tmp_path, police_clip)
    try:
        with serve_app(room.system) as url:
            yield Site(url, room)
    finally:
        room.system.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def page_as(browser: Any, site: Site, username: str, refused: list[str]) -> Any:
    context = browser.new_context()
    context.add_cookies(
        [{"name": "wk_session", "value": site.room.cookie(username), "url": site.url}]
    )
    page = context.new_page()
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page


def test_operator_shares_and_the_police_wall_plays_it_then_it_goes(
    site: Site, browser: Any
) -> None:
    refused: list[str] = []
    police = page_as(browser, site, "pc-view", refused)
    police.goto(site.url + "/police/wall")
    police.wait_for_selector("#police-empty", state="visible")
    operator = page_as(browser, site, "olive", refused)
    operator.goto(site.url + "/wall")
    operator.click(f"li[data-camera='{SHARED}']")  # onto a tile
    operator.click(f"wk-live-tile[camera='{SHARED}']")  # select it
    operator.click("#police-share-open")
    dialog = "#police-share-dialog"
    assert operator.input_value(f"{dialog} input[name=camera_id]") == SHARED
    operator.fill(f"{dialog} input[name=incident_ref]", site.room.incident)
    operator.fill(f"{dialog} input[name=reason]", "fight, suspect in view")
    shared_at = time.monotonic()
    operator.click(f"{dialog} button[type=submit]")
    police.wait_for_function(PLAYING, timeout=30_000, polling=50)
    took = time.monotonic() - shared_at
    assert took < 2.0, f"the police wall played the shared camera after {took:.2f} s"
    assert police.is_hidden("#police-empty")
    caption = police.text_content(f"#police-wall figure[data-camera='{SHARED}'] figcaption")
    assert site.room.incident in (caption or "")
    # The console sees the police wall connected and watching.
    operator.wait_for_function(
        "() => (document.querySelector('#police-link .police-health')?.textContent || '')"
        ".includes('pc-view')",
        timeout=20_000,
    )
    operator.wait_for_function(
        "() => (document.querySelector('#police-link li')?.textContent || '').includes('pc-view')",
        timeout=20_000,
    )
    # The operator ends the share: the tile goes from the police wall.
    operator.click("#police-link button[data-police-end]")
    police.wait_for_function("() => !document.querySelector('#police-wall figure')", timeout=20_000)
    assert police.is_visible("#police-empty")
    assert refused == []


def test_officer_files_a_request_and_the_council_has_it_held(site: Site, browser: Any) -> None:
    refused: list[str] = []
    officer = page_as(browser, site, "dc-jones", refused)
    officer.goto(site.url + "/police/portal")
    officer.click("a[href='/police/portal/new']")
    officer.fill("#crime_ref", "CR-2026-555")
    officer.fill("#offence", "assault")
    officer.fill("#countersigning_officer", "DS Patel 2201")
    officer.fill("#cameras", "TC-001 TC-999")
    officer.fill("#start", "2026-12-01T21:00:00")
    officer.fill("#end", "2026-12-01T21:30:00")
    officer.click("form.fast-entry button[type=submit]")
    # An unknown camera is refused next to the form, the values kept.
    officer.wait_for_selector("#form-error")
    assert "TC-999" in (officer.text_content("#form-error") or "")
    assert officer.input_value("#offence") == "assault"
    officer.fill("#cameras", "TC-001")
    officer.click("form.fast-entry button[type=submit]")
    officer.wait_for_url(lambda u: "/police/portal?filed=" in u)
    row = officer.locator("table.police-requests tbody tr").first
    assert "received" in (row.text_content() or "")
    assert "no statutory clock" in (row.text_content() or "")
    # The council's side: in the request queue, the footage held, the officer named.
    with site.room.system.db.session() as s:
        req = s.query(EvidenceRequest).one()
        assert req.kind == "police" and req.received_by == "dc-jones"
        assert req.requester_org == "Borough Police"
        cams = s.query(RequestCamera).filter_by(request_id=req.id).all()
        assert [(c.camera_id, c.hold_id is not None) for c in cams] == [("TC-001", True)]
    supervisor = page_as(browser, site, "sue", refused)
    supervisor.goto(site.url + "/requests")
    assert req.ref in (supervisor.text_content("main") or "")
    # Another officer does not see it.
    other = page_as(browser, site, "dc-smith", refused)
    other.goto(site.url + "/police/portal")
    assert req.ref not in (other.text_content("main") or "")
    assert refused == []


def test_operator_shares_from_the_incident_page_which_lists_it(site: Site, browser: Any) -> None:
    refused: list[str] = []
    operator = page_as(browser, site, "olive", refused)
    operator.goto(f"{site.url}/incidents/{site.room.incident}")
    operator.click("[data-police-share]")
    dialog = "#police-share-dialog"
    assert operator.input_value(f"{dialog} input[name=incident_ref]") == site.room.incident
    operator.fill(f"{dialog} input[name=camera_id]", SHARED)
    operator.fill(f"{dialog} input[name=reason]", "inspector asked")
    operator.click(f"{dialog} button[type=submit]")
    operator.wait_for_selector("#police-shares tr[data-share] >> text=live until", timeout=20_000)
    with site.room.system.db.session() as s:
        assert [sh.camera_id for sh in site.room.system.shares.active(s)] == [SHARED]
    operator.click("#police-shares [data-police-end]")
    operator.wait_for_selector("#police-shares tr[data-share] >> text=ended", timeout=20_000)
    assert refused == []
