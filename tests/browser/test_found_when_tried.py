"""Issue 13's "found when tried" list, each tried again in Chromium as an operator would:
form errors beside their field with the input kept, no preset category or source, labels
rather than stored values, the radio channel kept, screens linked to each other, no
missing favicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_rig import Console, console, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Console]:
    with console(tmp_path, live=False) as con:
        yield con


def field_error(page: Any, name: str) -> str:
    return str(page.inner_text(f"#{name}-error"))


def test_incident_form_errors_stay_on_the_page(rig: Console, browser_page: Any) -> None:
    page = browser_page
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, rig, "olive")
    page.goto(rig.url + "/incidents/new")
    # No preset: the operator must choose both.
    assert page.input_value("#category_id") == "" and page.input_value("#source") == ""
    assert "Shopwatch" in page.inner_text("#source")  # labels, not stored values
    page.select_option("#category_id", label="Theft and shoplifting")
    page.select_option("#source", label="Shopwatch member")
    page.fill("#summary", "x" * 10_000)
    page.fill("#camera", "NO-SUCH-CAM")
    page.fill("#location", "Outside Boots")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#summary-error")
    assert "too long" in field_error(page, "summary")
    assert page.input_value("#location") == "Outside Boots"  # what was typed is kept
    assert page.input_value("#category_id") != ""
    assert "{" not in page.inner_text("main")  # no raw JSON
    # Only spaces is no description; the unknown camera is named beside its field.
    page.fill("#summary", "     ")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#summary-error")
    assert "describe" in field_error(page, "summary")
    page.fill("#summary", "Two males took razors")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#camera-error")
    assert "NO-SUCH-CAM" in field_error(page, "camera")
    page.fill("#camera", "TC-003")
    page.click("#incident-form button[type=submit]")
    page.wait_for_url(re.compile(r"/incidents/\d{4}-\d+$"))
    ref = page.url.rsplit("/", 1)[1]
    text = page.inner_text("main")
    assert "Shopwatch" in text and "shopwatch" not in text

    # The held footage links to playback at its span.
    link = page.locator("a.to-playback").first
    href = link.get_attribute("href") or ""
    assert re.search(r"/playback\?camera=TC-003&at=\d+&until=\d+", href)
    # Marking footage: an end before the start, and an end in 2099, are refused in place.
    form = page.locator("form[action$='/cameras']")
    form.locator("input[name=camera]").fill("TC-004")
    form.locator("input[name=start]").fill("01/12/2026 10:00")
    form.locator("input[name=end]").fill("01/12/2026 09:00")
    form.locator("button").click()
    page.wait_for_selector("#end-error")
    assert "end after it starts" in field_error(page, "end")
    assert page.locator("form[action$='/cameras'] input[name=camera]").input_value() == "TC-004"
    form = page.locator("form[action$='/cameras']")
    form.locator("input[name=start]").fill("01/01/2099 10:00")
    form.locator("input[name=end]").fill("01/01/2099 11:00")
    form.locator("button").click()
    page.wait_for_selector("#end-error")
    assert "24 hours" in field_error(page, "end")
    # Playback opens at the held span.
    page.goto(rig.url + href)
    assert page.input_value("#pb-time") != ""
    assert page.input_value("#pb-cameras") == "TC-003"

    # A bad date in the list's URL: the list page, the error beside the date field.
    page.goto(rig.url + "/incidents?date_from=2026-13-45")
    assert "not a date" in field_error(page, "date_from")
    assert page.input_value("input[name=date_from]") == "2026-13-45"
    page.goto(rig.url + "/incidents?date_from=01/12/2026")  # UK form works
    assert ref in page.inner_text("#incident-rows") or "No incidents" in page.inner_text(
        "#incident-rows"
    )
    assert not [u for u in missing if "favicon" in u]


def test_radio_form_keeps_its_channel_and_links_its_incident(
    rig: Console, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, rig, "olive")
    page.goto(rig.url + "/radio")
    page.select_option("select[name=channel]", "shopwatch")
    page.fill("input[name=caller]", "Boots")
    page.fill("input[name=message]", "   ")
    page.click("form.quick button")
    page.wait_for_selector("#message-error")
    assert "empty" in field_error(page, "message")
    assert page.input_value("input[name=caller]") == "Boots"
    page.fill("input[name=message]", "Male in grey hoodie leaving with razors")
    page.click("form.quick button")
    page.wait_for_url(lambda u: u.endswith("/radio"))
    page.wait_for_selector("table.radio td:has-text('grey hoodie')")
    assert page.input_value("select[name=channel]") == "shopwatch"  # kept for the next call
    assert "Shopwatch" in page.inner_text("table.radio")
    # Converted to an incident: the row links to it.
    row = page.locator("table.radio tr", has_text="grey hoodie")
    row.locator("select[name=category_id]").select_option(label="Theft and shoplifting")
    row.locator("button").click()
    page.wait_for_url(re.compile(r"/incidents/\d{4}-\d+$"))
    ref = page.url.rsplit("/", 1)[1]
    page.goto(rig.url + "/radio")
    page.click(f"table.radio a[href='/incidents/{ref}']")
    page.wait_for_url(re.compile(f"/incidents/{ref}$"))


def test_a_camera_row_opens_the_wall_playback_and_a_new_incident(
    rig: Console, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, rig, "olive")
    page.goto(rig.url + "/cameras?q=TC-005")
    row = page.locator("tr[data-camera='TC-005']")
    assert row.locator("a", has_text="Playback").get_attribute("href") == "/playback?camera=TC-005"
    row.locator("a", has_text="New incident").click()
    page.wait_for_url(lambda u: "/incidents/new" in u)
    assert page.input_value("#camera") == "TC-005"
    page.go_back()
    page.locator("tr[data-camera='TC-005'] a", has_text="Wall").click()
    page.wait_for_url(lambda u: u.endswith("/wall"))
    page.wait_for_selector("#wall wk-live-tile[camera='TC-005']")
