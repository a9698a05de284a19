"""Playback as an operator uses it, in Chromium: opened from a link at a time, typed times
("now", "-5m", nonsense), plain messages instead of player internals, a day-bar click far
from the loaded time, the labelled axis, the buttons, the camera finder, a player that
fits a 1920x1080 screen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.console_rig import Console, console, log_in
from watchkeeper.recording.models import Segment

pytestmark = pytest.mark.browser

INTERNAL = ("manifestLoadError", "isoformat", "int_from_float", "levelEmptyError", "[object")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Console]:
    with console(tmp_path) as con:
        yield con


def first_segment(rig: Console) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with rig.system.db.session() as s:
            start = s.scalar(
                select(Segment.start_us)
                .where(Segment.camera_id == "RP-001", Segment.stream == "main")
                .order_by(Segment.start_us)
                .limit(1)
            )
        if start is not None:
            return int(start)
        time.sleep(0.5)
    raise AssertionError("no segment recorded within 60 s")


def status(page: Any) -> str:
    return str(page.inner_text("#pb-status"))


def test_playback_from_a_link_with_typed_times_and_plain_messages(
    rig: Console, browser_page: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    refused: list[int] = []
    page.on("response", lambda r: refused.append(r.status) if r.status == 422 else None)
    log_in(page, rig, "olive")
    at = first_segment(rig) + 2_000_000
    page.goto(f"{rig.url}/playback?camera=RP-001&at={at}")
    assert page.input_value("#pb-time").count("/") == 2  # UK form, filled in
    page.fill("#pb-reason", "browser test: playback from a link")
    page.click("#pb-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#pb-players video')?.dataset.ready === '1'", timeout=20_000
    )
    page.wait_for_function(  # a labelled time axis
        "() => document.querySelectorAll('#pb-axis span').length >= 4", timeout=10_000
    )
    assert ":" in page.inner_text("#pb-axis")
    video = page.locator("#pb-players video").bounding_box()
    assert video is not None and video["y"] + video["height"] <= 1080

    # Buttons: pause/play and step, a minute back.
    page.click("[data-pb=play]")
    page.click("[data-pb=fwd]")
    assert page.evaluate("() => document.querySelector('#pb-players video').paused")
    page.click("[data-pb=minus1m]")
    page.wait_for_timeout(1500)
    assert not any(word in status(page) for word in INTERNAL)

    # A click on the day bar far from the loaded time: no 422, a plain answer.
    bar = page.locator("#pb-timeline").bounding_box()
    assert bar is not None
    page.mouse.click(bar["x"] + bar["width"] * 0.03, bar["y"] + bar["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('#pb-status').textContent.length > 0", timeout=15_000
    )
    assert refused == []
    assert not any(word in status(page) for word in INTERNAL), status(page)

    # Typed times: nonsense is explained; "now" and "-5m" are understood.
    page.fill("#pb-time", "soon-ish")
    page.click("#pb-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#pb-status').textContent.includes('type a time like')",
        timeout=10_000,
    )
    for typed in ("-5m", "now"):
        page.fill("#pb-time", typed)
        page.evaluate("() => { document.querySelector('#pb-status').textContent = ''; }")
        page.click("#pb-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('#pb-players video') &&"
            " (document.querySelector('#pb-players video').dataset.ready"
            " || document.querySelector('#pb-status').textContent)",
            timeout=20_000,
        )
        assert "not a time" not in status(page)
        assert not any(word in status(page) for word in INTERNAL), status(page)

    # The camera finder narrows the list.
    page.fill("#pb-find", "row d")
    shown = page.locator("#pb-cameras option:not([hidden])").all_inner_texts()
    assert any(t.startswith("RP-002") for t in shown) and len(shown) <= 3
