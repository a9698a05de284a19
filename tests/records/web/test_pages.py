"""The screens as plain forms (no htmx): log in by cookie, post with the CSRF field."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from watchkeeper.recording.models import RecordingHold
from watchkeeper.web.app import create_app

from ..conftest import PASSWORD, World


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    done = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    form = client.get("/incidents/new" if username.startswith("op") else "/radio")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return token.group(1)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as c:
        yield c


def test_operator_uses_the_screens_without_htmx(client: TestClient) -> None:
    csrf = _login(client, "op1")
    form = {
        "category_id": "asb",
        "source": "operator",
        "summary": "youths on bus shelter roof",
        "location": "Bus station",
        "camera": "TC-005",
        "csrf_token": csrf,
    }
    assert client.post("/incidents/new", data={**form, "csrf_token": "wrong"}).status_code == 403
    made = client.post("/incidents/new", data=form, follow_redirects=False)
    assert made.status_code == 303
    ref = made.headers["location"].rsplit("/", 1)[1]
    client.post(f"/incidents/{ref}/entries", data={"text": "PCSOs sent", "csrf_token": csrf})
    view = client.get(f"/incidents/{ref}")
    assert "youths on bus shelter roof" in view.text and "PCSOs sent" in view.text
    assert "TC-005" in view.text
    closed = client.post(
        f"/incidents/{ref}/close",
        data={"outcome": ["monitored", "no_further_action"], "csrf_token": csrf},
    )
    assert "The record is locked" in closed.text
    found = client.get("/incidents", params={"q": "shelter", "category": "asb"})
    assert f"/incidents/{ref}" in found.text and "<form" in found.text
    partial = client.get("/incidents", params={"q": "shelter"}, headers={"HX-Request": "true"})
    assert "<form" not in partial.text and ref in partial.text


def test_radio_screen_logs_and_converts(client: TestClient) -> None:
    csrf = _login(client, "op1")
    client.post(
        "/radio",
        data={
            "channel": "airwave",
            "caller": "Tango 21",
            "message": "RTC at the lights",
            "csrf_token": csrf,
        },
    )
    page = client.get("/radio")
    assert "RTC at the lights" in page.text
    entry = re.search(r'action="/radio/(\d+)/incident"', page.text)
    assert entry is not None
    made = client.post(
        f"/radio/{entry.group(1)}/incident", data={"category_id": "rtc", "csrf_token": csrf}
    )
    assert "Road traffic collision" in made.text and "RTC at the lights" in made.text


def test_partner_member_screen_shows_only_its_calls(client: TestClient, world: World) -> None:
    from watchkeeper.records.vocab import Channel

    with world.session() as s:
        world.system.radio.add(s, world.partner2, Channel.SHOPWATCH, "", "other shop's call")
    csrf = _login(client, "shop1")
    client.post(
        "/radio", data={"channel": "shopwatch", "message": "my own call", "csrf_token": csrf}
    )
    page = client.get("/radio")
    assert "my own call" in page.text
    assert "other shop" not in page.text
    assert "New incident" not in page.text
    assert client.get("/incidents").status_code == 403


def test_supervisor_marks_and_releases_footage_on_screen(client: TestClient, world: World) -> None:
    csrf = _login(client, "sup1")
    made = client.post(
        "/incidents/new",
        data={"category_id": "fire", "source": "alarm", "summary": "bin fire", "csrf_token": csrf},
        follow_redirects=False,
    )
    ref = made.headers["location"].rsplit("/", 1)[1]
    view = client.get(f"/incidents/{ref}")
    start = re.search(r'name="start"[^>]*value="([^"]+)"', view.text)
    assert start is not None
    marked = client.post(
        f"/incidents/{ref}/cameras",
        data={
            "camera": "TC-002",
            "start": start.group(1),
            "end": "2026-01-01T00:30",
            "csrf_token": csrf,
        },
    )
    assert "Release hold" in marked.text
    with world.session() as s:
        hold = s.scalars(select(RecordingHold)).one()
    assert hold.reference == ref and hold.camera_id == "TC-002"
    hold_id = str(hold.id)
    done = client.post(
        f"/incidents/{ref}/holds/{hold_id}/release",
        data={"reason": "fire service need none", "csrf_token": csrf},
    )
    assert "fire service need none" in done.text
    assert "Release hold" not in done.text
