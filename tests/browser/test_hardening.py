"""In Chromium: no page breaks its Content-Security-Policy, tokens are revoked on the
users page, the API reference renders from this origin, and log-out works (with CSRF)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from watchkeeper.auth.roles import Role

pytestmark = pytest.mark.browser


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(lambda u: "/login" not in u)  # the dashboard


def test_pages_keep_their_policy_and_tokens_are_revoked(
    live_server: LiveServer, browser_page: Any
) -> None:
    system, url, page = live_server.system, live_server.url, browser_page
    load_small_register(system)
    add_user(system, "ada", Role.ADMIN)
    add_user(system, "sue", Role.SUPERVISOR)
    with system.db.session() as s:
        token = system.users.issue_token(s, "sue", "radio bridge", ROOT)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _log_in(page, url, "ada")
    page.goto(url + "/users")
    row = page.locator("tr.token", has_text="radio bridge")
    assert row.count() == 1
    row.locator("button", has_text="Revoke").click()
    page.wait_for_url(url + "/users")
    assert page.locator("tr.token", has_text="radio bridge").count() == 0
    with system.db.session() as s:
        assert system.users.principal_for_token(s, token) is None
    page.goto(url + "/api/docs")
    page.wait_for_selector("#swagger-ui .information-container", timeout=15_000)
    assert "Watchkeeper" in page.inner_text("#swagger-ui .information-container")
    page.goto(url + "/cameras")
    page.click("header button", timeout=5_000)  # Log out
    page.wait_for_url(url + "/login")
    _log_in(page, url, "sue")
    pages = ("/cameras", "/incidents", "/incidents/new", "/wall", "/playback", "/radio", "/map")
    console = ("/dashboard", "/shift", "/faults", "/holds", "/gaps?camera=TC-001", "/visitors")
    evidence = ("/requests", "/requests/new?kind=police", "/disclosures", "/stills", "/redaction")
    analytics = ("/alerts", "/motion", "/analytics", "/analytics/cameras/TC-001")
    governance = ("/governance", "/governance/reviews", "/governance/reviews/TC-001",
                  "/governance/dpias", "/governance/signage", "/governance/operators",
                  "/governance/documents", "/documents", "/governance/clients",
                  "/governance/clients/acme", "/partners", "/statistics", "/reports",
                  "/public/cameras")  # fmt: skip
    admin = ("/health/cameras", "/cameras/TC-001", "/account", "/users/sue", "/police/accounts")
    for path in (*pages, *console, *evidence, *analytics, *governance, *admin):
        page.goto(url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # scripts run and reach the server
    # The police link's own pages, as its two roles.
    add_user(system, "pc-view", Role.POLICE_VIEWER)
    add_user(system, "dc-jones", Role.POLICE_OFFICER)
    for user, path in (("pc-view", "/police/wall"), ("dc-jones", "/police/portal"),
                       ("dc-jones", "/police/portal/new")):  # fmt: skip
        page.context.clear_cookies()
        _log_in(page, url, user)
        page.goto(url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
    assert refused == []
