"""The control-room console pages in Chromium: dashboard, shift, faults, holds, gaps,
visitors and the audit trail, each doing its main task end to end.

One server and one browser per module (the suite stays fast); each test has its own
browser context, so its own log-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from tests.recording.rec_helpers import init_row, segment_row
from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.config.settings import Settings
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.models import StreamEvent
from watchkeeper.records.faults import camera_offline
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Source
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_DAY, US_PER_S, date_to_us

from ..conftest import PASSWORD, _principals, _seed

pytestmark = pytest.mark.browser


@dataclass
class Console:
    url: str
    system: System
    browser: Any

    def login(self, username: str, path: str = "/") -> Any:
        page = self.browser.new_context(locale="en-US", timezone_id="America/New_York").new_page()
        page.goto(f"{self.url}/login?next={path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        return page


def _prepare(system: System) -> None:
    """Active cameras TC-001..3: TC-001 offline (and its fault opened by the recorder)."""
    now = system.clock.now_us()
    with system.db.session() as s:
        for n in (1, 2, 3):
            cam = s.get(Camera, f"TC-00{n}")
            assert cam is not None
            cam.purpose, cam.dpia_ref = "Crime prevention", "DPIA-1"
            cam.status = CameraStatus.ACTIVE
            cam.next_review = date(2020, 1, 31) if n == 1 else date(2099, 1, 1)
        s.flush()
        for cam_id, state in (("TC-001", "offline"), ("TC-002", "streaming")):
            s.add(
                StreamEvent(camera_id=cam_id, stream="main", at_us=now - 60 * US_PER_S,
                            state=state, reason="connection refused" if state == "offline" else "")
            )  # fmt: skip
        s.flush()
        camera_offline(s, "TC-001", now - 60 * US_PER_S, "connection refused", system.clock)
        system.users.create(s, UserSpec("aud1", "auditor", password=PASSWORD), Actor.system())
        create_hold(s, Actor.system(), "TC-002", now - 3600 * US_PER_S, now,
                    "CAD-4711", "assault outside the bank", "PC 123",
                    expires_us=now + 3 * US_PER_DAY, clock=system.clock)  # fmt: skip


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    system = build_system(Settings(mode="development", data_dir=tmp_path_factory.mktemp("c")))
    _seed(system)
    _prepare(system)
    try:
        with serve_app(system) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield Console(url, system, browser)
            browser.close()
    finally:
        system.close()


def test_dashboard_is_the_landing_page_and_links_each_alarm(console: Console) -> None:
    page = console.login("sup1")
    assert urlparse(page.url).path == "/dashboard"
    alarms = page.inner_text("#alarms")
    assert "TC-001" in alarms and "not recording (offline" in alarms
    assert "TC-002" not in alarms  # streaming
    assert "camera offline: connection refused" in alarms  # the recorder's fault
    assert "not record" in page.inner_text("#disk-alarm")  # no recorder in this process
    holds = page.inner_text("#expiring-holds")
    assert "CAD-4711" in holds and "TC-002" in holds
    assert "not signed on" in page.inner_text("#shift-state")
    reviews = page.inner_text("#reviews-due")
    assert "31/01/2020 (overdue)" in reviews and "TC-001" in reviews and "TC-002" not in reviews
    assert page.get_attribute(".camera-alarm a", "href") == "/gaps?camera=TC-001"
    assert page.get_attribute(".fault-alarm a", "href") == "/faults/1"
    # UK form whatever the browser's locale (this context is en-US, New York)
    first = page.inner_text("#expiring-holds td")
    day, month, rest = first.split("/", 2)
    assert len(day) == 2 and len(month) == 2 and rest[4] == " " and rest.endswith(("GMT", "BST"))
    # the favicon is served, so pages stop asking for a missing one
    icon = page.get_attribute("link[rel=icon]", "href")
    assert page.request.get(console.url + icon).status == 200


def test_shift_sign_on_daily_check_handover_and_acknowledgement(console: Console) -> None:
    page = console.login("op1", "/shift")
    page.click("text=Sign on")
    page.wait_for_selector("#handover_notes")
    # the check is pre-filled from the system's own figures
    assert page.input_value("#cameras_total") == "3"
    assert page.input_value("#cameras_online") == "1"
    assert "camera offline: connection refused" in page.input_value("#faults_found")
    assert "1" in page.inner_text("#check-faults")
    page.check("#police_link_ok")
    page.check("#radios_ok")
    page.check("#phone_ok")
    page.click("text=Record the daily check")
    page.wait_for_selector("#daily-check >> text=Done for")
    assert "police link OK" in page.inner_text("#daily-check")

    long_notes = "x" * 10_001
    page.fill("#handover_notes", long_notes)
    page.click("text=Sign off")
    error = page.wait_for_selector("#handover_notes-error")
    assert "at most 10000 characters" in error.inner_text()
    assert page.input_value("#handover_notes") == long_notes  # what was typed is kept
    page.fill("#handover_notes", "Camera TC-001 down, maintainer called")
    page.click("text=Sign off")
    page.wait_for_selector("text=You are not signed on.")

    other = console.login("op2", "/shift")
    assert "Camera TC-001 down" in other.inner_text("#handover")
    assert "nobody yet" in other.inner_text("#handover")
    other.click("text=I have read these notes")
    other.wait_for_selector("#handover >> text=op2 at")
    assert other.query_selector("text=I have read these notes") is None


def test_faults_report_acknowledge_note_fix_and_recorder_faults(console: Console) -> None:
    page = console.login("sup1", "/faults")
    # a fault the recorder opens appears by itself
    with console.system.db.session() as s:
        now = console.system.clock.now_us()
        opened = camera_offline(s, "TC-003", now, "no route to host", console.system.clock)
    page.reload()
    row = page.inner_text("#fault-rows")
    assert "camera offline: no route to host" in row and "recorder" in row

    page.fill("#camera", "TC-999")
    page.fill("#maintainer", "Acme CCTV Ltd")
    page.click("#report-fault button")
    assert "no camera 'TC-999'" in page.inner_text("#camera-error")
    assert "describe the fault" in page.inner_text("#summary-error")
    assert page.input_value("#maintainer") == "Acme CCTV Ltd"  # kept
    assert page.input_value("#camera") == "TC-999"

    page.fill("#camera", "TC-002")
    page.fill("#summary", "Dome cover misted")
    page.click("#report-fault button")
    page.wait_for_url(lambda u: urlparse(u).path.startswith("/faults/"))
    assert page.inner_text("#fault-state") == "open"
    page.fill("#maintainer_ref", "JOB-881")
    page.click("button:has-text('Acknowledge')")
    page.wait_for_selector("#fault-state >> text=acknowledged")
    assert "JOB-881" in page.inner_text("#fault-facts")
    page.click("button:has-text('Mark fixed')")  # empty: refused in the page
    assert "write it" in page.inner_text("#fix_note-error")
    page.fill("#note_text", "Engineer on site at 14:00")
    page.click("button:has-text('Add note')")
    page.wait_for_selector("#fault-events >> text=Engineer on site")
    page.fill("#fix_note", "Cover replaced")
    page.click("button:has-text('Mark fixed')")
    page.wait_for_selector("#fault-state >> text=fixed")
    assert "min" in page.inner_text("#time-to-repair")
    assert page.query_selector("#fix_note") is None
    page.goto(f"{console.url}/faults?status=fixed")
    assert "Dome cover misted" in page.inner_text("#fault-rows")
    page.goto(f"{console.url}/faults")  # unfixed: the recorder's fault is still there
    assert page.query_selector(f"#fault-rows a[href='/faults/{opened.id}']") is not None


def test_visitor_signs_in_with_the_declaration_and_out(console: Console) -> None:
    page = console.login("op1", "/visitors")
    page.fill("#name", "DC Jane Smith")
    page.fill("#organisation", "County Police")
    page.fill("#purpose", "View footage for CAD-4711")
    page.check("#police")
    page.click("#visitor-in button")
    assert "accept the declaration" in page.inner_text("#declaration-error")
    assert page.input_value("#name") == "DC Jane Smith"
    assert page.is_checked("#police")
    page.check("#declaration")
    page.click("#visitor-in button")
    page.wait_for_selector("#on-site >> text=DC Jane Smith")
    assert "(police)" in page.inner_text("#on-site")
    form = page.locator("form[id^=viewed-form-]")
    form.locator("input[name=camera]").fill("TC-404")
    form.locator("input[name=note]").fill("north side")
    form.locator("button").click()
    assert "no camera 'TC-404'" in page.inner_text(".field-error")
    form = page.locator("form[id^=viewed-form-]")
    assert form.locator("input[name=note]").input_value() == "north side"  # kept
    form.locator("input[name=camera]").fill("TC-002")
    form.locator("button").click()
    page.wait_for_selector("#recent-visits >> text=TC-002 (north side)")
    page.click("button[aria-label='Sign out DC Jane Smith']")
    page.wait_for_selector("#on-site >> text=Nobody is signed in")
    assert "County Police" in page.inner_text("#recent-visits")


def test_holds_search_and_supervisor_release_with_reason(console: Console) -> None:
    system = console.system
    sup = _principals(system)["supervisor"]
    now = system.clock.now_us()
    with system.db.session() as s:
        inc = system.incidents.create(s, sup, IncidentDraft("asb", Source.OPERATOR, "fight"))
        system.incidents.mark_cameras(s, sup, inc.ref, ["TC-001"], now - 600 * US_PER_S, now)
        ref = inc.ref
    op = console.login("op1", f"/holds?q={ref}")
    assert ref in op.inner_text("#hold-rows")
    assert op.query_selector("#hold-rows form") is None  # operators do not release

    page = console.login("sup1", "/holds?q=cad-4711")
    rows = page.inner_text("#hold-rows")
    assert "assault outside the bank" in rows and "PC 123" in rows and "system" in rows
    assert ref not in rows
    page.fill("#q", ref)
    page.click("button:has-text('Search')")
    page.wait_for_selector(f"#hold-rows a[href='/incidents/{ref}']")
    page.click("#hold-rows button:has-text('Release')")  # no reason: refused in the page
    error = page.wait_for_selector(".field-error")
    assert "say why" in error.inner_text()
    page.fill("#hold-rows input[name=reason]", "NFA by police")
    page.click("#hold-rows button:has-text('Release')")
    page.wait_for_url(lambda u: "state=released" in u)
    assert "NFA by police" in page.inner_text("#hold-rows")
    page.goto(f"{console.url}/incidents/{ref}")
    assert "NFA by police" in page.inner_text("main")  # released through the incident


def test_gap_report_for_a_camera_and_day(console: Console) -> None:
    d0 = date_to_us(date(2026, 7, 1))
    with console.system.db.session() as s:
        s.add(init_row(901))
        s.flush()
        s.add(StreamEvent(camera_id="TC-003", stream="main", at_us=d0 - 60 * US_PER_S,
                          state="streaming", reason=""))  # fmt: skip
        s.add(segment_row(camera_id="TC-003", init_id=901, start_us=d0, path="g1",
                          end_us=d0 + 3600 * US_PER_S))  # fmt: skip
        s.add(StreamEvent(camera_id="TC-003", stream="main", at_us=d0 + 3600 * US_PER_S,
                          state="offline", reason="connection refused"))  # fmt: skip
    page = console.login("op1", "/gaps")
    page.select_option("#camera", "TC-003")
    page.fill("#day", "1/7/2026")
    page.click("#gap-form button")
    page.wait_for_selector("#gap-summary")
    assert "1 h 00 min" in page.inner_text("#gap-summary")
    rows = page.inner_text("#gap-rows")
    assert "gap: camera offline: connection refused" in rows
    assert "01/07/2026 01:00:00 BST" in rows  # London time, UK form
    page.fill("#day", "2026-07-01")
    page.click("#gap-form button")
    assert "use dd/mm/yyyy" in page.inner_text("#day-error")
    assert page.input_value("#day") == "2026-07-01"


def test_audit_trail_filters_exports_csv_and_shows_the_chain_state(console: Console) -> None:
    with console.system.db.session() as s:
        record(s, Actor.system(), "camera.focus_check", "camera", "TC-002", "lens cleaned",
               {"camera": "TC-002"}, clock=console.system.clock)  # fmt: skip
    page = console.login("aud1", "/audit")
    state = page.wait_for_selector("#chain-state")
    assert state.inner_text() == "chain intact"
    page.fill("input[name=action]", "camera.focus")
    page.fill("input[name=subject]", "TC-002")
    page.click("#audit-filter button")
    page.wait_for_url(lambda u: "subject=TC-002" in u)
    rows = page.query_selector_all("#audit-rows tr")
    assert len(rows) == 2  # header and the one entry
    assert "lens cleaned" in page.inner_text("#audit-rows")
    csv_href = page.get_attribute("#csv-link", "href")
    body = page.request.get(console.url + csv_href).text()
    lines = body.strip().splitlines()
    assert lines[0].startswith("seq,utc,london,user,action")
    assert len(lines) == 2 and "camera.focus_check" in lines[1] and "lens cleaned" in lines[1]

    page.fill("#time_from", "31/02/2026")
    page.click("#audit-filter button")
    assert "use dd/mm/yyyy hh:mm" in page.inner_text("#time_from-error")
    assert page.input_value("#time_from") == "31/02/2026"
    assert page.query_selector("#csv-link") is None

    op = console.login("op1", "/audit")  # not for operators
    assert op.request.get(console.url + "/audit").status == 403
    op.goto(f"{console.url}/dashboard")  # camera reviews are for supervisory roles
    assert op.query_selector("#open-incidents") is not None
    assert op.query_selector("#reviews-due") is None
