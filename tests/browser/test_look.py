"""The look in Chromium: dark by default, a remembered light theme, the keyboard help on
`?`, links at WCAG AA contrast (4.5:1) in both themes, no sideways scrolling at 1366x768
or 1920x1080, and UK dates whatever the browser's locale."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.console_rig import console, log_in
from tests.conftest import need_service

pytestmark = pytest.mark.browser

PAGES = (
    "/dashboard",
    "/cameras",
    "/incidents",
    "/incidents/new",
    "/radio",
    "/wall",
    "/map",
    "/playback",
)

# Each visible link's text colour and the first opaque background behind it.
COLOURS = """() => [...document.querySelectorAll('a')].filter((a) => a.offsetParent !== null
  && a.textContent.trim()).map((a) => {
    let el = a, bg = 'rgba(0, 0, 0, 0)';
    while (el) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') { bg = c; break; }
      el = el.parentElement;
    }
    if (!el) bg = getComputedStyle(document.documentElement).backgroundColor;
    return [a.textContent.trim().slice(0, 30), getComputedStyle(a).color, bg];
  })"""


def _luminance(css: str) -> float:
    r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", css)[:3])

    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_themes_help_and_contrast(tmp_path: Path, browser_page: Any) -> None:
    with console(tmp_path, live=False) as rig:
        page = browser_page
        log_in(page, rig, "sue")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(rig.url + "/dashboard")
        dark_bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert _luminance(dark_bg) < 0.05  # dark by default

        # The keyboard help on `?`, closed with Esc.
        page.keyboard.press("?")
        assert page.is_visible("#help")
        assert "Video wall" in page.inner_text("#help") and "Playback" in page.inner_text("#help")
        page.keyboard.press("Escape")
        assert page.is_hidden("#help")

        poor: list[tuple[str, str, str, str, float]] = []
        for theme in ("dark", "light"):
            if theme == "light":
                page.click("#theme-toggle")
                page.reload()  # remembered
                assert page.get_attribute("html", "data-theme") == "light"
                light_bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
                assert _luminance(light_bg) > 0.8
            for size in ((1366, 768), (1920, 1080)):
                page.set_viewport_size({"width": size[0], "height": size[1]})
                for path in PAGES:
                    page.goto(rig.url + path)
                    page.wait_for_load_state("load")
                    wide = page.evaluate(
                        "() => document.scrollingElement.scrollWidth - window.innerWidth"
                    )
                    assert wide <= 1, f"{path} scrolls sideways at {size} ({theme})"
                    for text, fg, bg in page.evaluate(COLOURS):
                        ratio = contrast(fg, bg)
                        if ratio < 4.5:
                            poor.append((theme, path, text, f"{fg} on {bg}", round(ratio, 2)))
        assert poor == []
        page.keyboard.press("t")  # back to dark
        assert page.get_attribute("html", "data-theme") is None


def test_uk_dates_whatever_the_browser_locale(tmp_path: Path) -> None:
    need_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with console(tmp_path, live=False) as rig, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", timezone_id="America/New_York")
        page = context.new_page()
        log_in(page, rig, "olive")
        page.goto(rig.url + "/radio")
        page.fill("input[name=caller]", "Delta 3")
        page.fill("input[name=message]", "Unit 3 at the market")
        page.press("input[name=message]", "Enter")
        page.wait_for_url(lambda u: u.endswith("/radio"))
        when = page.inner_text("table.radio tbody tr td")
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d (GMT|BST)", when), when
        # The wall's alert clock and playback's axis format in London time too.
        page.goto(rig.url + "/playback?camera=TC-001&at=1798761600000000")  # 01/01/2027 00:00 UTC
        assert page.input_value("#pb-time") == "01/01/2027 00:00:00"
        browser.close()
