"""Two browsers on the simulated PTZ camera: an operator shares it with the police,
allowing them to steer; the police viewer takes control on the police wall and pans it;
the operator takes over (the police viewer is told); the share ends and control is gone."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import need_service
from tests.foundation.helpers import ROOT, add_user
from tests.ptz.conftest import Served, head
from tests.ptz.test_console_browser import wall
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.police.accounts import set_account

pytestmark = [pytest.mark.browser, pytest.mark.media]
__all__ = ["wall"]

HOLDER = "#police-wall wk-live-tile[camera='TC-001'] .ptz-holder"
CONSOLE_HOLDER = ".console wk-live-tile[camera='TC-001'] .ptz-holder"


@pytest.fixture
def browser() -> Iterator[Any]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def page_as(browser: Any, served: Served, username: str, refused: list[str]) -> Any:
    context = browser.new_context()
    token = served.cookie(username).split("=", 1)[1]
    context.add_cookies([{"name": "wk_session", "value": token, "url": served.url}])
    page = context.new_page()
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page


def _text_is(page: Any, selector: str, text: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([s, t]) => (document.querySelector(s)?.textContent || '') === t",
        arg=[selector, text],
        timeout=timeout,
    )


def _police_sessions(served: Served) -> list[AuditEntry]:
    with served.system.db.session() as s:
        q = select(AuditEntry).where(
            AuditEntry.action == "ptz.session", AuditEntry.username == "pc-view"
        )
        rows = list(s.scalars(q.order_by(AuditEntry.seq)))
        s.expunge_all()
        return rows


def test_police_steer_then_the_operator_takes_over_then_the_share_ends(
    wall: Served, browser: Any
) -> None:
    add_user(wall.system, "pc-view", Role.POLICE_VIEWER)
    with wall.system.db.session() as s:
        user = wall.system.users.get(s, "pc-view")
        set_account(s, ROOT, user, "Borough Police", "CR101", wall.system.clock)
    refused: list[str] = []
    police = page_as(browser, wall, "pc-view", refused)
    police.goto(wall.url + "/police/wall")
    police.wait_for_selector("#police-empty", state="visible")

    operator = page_as(browser, wall, "olive", refused)
    operator.add_init_script(
        "localStorage.setItem('wk.wall.olive', JSON.stringify({size: 1, cams: ['TC-001']}))"
    )
    operator.goto(wall.url + "/wall")
    operator.click("wk-live-tile[camera='TC-001'] video")
    operator.click("#police-share-open")
    dialog = "#police-share-dialog"
    assert operator.input_value(f"{dialog} input[name=camera_id]") == "TC-001"
    operator.fill(f"{dialog} input[name=cad_ref]", "CAD-4411")
    operator.fill(f"{dialog} input[name=reason]", "suspect walking towards the park")
    operator.check(f"{dialog} input[name=ptz]")
    operator.click(f"{dialog} button[type=submit]")
    operator.wait_for_function(
        "() => (document.querySelector('#police-link li')?.textContent || '')"
        ".includes('police may steer')",
        timeout=20_000,
    )

    # The police viewer takes control on their wall and pans the camera.
    tile = police.locator("#police-wall wk-live-tile[camera='TC-001']")
    take = tile.get_by_role("button", name="Take control of this camera")
    take.wait_for(state="visible", timeout=30_000)
    take.click()
    _text_is(police, HOLDER, "You control")
    _text_is(operator, CONSOLE_HOLDER, "pc-view (police_viewer) controls")
    tile.focus()
    police.keyboard.down("ArrowRight")
    deadline = time.monotonic() + 10
    while not (head(wall.rig).moving and head(wall.rig).pan > 0.05):
        assert time.monotonic() < deadline, "the police viewer's key pans the camera"
        time.sleep(0.1)
    police.keyboard.up("ArrowRight")

    # The operator takes over: always wins, and the police viewer is told.
    operator.locator("wk-live-tile[camera='TC-001']").get_by_role(
        "button", name="Take control of this camera"
    ).click()
    _text_is(operator, CONSOLE_HOLDER, "You control")
    _text_is(police, HOLDER, "olive (operator) controls")
    police.wait_for_function(
        "() => (document.querySelector('#police-wall .ptz-notice')?.textContent || '')"
        ".includes('taken over by olive')",
        timeout=15_000,
    )
    operator.locator("wk-live-tile[camera='TC-001']").get_by_role(
        "button", name="Release control (Esc)"
    ).click()
    _text_is(police, HOLDER, "Free")

    # The police viewer takes it again; the operator ends the share; control is gone.
    take.click()
    _text_is(operator, CONSOLE_HOLDER, "pc-view (police_viewer) controls")
    operator.click("#police-link button[data-police-end]")
    police.wait_for_function("() => !document.querySelector('#police-wall figure')", timeout=20_000)
    _text_is(operator, CONSOLE_HOLDER, "Free", timeout=10_000)
    deadline = time.monotonic() + 10
    while len(rows := _police_sessions(wall)) < 2:
        assert time.monotonic() < deadline, "both police control sessions are audited"
        time.sleep(0.1)
    first, second = rows
    assert first.reason == "taken over"
    assert second.reason in {"share ended", "disconnected"}
    assert json.loads(second.details)["collar_number"] == "CR101"
    assert refused == []
