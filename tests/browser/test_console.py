"""The log-in page and the first operator page, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.foundation.helpers import PASSWORD, add_user
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.io import parse_import

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def test_operator_logs_in_and_sees_the_borough_by_site_and_area(
    live_server: LiveServer, browser_page: Any
) -> None:
    system = live_server.system
    parsed = parse_import((ROOT / "examples" / "borough.yaml").read_text(), "borough.yaml")
    from tests.foundation.helpers import ROOT as ACTOR

    with system.db.session() as s:
        system.cameras.apply(s, parsed.cameras, ACTOR, "test", sites=parsed.sites)
    add_user(system, "olive", Role.OPERATOR, expiry_days=20)
    page = browser_page
    page.goto(live_server.url + "/cameras")
    assert page.url.startswith(live_server.url + "/login")
    page.fill("#username", "olive")
    page.fill("#password", "wrong password!")
    page.press("#password", "Enter")
    assert "wrong user name or password" in page.inner_text("[role=alert]")
    page.fill("#username", "olive")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(live_server.url + "/cameras")
    assert page.inner_text(".counts strong") == "138 cameras"
    sites = page.locator("section.site h2").all_inner_texts()
    assert "Ashbury Town Centre" in " ".join(sites) and len(sites) >= 8
    assert "expires on" in page.inner_text("[role=status]")
    page.fill("input[type=search]", "underpass")
    page.wait_for_selector(".counts:not([data-total='138'])")  # no eval: the CSP forbids it
    rows = page.locator("tr[data-camera]").count()
    assert 0 < rows < 138
    assert page.locator("text=***").count() == 0
