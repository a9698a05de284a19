"""Supervisor and administrator screens in Chromium, each doing its main task end to end:
camera health with the alarm banner, the camera register's edit form, users (create, edit,
reset, disable), one's own password, and hold reminders with an open incident's hold
extended by itself.

One server (recording one camera from a looped clip, its disk reporting 12 % free) and
one browser per module; each test logs in in its own browser context.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.clips import make_clip
from tests.conftest import need_service
from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.config.settings import Settings
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import RecordingHold
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.retention import DiskUsage
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Source
from watchkeeper.system import System, build_system, keep_incident_holds
from watchkeeper.timeutil import US_PER_DAY, US_PER_S, SystemClock

pytestmark = pytest.mark.browser
GB = 1_000_000_000
ROW_CAMERAS = "rows => rows.map(r => r.dataset.camera)"


@dataclass
class Console:
    url: str
    system: System
    browser: Any
    incident_ref: str

    def login(self, username: str, password: str = PASSWORD, path: str = "/") -> Any:
        page = self.browser.new_context(locale="en-US", timezone_id="America/New_York").new_page()
        page.goto(f"{self.url}/login?next={path}")
        page.fill("#username", username)
        page.fill("#password", password)
        page.press("#password", "Enter")
        page.wait_for_url(lambda u: "/login" not in u)
        return page


def _prepare(system: System) -> str:
    """Users; a plain hold lapsing in 9 days; an open incident whose hold lapses in 2."""
    for name, role in (
        ("sue", Role.SUPERVISOR),
        ("sam", Role.SUPERVISOR),
        ("mia", Role.MANAGER),
        ("ada", Role.ADMIN),
        ("olive", Role.OPERATOR),
    ):
        add_user(system, name, role)
    now = system.clock.now_us()
    with system.db.session() as s:
        create_hold(s, ROOT, "TC-002", now - 3600 * US_PER_S, now, "CAD-77", "theft from a car",
                    "PC 4410", expires_us=now + 9 * US_PER_DAY, clock=system.clock)  # fmt: skip
        sue = system.users.get(s, "sue")
        who = Principal(sue.id, "sue", Role.SUPERVISOR)
        draft = IncidentDraft(category_id="violence", source=Source.POLICE, summary="fight")
        ref = system.incidents.create(s, who, draft).ref
        system.incidents.mark_cameras(s, who, ref, ["TC-001"], now - 600 * US_PER_S, now)
        s.flush()
        # as if the hold had been placed long ago: it lapses in two days
        for hold in s.scalars(select(RecordingHold).where(RecordingHold.reference == ref)):
            hold.expires_us = now + 2 * US_PER_DAY
    return ref


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("console-admin")
    settings = Settings(mode="development", data_dir=tmp / "data", hold_reminder_days=10)
    system = build_system(settings)
    load_small_register(system)
    ref = _prepare(system)
    clip = make_clip(tmp / "clip.ts", 4, "320x240")
    clock = SystemClock()
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(segment_seconds=2, fsync_each_fragment=False),
        clock,
        file_opener(clock, realtime=True, loops=1000),
        disk_usage=lambda _path: DiskUsage(100 * GB, 88 * GB, 12 * GB),  # warn: 12 % free
    )
    recorder.start([StreamPlan(StreamKey("RP-001", "main"), str(clip))])
    system.recorder = recorder
    try:
        with serve_app(system) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield Console(url, system, browser, ref)
            browser.close()
    finally:
        system.close()


def _health(page: Any, url: str) -> dict[str, Any]:
    reply = page.request.get(url + "/api/health/cameras")
    assert reply.status == 200
    return {row["camera_id"]: row for row in reply.json()}


def test_camera_health_flags_a_camera_not_recording_and_alarms_show_on_every_page(
    console: Console,
) -> None:
    page = console.login("sue")
    deadline = time.monotonic() + 30
    while not _health(page, console.url)["RP-001"]["recording"]:  # a first segment indexed
        assert time.monotonic() < deadline, "RP-001 never recorded"
        page.wait_for_timeout(250)
    page.reload()
    banner = page.inner_text("#system-alarms")
    assert "disk warn: 12.0% free" in banner
    assert "TC-001 (never seen)" in banner and "RP-001" not in banner
    page.goto(console.url + "/radio")  # every page, not only the dashboard
    assert "TC-001" in page.inner_text("#system-alarms")

    page.goto(console.url + "/cameras")
    page.click("#health-link")
    page.wait_for_url("**/health/cameras")
    assert "12.0% free" in page.inner_text("#disk-health")
    assert page.inner_text("#flagged-count") == "1"
    rp = page.locator("tr[data-camera='RP-001'][data-stream='main']")
    assert rp.locator("td.state").inner_text().startswith("streaming since")
    fps = float(rp.locator("td.fps").inner_text())
    assert 5 < fps < 25
    tc = page.locator("tr[data-camera='TC-001']")
    assert "Not recording: main stream never reported" in tc.inner_text()
    assert page.locator("tr[data-camera='TC-002'] .not-recording").count() == 0  # planned

    page.select_option("select[name=state]", "not recording")
    page.click("form.filters button")
    page.wait_for_url("**state=not+recording**")
    cams = page.eval_on_selector_all(
        "#camera-health tbody tr", "rs => rs.map(r => r.dataset.camera)"
    )
    assert cams == ["TC-001"]
    page.select_option("select[name=state]", "all")
    page.select_option("select[name=area]", "Retail Park / Car park")
    page.click("form.filters button")
    page.wait_for_url("**area=Retail**")
    cams = page.eval_on_selector_all(
        "#camera-health tbody tr", "rs => rs.map(r => r.dataset.camera)"
    )
    assert cams == ["RP-001"]

    rows = _health(page, console.url)
    main = rows["RP-001"]["streams"][0]
    assert (main["state"], main["source"], rows["RP-001"]["flag"]) == ("streaming", "recorder", "")
    assert main["days"][-1]["recorded_s"] > 0 and len(main["days"]) == 7
    assert rows["TC-001"]["recording"] is False and rows["TC-001"]["flag"]

    operator = console.login("olive")  # operators see health, not the supervisors' banner
    assert operator.locator("#system-alarms").count() == 0
    operator.goto(console.url + "/health/cameras")
    assert operator.locator("tr[data-camera='TC-001'] .not-recording").count() == 1


def test_camera_register_edit_refuses_activation_without_dpia_and_masks_credentials(
    console: Console,
) -> None:
    page = console.login("mia")
    page.goto(console.url + "/cameras")
    page.click("tr[data-camera='TC-002'] a")
    page.wait_for_url("**/cameras/TC-002")
    page.fill("#name", "Bus station east")
    page.select_option("#status", "active")
    page.fill("#reason", "going live")
    page.click("#camera-form button[type=submit]")
    assert "purpose" in page.inner_text("#purpose-error")
    assert "DPIA reference" in page.inner_text("#dpia_ref-error")
    assert "cannot be made active" in page.inner_text("#status-error")
    assert page.input_value("#name") == "Bus station east"  # what was typed is kept
    page.fill("#purpose", "Public safety at the bus station")
    page.fill("#dpia_ref", "DPIA-BS-2026")
    page.fill("#retention_days", "60")
    page.click("#camera-form button[type=submit]")
    assert "justification" in page.inner_text("#retention_justification-error")
    page.fill("#retention_justification", "Bus operator's complaints take up to 8 weeks")
    page.fill("#next_review", "01/06/2027")
    page.click("#camera-form button[type=submit]")
    page.wait_for_url("**/cameras/TC-002?saved=1")
    assert page.input_value("#next_review") == "01/06/2027"
    assert page.inner_text("h1 .status") == "active"
    with console.system.db.session() as s:
        cam = s.get(Camera, "TC-002")
        assert cam is not None
        assert (cam.status, cam.name, cam.retention_days) == (
            CameraStatus.ACTIVE,
            "Bus station east",
            60,
        )
        row = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "camera.update", AuditEntry.object_id == "TC-002")
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert row is not None and row.reason == "going live" and row.username == "mia"
        assert json.loads(row.details)["status"] == {"from": "planned", "to": "active"}

    page.goto(console.url + "/cameras/TC-001")
    assert page.input_value("#main_url") == "rtsp://***@10.0.0.1/main"
    assert "s3cret" not in page.content()
    page.fill("#main_url", "rtsp://admin:n3wpass@10.0.0.1/main")
    page.fill("#reason", "")
    page.click("#camera-form button[type=submit]")
    assert "say why" in page.inner_text("#reason-error")
    assert "n3wpass" not in page.content()  # never echoed back
    assert page.input_value("#main_url") == "rtsp://***@10.0.0.1/main"
    page.fill("#signage", "Two signs at the market entrance")
    page.fill("#reason", "signage survey")
    page.click("#camera-form button[type=submit]")
    page.wait_for_url("**/cameras/TC-001?saved=1")
    with console.system.db.session() as s:
        cam = s.get(Camera, "TC-001")
        assert cam is not None and cam.main_url == "rtsp://admin:s3cret@10.0.0.1/main"
        assert cam.signage == "Two signs at the market entrance"

    operator = console.login("olive", path="/cameras/TC-001")  # sees, cannot change
    assert operator.locator("#camera-form button[type=submit]").count() == 0
    assert operator.input_value("#dpia_ref") == "DPIA-TC"


def test_users_created_edited_reset_and_disabled_on_screen(console: Console) -> None:
    page = console.login("ada")
    page.goto(console.url + "/users")
    page.click("#new-user")
    page.fill("#username", "nina")
    page.fill("#full_name", "Nina Patel")
    page.select_option("#role", "operator")
    page.fill("#sia_number", "1111-2222-3333-4444")
    page.fill("#sia_expiry", "31/13/2027")
    page.select_option("#sia_status", "active")
    page.fill("#password", "short")
    page.click("#user-form button[type=submit]")
    assert "dd/mm/yyyy" in page.inner_text("#sia_expiry-error")
    assert "at least 10" in page.inner_text("#password-error")
    assert page.input_value("#full_name") == "Nina Patel"
    assert page.input_value("#password") == ""  # a password is never sent back
    page.fill("#sia_expiry", "31/12/2027")
    page.fill("#password", "first password 1")
    page.click("#user-form button[type=submit]")
    page.wait_for_url("**/users/nina?done=created")
    assert page.input_value("#sia_expiry") == "31/12/2027"

    nina = console.login("nina", "first password 1")
    with console.system.db.session() as s:
        token = console.system.users.issue_token(s, "nina", "radio bridge", ROOT)

    page.fill("#sia_checked_on", "01/12/2026")
    page.fill("#reason", "checked on the SIA register")
    page.click("#user-form button[type=submit]")
    page.wait_for_url("**/users/nina?done=saved")
    assert page.input_value("#sia_checked_on") == "01/12/2026"

    page.fill("#reset_reason", "forgot her password")
    page.click("#reset-form button[type=submit]")
    new_password = page.inner_text("#shown-password")
    assert len(new_password) >= 10 and "every session and API token" in page.inner_text("#done")
    nina.reload()
    assert urlparse(nina.url).path == "/login"  # her session ended
    with console.system.db.session() as s:
        assert console.system.users.principal_for_token(s, token) is None
    console.login("nina", new_password)

    page.goto(console.url + "/users/nina")
    page.click("#disable-form button[type=submit]")
    assert "say why" in page.inner_text("#disable_reason-error")
    page.fill("#disable_reason", "left the service")
    page.click("#disable-form button[type=submit]")
    page.wait_for_url("**/users/nina?done=disabled")
    assert "disabled: left the service" in page.inner_text("#can-log-in")
    page.goto(console.url + "/users")
    assert "No: disabled" in page.inner_text("tr[data-user='nina']")


def test_every_user_changes_their_own_password(console: Console) -> None:
    page = console.login("sam")
    other = console.login("sam")  # a second browser: ends when the password changes
    page.click("header a.who")
    page.wait_for_url("**/account")
    page.fill("#current_password", "not my password")
    page.fill("#new_password", "a brand new pass")
    page.fill("#confirm_password", "a brand new pass")
    page.click("#password-form button[type=submit]")
    assert "not right" in page.inner_text("#current_password-error")
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", "a brand new pass")
    page.fill("#confirm_password", "a brand new past")
    page.click("#password-form button[type=submit]")
    assert "differ" in page.inner_text("#confirm_password-error")
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", "a brand new pass")
    page.fill("#confirm_password", "a brand new pass")
    page.click("#password-form button[type=submit]")
    page.wait_for_url("**/account?done=password")
    page.goto(console.url + "/dashboard")  # this session goes on
    assert urlparse(page.url).path == "/dashboard"
    other.reload()
    assert urlparse(other.url).path == "/login"
    console.login("sam", "a brand new pass")


def test_hold_reminders_and_an_open_incidents_hold_extended(console: Console) -> None:
    page = console.login("mia")
    assert "Holds lapsing within 10 days" in page.content()  # configured, not 7
    assert "CAD-77" in page.inner_text("#expiring-holds")
    page.goto(console.url + "/holds")
    due = page.inner_text("#holds-due")
    assert "CAD-77" in due and console.incident_ref in due
    assert keep_incident_holds(console.system)  # what the recorder runs before each purge
    page.reload()
    due = page.inner_text("#holds-due")
    assert "CAD-77" in due and console.incident_ref not in due
    kept = page.locator("tr", has=page.locator(f"a:text('{console.incident_ref}')"))
    assert f"extended while incident {console.incident_ref} is open" in kept.inner_text()
    page.fill("#q", "PC 4410")  # search by who asked
    page.click("form.filters button")
    rows = page.locator("#hold-rows tr[id^=hold-]")
    assert rows.count() == 1 and "CAD-77" in rows.inner_text()
    page.fill("#q", "")
    page.select_option("select[name=state]", "lapsing soon")  # search by expiry
    page.click("form.filters button")
    page.wait_for_url("**state=lapsing+soon**")
    assert rows.count() == 1 and "CAD-77" in rows.inner_text()
    page.goto(console.url + "/audit?action=recording.hold.extend")
    trail = page.inner_text("main")
    assert console.incident_ref in trail and "still open" in trail
