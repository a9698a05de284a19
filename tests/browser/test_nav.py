"""The header's nav: a handful of groups that keep the header on one line, so the wall stays
whole on screen at 1366x768 and 1920x1080; each group opens by mouse or keyboard and reaches
its pages; the access keys still work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import NAV_GROUPS, nav_to
from tests.browser.console_rig import console, log_in

pytestmark = pytest.mark.browser

SIZES = ((1366, 768), (1920, 1080))
# Set to a folder to keep the screenshots (to look at them); by default they are not kept.
SHOTS = os.environ.get("WK_NAV_SHOTS", "")


def _on_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
        and box["y"] + box["height"] <= size["height"] + 1
    )


@pytest.mark.parametrize("who", ["olive", "sue"])
def test_header_is_one_line_and_the_wall_stays_on_screen(
    tmp_path: Path, browser_page: Any, who: str
) -> None:
    with console(tmp_path, live=False) as rig:
        page = browser_page
        log_in(page, rig, who)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(rig.url + "/wall")
            page.wait_for_selector("#wall")
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/wall-{who}-{width}x{height}.png")
            header = page.locator("header").bounding_box()
            assert header is not None and header["height"] < 60, f"header wraps at {width}"
            assert _on_screen(page, ".console"), f"the wall is cut off at {width}x{height}"
            assert _on_screen(page, "#wall")
            assert page.evaluate("() => document.scrollingElement.scrollHeight") <= height + 1
            # An open menu lies over the wall, inside the window.
            page.locator(f"{NAV_GROUPS} summary").first.click()
            assert _on_screen(page, "header details[open] .navmenu")
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/menu-{who}-{width}x{height}.png")
            page.keyboard.press("Escape")
            assert page.locator("header details[open]").count() == 0


def test_each_group_reaches_its_pages_by_mouse_and_keyboard(
    tmp_path: Path, browser_page: Any
) -> None:
    with console(tmp_path, live=False) as rig:
        page = browser_page
        log_in(page, rig, "sue")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(rig.url + "/dashboard")
        names = page.locator(f"{NAV_GROUPS} summary").all_inner_texts()
        assert names[:2] == ["Live", "Records"] and len(names) >= 4, names
        seen = 0
        for i, _ in enumerate(names):
            page.goto(rig.url + "/dashboard")
            group = page.locator(NAV_GROUPS).nth(i)
            hrefs = group.locator("a").evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")
            assert hrefs, f"group {names[i]} is empty"
            for href in hrefs:
                page.goto(rig.url + "/dashboard")
                group = page.locator(NAV_GROUPS).nth(i)
                assert not group.locator("a").first.is_visible(), "groups start closed"
                group.locator("summary").click()
                with page.expect_navigation():
                    group.locator(f"a[href='{href}']").click()
                assert page.url.split("?")[0].endswith(href), (names[i], href, page.url)
                assert page.title() and "Not Found" not in page.content()
                seen += 1
        assert seen >= 15

        # Keyboard: focus a group, Enter opens it, Tab reaches its first link, Enter follows.
        page.goto(rig.url + "/dashboard")
        page.locator(f"{NAV_GROUPS} summary").first.focus()
        page.keyboard.press("Enter")
        assert page.locator(f"{NAV_GROUPS}[open]").count() == 1
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert focused == "/cameras"
        page.keyboard.press("Escape")
        assert page.locator(f"{NAV_GROUPS}[open]").count() == 0
        assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
        # Opening one group closes the other; a click elsewhere closes it.
        page.locator(f"{NAV_GROUPS} summary").nth(0).click()
        page.locator(f"{NAV_GROUPS} summary").nth(1).click()
        assert page.locator(f"{NAV_GROUPS}[open] summary").all_inner_texts() == ["Records"]
        page.mouse.click(1300, 700)
        assert page.locator(f"{NAV_GROUPS}[open]").count() == 0
        # The access keys stay on links always shown, and the first header button logs out.
        page.keyboard.press("Alt+n")
        page.wait_for_url(lambda u: u.endswith("/incidents/new"))
        assert page.locator("header button").first.inner_text() == "Log out"
        nav_to(page, "Statistics")
        page.wait_for_url(lambda u: u.endswith("/statistics"))
