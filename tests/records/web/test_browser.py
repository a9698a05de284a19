"""An operator enters an incident with the keyboard alone, then finds it by search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from watchkeeper.config.settings import Settings
from watchkeeper.system import build_system

from ..conftest import PASSWORD, _seed

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    system = build_system(Settings(mode="development", data_dir=tmp_path))
    _seed(system)
    try:
        with serve_app(system) as url:
            yield url
    finally:
        system.close()


def test_keyboard_only_incident_entry_and_search(base_url: str) -> None:
    from playwright import sync_api

    need_service("Chromium", Path(CHROMIUM).exists())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        kb = page.keyboard
        page.goto(f"{base_url}/login?next=/incidents/new")
        kb.type("op1")  # the user name field has autofocus
        kb.press("Tab")
        kb.type(PASSWORD)
        kb.press("Enter")
        page.wait_for_url(lambda u: urlparse(u).path == "/incidents/new")
        assert page.evaluate("document.activeElement.id") == "category_id"
        kb.type("Theft")
        kb.press("Tab")
        kb.type("Shopwatch")
        kb.press("Tab")
        kb.type("Market")
        kb.press("Tab")
        kb.type("Outside the chemist")
        kb.press("Tab")
        kb.type("Grey hoodie took razors, zebracorn tattoo")
        kb.press("Tab")
        kb.type("TC-003")
        kb.press("Tab")
        kb.type("CAD-2211")
        kb.press("Enter")
        page.wait_for_url(lambda u: urlparse(u).path.startswith("/incidents/2026-"))
        ref = page.url.rsplit("/", 1)[1]
        text = page.inner_text("main")
        assert "Theft and shoplifting" in text
        assert "Shopwatch" in text  # its label, not the stored value
        assert "Outside the chemist" in text
        assert "CAD-2211" in text
        assert "TC-003" in text  # footage span held

        kb.press("Alt+f")  # access key of the search page
        page.wait_for_url(lambda u: urlparse(u).path == "/incidents")
        assert page.evaluate("document.activeElement.id") == "q"
        kb.type("zebracorn")
        kb.press("Enter")
        page.wait_for_selector(f"a[href='/incidents/{ref}']")
        rows = page.inner_text("#incident-rows")
        assert ref in rows
        assert "Outside the chemist" in rows
        browser.close()
