"""Recorder nodes on the dashboard: a node's disk alarm and a silent node reach the console."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.foundation.helpers import PASSWORD, add_user
from watchkeeper.auth.roles import Role
from watchkeeper.cluster.leases import db_now_us
from watchkeeper.cluster.models import ClusterNode

pytestmark = pytest.mark.browser


def test_supervisor_sees_each_recorder_node_with_its_disk_and_a_silent_one(
    live_server: LiveServer, browser_page: Any
) -> None:
    system = live_server.system
    with system.db.session() as s:
        now = db_now_us(s)
        for node_id, beat, level, free in (
            ("rec-a", now, "alarm", 0.08),
            ("rec-b", now - 120_000_000, "ok", 0.5),
        ):
            s.add(
                ClusterNode(
                    node_id=node_id, host="h", pid=1, started_us=now, heartbeat_us=beat,
                    capacity=1.0, cameras=0, streams=0, db_backlog=0, disk_level=level,
                    disk_free_fraction=free,
                )
            )  # fmt: skip
    add_user(system, "sue", Role.SUPERVISOR)
    page = browser_page
    page.goto(live_server.url + "/login")
    page.fill("#username", "sue")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(live_server.url + "/dashboard")
    a = page.locator("#node-rec-a")
    assert "disk alarm (8% free)" in a.inner_text()
    assert "error" in (a.get_attribute("class") or "")
    b = page.locator("#node-rec-b")
    assert "rec-b: not heard from for 1" in b.inner_text()  # 120 s and the time since
    assert "error" in (b.get_attribute("class") or "")
