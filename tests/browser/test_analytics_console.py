"""Analytics in the browser: motion on the playback timeline, the alert queue taking an
acknowledgement and making an incident (camera and span marked), motion search."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import serve_app
from tests.conftest import make_settings
from tests.foundation.helpers import add_user, load_small_register
from watchkeeper.analytics.models import Alert, AlertRule, AnalyticsZone, MotionSpanRow
from watchkeeper.auth.roles import Role
from watchkeeper.records.incident_models import Incident, IncidentCamera
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_S, FakeClock, SystemClock, format_local

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "playback"))
from pb_media import record

from tests.clips import make_clip, need_tool

pytestmark = pytest.mark.browser
CAM = "TC-001"


@dataclass
class Console:
    url: str
    system: System
    t0: int
    alerts: tuple[int, int]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    need_tool("ffmpeg")
    system = build_system(make_settings(tmp_path / "data"))
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    t0 = (SystemClock().now_us() // US_PER_S - 3600) * US_PER_S
    record(system, FakeClock(t0), make_clip(tmp_path / "clip.ts", 6, "320x240"), CAM)
    with system.db.session() as s:
        s.add(
            MotionSpanRow(
                camera_id=CAM,
                zone="door",
                start_us=t0 + 1 * US_PER_S,
                end_us=t0 + 4 * US_PER_S,
                peak=0.2,
                peak_us=t0 + 2 * US_PER_S,
            )
        )
        rule = AlertRule(
            name="Car park closed",
            camera_id=CAM,
            zone="door",
            object="motion",
            start_min=23 * 60,
            end_min=6 * 60,
            loiter_s=0,
            cooldown_s=60,
            active=True,
            updated_us=t0,
            updated_by="test",
        )
        s.add(rule)
        s.flush()
        ids = []
        for k in (1, 2):
            a = Alert(
                rule_id=rule.id,
                rule_name=rule.name,
                camera_id=CAM,
                zone="door",
                object="motion",
                start_us=t0 + k * US_PER_S,
                end_us=t0 + (k + 3) * US_PER_S,
                raised_us=t0 + (k + 1) * US_PER_S,
                status="open",
            )
            s.add(a)
            s.flush()
            ids.append(a.id)
    try:
        with serve_app(system) as url:
            yield Console(url, system, t0, (ids[0], ids[1]))
    finally:
        system.close()


def log_in(page: Any, c: Console, username: str = "olive") -> None:
    with c.system.db.session() as s:
        token = c.system.users.open_session(s, c.system.users.get(s, username))
    page.context.add_cookies([{"name": "wk_session", "value": token, "url": c.url}])


def test_playback_timeline_shows_motion(console: Console, browser_page: Any) -> None:
    page = browser_page
    log_in(page, console)
    page.goto(console.url + f"/playback?camera={CAM}")
    page.fill("#pb-time", format_local(console.t0 + 2 * US_PER_S).rsplit(" ", 1)[0])
    page.fill("#pb-reason", "browser test: motion on the timeline")
    page.click("#pb-form button[type=submit]")
    page.wait_for_selector("#pb-motion .motion", state="attached", timeout=15_000)
    assert page.locator("#pb-motion .motion").count() >= 1
    # the strip covers the span's place on the day bar (a day wide: a sliver, at least 2 px)
    box = page.locator("#pb-motion .motion").first.bounding_box()
    assert box is not None and box["width"] >= 1


def test_alert_queue_acknowledges_and_makes_an_incident(
    console: Console, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, console)
    first, second = console.alerts
    page.goto(console.url + "/alerts")
    row = page.locator(f"#alert-{first}")
    row.locator("button", has_text="Acknowledge").click()  # no note: refused next to it
    page.wait_for_selector(f"#note-{first}-error", timeout=10_000)
    page.locator(f"#alert-{first} input[name=note]").fill("checked the car park: a fox")
    page.locator(f"#alert-{first} button", has_text="Acknowledge").click()
    page.wait_for_url(console.url + "/alerts")
    assert page.locator(f"#alert-{first}").count() == 0  # no longer open
    page.locator(f"#alert-{second} button", has_text="Make incident").click()
    page.wait_for_url(lambda u: "/incidents/" in u, timeout=15_000)
    assert CAM in page.inner_text("main")
    with console.system.db.session() as s:
        a1, a2 = s.get(Alert, first), s.get(Alert, second)
        assert a1 is not None and a2 is not None
        assert (a1.status, a1.ack_by, a1.note) == (
            "acknowledged",
            "olive",
            "checked the car park: a fox",
        )
        assert a2.status == "incident" and a2.incident_ref
        inc = s.scalar(select(Incident).where(Incident.ref == a2.incident_ref))
        assert inc is not None
        marked = s.scalars(select(IncidentCamera).where(IncidentCamera.incident_id == inc.id)).all()
        assert [m.camera_id for m in marked] == [CAM]
        assert marked[0].start_us <= a2.start_us and marked[0].end_us >= a2.end_us
        assert marked[0].hold_id is not None


def test_motion_search_answers_with_thumbnails(console: Console, browser_page: Any) -> None:
    page = browser_page
    log_in(page, console)
    page.goto(console.url + "/motion")
    page.select_option("#camera", [CAM])
    page.fill("#start", format_local(console.t0 - 60 * US_PER_S).rsplit(" ", 1)[0])
    page.fill("#end", format_local(console.t0 + 600 * US_PER_S).rsplit(" ", 1)[0])
    page.click("#motion-form button[type=submit]")  # no reason: refused
    page.wait_for_selector("#reason-error")
    page.fill("#reason", "browser test: what moved")
    page.fill("#zone", "door")
    page.click("#motion-form button[type=submit]")
    page.wait_for_selector("#motion-hits .motion-hit")
    assert CAM in page.inner_text("#motion-hits")


def test_zone_drawn_on_the_picture_and_a_rule_set(console: Console, browser_page: Any) -> None:
    page = browser_page
    add_user(console.system, "sue", Role.SUPERVISOR)
    log_in(page, console, "sue")
    page.goto(console.url + "/analytics")
    page.click(f"#analytics-cameras a:text('{CAM}')")
    page.wait_for_url(lambda u: u.endswith(f"/analytics/cameras/{CAM}"))
    page.click("#zone-form button[type=submit]")  # nothing drawn: refused next to the field
    page.wait_for_selector("#points-error")
    box = page.locator("#zone-drawing").bounding_box()
    assert box is not None
    for fx, fy in ((0.1, 0.5), (0.5, 0.5), (0.5, 0.95), (0.1, 0.95)):
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    assert page.get_attribute("#zone-editor", "data-corners") == "4"
    page.fill("#zone-name", "bays")
    page.fill("#zone-sensitivity", "1")
    page.click("#zone-form button[type=submit]")
    page.wait_for_selector("#zone-rows td:text('bays')")
    page.fill("#rule_name", "Bays closed at night")
    page.select_option("#zone", "bays")
    page.select_option("#object", "person")
    page.fill("#start", "23:00")
    page.fill("#end", "06:00")
    page.fill("#loiter_s", "30")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector("#rule-rows td:text('Bays closed at night')")
    assert "23:00\u201306:00" in page.inner_text("#rule-rows")
    with console.system.db.session() as s:
        zone = s.scalar(select(AnalyticsZone).where(AnalyticsZone.name == "bays"))
        assert zone is not None and zone.kind == "zone" and abs(zone.sensitivity - 0.01) < 1e-9
        pts = json.loads(zone.points)
        assert len(pts) == 4 and all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pts)
        rule = s.scalar(select(AlertRule).where(AlertRule.name == "Bays closed at night"))
        assert rule is not None
        assert (rule.zone, rule.object, rule.start_min, rule.end_min, rule.loiter_s) == (
            "bays",
            "person",
            23 * 60,
            6 * 60,
            30,
        )


def test_wall_flashes_the_camera_with_an_open_alert(console: Console, browser_page: Any) -> None:
    page = browser_page
    log_in(page, console)
    page.goto(console.url + "/wall")
    page.wait_for_selector(f"li[data-camera='{CAM}'].alert-flash", timeout=15_000)
    assert page.locator("li.alert-flash").count() == 1  # only the camera with alerts
