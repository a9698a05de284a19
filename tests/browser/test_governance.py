"""Governance in Chromium: a supervisor completes a camera review and downloads the annual
pack; the statistics page draws its charts and downloads CSV; the partners page records a
disclosure (refused without the agreement) and a member sees its own radio log; a new
code of practice stops sign-on until it is read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, nav_to, serve_app
from tests.conftest import make_settings, need_service
from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from tests.governance.conftest import principal
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.log_models import PartnerMember
from watchkeeper.records.vocab import Channel, Source
from watchkeeper.system import System, build_system

pytestmark = pytest.mark.browser


@dataclass
class Rig:
    url: str
    system: System
    browser: Any

    def login(self, username: str) -> Any:
        context = self.browser.new_context(
            locale="en-US", timezone_id="America/New_York", accept_downloads=True
        )
        page = context.new_page()
        page.goto(f"{self.url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(lambda u: "/login" not in u)
        return page


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    system = build_system(make_settings(tmp_path_factory.mktemp("gov")))
    load_small_register(system)
    add_user(system, "sue", Role.SUPERVISOR)
    add_user(system, "olly", Role.OPERATOR)
    with system.db.session() as s:
        member = PartnerMember(
            ref="SW-BOOTS",
            name="Chemist, High St",
            scheme="shopwatch",
            isa_ref="ISA-SW-2026",
            isa_date=date(2026, 1, 5),
            updated_us=0,
        )
        s.add(member)
        s.flush()
        system.users.create(
            s,
            UserSpec(
                username="boots",
                role=Role.PARTNER_MEMBER.value,
                password=PASSWORD,
                partner_member_ref="SW-BOOTS",
            ),
            ROOT,
        )
    try:
        with serve_app(system) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield Rig(url, system, browser)
            browser.close()
    finally:
        system.close()


def test_supervisor_completes_a_camera_review_and_downloads_the_annual_pack(
    rig: Rig, tmp_path: Path
) -> None:
    page = rig.login("sue")
    reviews = page.locator("#reviews-due")
    assert "never reviewed" in reviews.inner_text()
    reviews.locator("a", has_text="TC-001").click()
    page.wait_for_url(f"{rig.url}/governance/reviews/TC-001")
    assert "crime and disorder" in page.inner_text("#review-facts")
    page.click("#review-form button[type=submit]")  # nothing filled in: errors in place
    assert "say why" in page.inner_text("#justification-error")
    page.check("#still_justified")
    page.fill("#justification", "Assaults at the junction every weekend")
    page.check("#signage_checked")
    page.select_option("#decision", "retain")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#review-history >> text=Assaults at the junction")
    next_year = date.today().year + 1
    assert str(next_year) in page.inner_text("#next-review")
    page.goto(f"{rig.url}/dashboard")
    assert "TC-001" not in page.inner_text("#reviews-due")
    page.goto(f"{rig.url}/reports")
    assert "evidence" in page.inner_text("#code-assessment")
    with page.expect_download() as got:
        page.click("#annual-pdf")
    saved = tmp_path / "pack.pdf"
    got.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert got.value.suggested_filename == f"cctv-annual-review-{date.today().year}.pdf"


def test_statistics_page_draws_charts_and_downloads_csv(rig: Rig, tmp_path: Path) -> None:
    olly = principal(rig.system, "olly")
    with rig.system.db.session() as s:
        for cat in ("violence", "violence", "drugs"):
            rig.system.incidents.create(s, olly, IncidentDraft(cat, Source.POLICE))
    page = rig.login("sue")
    nav_to(page, "Statistics")
    page.wait_for_url(f"{rig.url}/statistics")
    page.wait_for_selector("#chart-incidents_by_category[data-drawn='2']")
    page.wait_for_selector("#chart-incidents_by_month[data-drawn]")
    assert "Violence" in page.inner_text("#table-incidents_by_category")
    with page.expect_download() as got:
        page.click("#csv-all")
    saved = tmp_path / "stats.csv"
    got.value.save_as(saved)
    text = saved.read_text()
    assert "Violence,2" in text and "Drugs,1" in text


def test_partners_page_disclosure_needs_the_agreement_and_a_member_sees_its_log(
    rig: Rig,
) -> None:
    boots = principal(rig.system, "boots")
    with rig.system.db.session() as s:
        rig.system.radio.add(s, boots, Channel.SHOPWATCH, "", "Two youths taking razors")
        rig.system.radio.add(s, principal(rig.system, "olly"), Channel.PUBWATCH, "Bar 7",
                             "Fight outside")  # fmt: skip
    page = rig.login("sue")
    nav_to(page, "Partners")
    assert "ISA-SW-2026" in page.inner_text("#member-rows")
    page.fill("#shared", "Clothing description of a suspect")
    page.fill("#reason", "Prevent a repeat theft today")
    page.fill("#scheme_ids", "DISC-4471")
    page.click("#disclosure-form button[type=submit]")
    assert "information sharing agreement" in page.inner_text("#isa_ref-error")
    assert page.input_value("#shared") == "Clothing description of a suspect"  # kept
    page.fill("#isa_ref", "ISA-SW-2026")
    page.click("#disclosure-form button[type=submit]")
    page.wait_for_selector("#disclosure-rows >> text=DISC-4471")
    page.click("#member-rows >> text=Chemist, High St")
    assert "Two youths" in page.inner_text("#member-calls")
    member = rig.login("boots")
    nav_to(member, "My radio log")
    calls = member.inner_text("#member-calls")
    assert "Two youths" in calls and "Fight outside" not in calls
    assert "ISA-SW-2026" in member.inner_text("#member-facts")


def test_a_new_code_of_practice_stops_sign_on_until_read(rig: Rig) -> None:
    with rig.system.db.session() as s:
        rig.system.governance.documents.issue(
            s, principal(rig.system, "sue"), "COP", "Code of practice", "code_of_practice",
            "2.0", "Body-worn video", "Operators shall ...",
        )  # fmt: skip
    page = rig.login("olly")
    page.goto(f"{rig.url}/shift")
    page.click("#my-shift button[type=submit]")
    assert "COP version 2.0" in page.inner_text("#sign_on-error")
    nav_to(page, "Documents")
    page.click("text=I have read COP version 2.0")
    page.wait_for_selector("#all-read")
    page.goto(f"{rig.url}/shift")
    page.click("#my-shift button[type=submit]")
    page.wait_for_selector("#my-shift >> text=You signed on at")
