"""The police accounts screen in Chromium: an administrator sets a police user's force and
collar number (audited), a refusal shows beside its field with what was typed kept, and a
council account is not a police account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.foundation.helpers import PASSWORD, add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.police.models import PoliceAccount

pytestmark = pytest.mark.browser


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)


def test_admin_sets_force_and_collar_number(live_server: LiveServer, browser_page: Any) -> None:
    system, url, page = live_server.system, live_server.url, browser_page
    add_user(system, "ada", Role.ADMIN)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "pc-view", Role.POLICE_VIEWER)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _log_in(page, url, "ada")
    page.goto(url + "/users")
    page.click("#police-accounts-link")
    row = page.locator("#police-accounts tr[data-user='pc-view']")
    assert "not set" in (row.text_content() or "")
    assert page.locator("#police-accounts tr[data-user='olive']").count() == 0
    row.get_by_role("link", name="Set force and collar number").click()
    page.fill("#force", "Borough Police")
    page.fill("#collar_number", "")
    page.click("#police-account-form button[type=submit]")
    page.wait_for_selector("#collar_number-error")
    assert page.input_value("#force") == "Borough Police"  # what was typed is kept
    page.fill("#collar_number", "CR101")
    page.click("#police-account-form button[type=submit]")
    page.wait_for_url(lambda u: "/police/accounts?done=pc-view" in u)
    row = page.locator("#police-accounts tr[data-user='pc-view']")
    assert row.locator(".police-force").text_content() == "Borough Police"
    assert row.locator(".police-collar").text_content() == "CR101"
    with system.db.session() as s:
        user = system.users.get(s, "pc-view")
        acct = s.get(PoliceAccount, user.id)
        assert acct is not None and acct.collar_number == "CR101"
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.police_account")
        ).one()
        assert entry.username == "ada" and entry.object_id == "pc-view"
        assert json.loads(entry.details)["collar_number"] == "CR101"
    # The user page links to it; a council account has no police account page.
    page.goto(url + "/users/pc-view")
    assert page.locator("#police-account a").get_attribute("href") == "/police/accounts/pc-view"
    answer = page.goto(url + "/police/accounts/olive")
    assert answer is not None and answer.status == 404
    assert refused == []
