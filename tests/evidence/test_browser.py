"""A supervisor takes a police request from receipt to a downloaded, verified package."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from tests.evidence.conftest import Recorded
from tests.foundation.helpers import PASSWORD, add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.models import CustodyEntry
from watchkeeper.evidence.verify import verify_package
from watchkeeper.recording.holds import holds_covering
from watchkeeper.system import System, start_export_worker

pytestmark = [pytest.mark.browser, pytest.mark.media]


@pytest.fixture
def base_url(system: System, recorded: Recorded) -> Iterator[str]:
    add_user(system, "sam", Role.SUPERVISOR)
    start_export_worker(system)
    with serve_app(system) as url:
        yield url


def test_police_request_to_downloaded_package(
    base_url: str, system: System, recorded: Recorded, tmp_path: Path
) -> None:
    from playwright import sync_api

    need_service("Chromium", Path(CHROMIUM).exists())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{base_url}/login?next=/requests")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: urlparse(u).path == "/requests")
        page.click("text=Police")
        page.fill("#requester_name", "PC Jane Smith")
        page.fill("#requester_org", "Anyshire Police")
        for name, value in {
            "officer": "PC Jane Smith", "force": "Anyshire Police", "collar_number": "4521",
            "crime_ref": "CAD 1234/01", "offence": "Assault", "countersigning_officer": "Sgt Brown",
        }.items():  # fmt: skip
            page.fill(f"#f_{name}", value)
        page.select_option("#camera", ["TC-001"])
        page.fill("#start", "2026-07-01T11:00:01")
        page.fill("#end", "2026-07-01T11:00:04")
        page.click("text=Receive request and hold footage")
        page.wait_for_url(lambda u: urlparse(u).path.startswith("/requests/REQ-"))
        ref = urlparse(page.url).path.rsplit("/", 1)[1]
        assert page.inner_text("#state") == "received"
        with system.db.session() as s:
            held = holds_covering(s, "TC-001", recorded.t0, recorded.end, recorded.end)
            assert [h.reference for h in held] == [ref], "held at receipt"

        page.click("text=Start search")
        page.fill("input[name=note]", "assault visible at 11:00:02")
        page.click("text=Send for decision")
        page.select_option("#decision", "approve")
        page.fill("#reasons", "Sch 2 para 2: prevention and detection of crime")
        page.click("text=Record decision")
        assert page.inner_text("#state") == "approved"
        page.click("text=Export packages")
        page.wait_for_selector("text=Make download link", timeout=60_000)
        page.click("text=Make download link")
        with page.expect_download() as got:
            page.click("button.download")
        target = tmp_path / "download.zip"
        got.value.save_as(target)
        page.fill("input[name=to]", "PC Jane Smith 4521")
        page.fill("input[name=how]", "download link")
        page.click("text=Record release")
        assert page.inner_text("#state") == "released"
        browser.close()

    with zipfile.ZipFile(target) as z:
        z.extractall(tmp_path / "unzipped")
    (package,) = (tmp_path / "unzipped").iterdir()
    report = verify_package(package)
    assert report.ok, report.problems
    assert package.name.startswith("TC-001_20260701T100001Z_REQ-")
    with system.db.session() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
        assert "evidence.download" in actions and "request.release" in actions
        copies = s.scalars(select(CustodyEntry.action)).all()
        assert sorted(copies) == ["copied", "produced"]
