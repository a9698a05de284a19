"""The register, user and health pages over HTTP: who may see and change what, a hidden
camera answers 404, credentials never leave, a refused form keeps its input."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.foundation.helpers import add_user, load_small_register
from tests.foundation.test_web import login
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera
from watchkeeper.system import System
from watchkeeper.web.app import create_app


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    load_small_register(system)
    add_user(system, "ada", Role.ADMIN)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
    with TestClient(create_app(system)) as c:
        yield c


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error field-error" id="([\w-]+)-error"', html)


def test_register_page_visibility_and_rights(client: TestClient, system: System) -> None:
    login(client, "acme-viewer")
    assert client.get("/cameras/RP-001").status_code == 200  # its client's camera
    assert client.get("/cameras/TC-001").status_code == 404  # the council's: hidden
    assert client.get("/cameras/NOPE").status_code == 404
    assert client.get("/api/health/cameras").status_code == 403
    login(client, "olive")
    page = client.get("/cameras/TC-001")
    assert page.status_code == 200 and "s3cret" not in page.text and "***@10.0.0.1" in page.text
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = client.post("/cameras/TC-001", data={"csrf_token": csrf, "name": "x"})
    assert refused.status_code == 403
    health = client.get("/api/health/cameras", params={"camera": "TC-002"})
    assert [r["camera_id"] for r in health.json()] == ["TC-002"]


def test_register_form_keeps_input_and_maps_refusals_to_fields(
    client: TestClient, system: System
) -> None:
    csrf = login(client, "ada")
    form = {
        "csrf_token": csrf,
        "name": "Bus station",
        "kind": "fixed",
        "area_id": "tc-high",
        "owner": "council",
        "main_url": "http://wrong/scheme",
        "rtsp_transport": "tcp",
        "retention_days": "abc",
        "status": "planned",
        "last_review": "01/06/2026",
        "next_review": "01/01/2026",
        "latitude": "95",
        "reason": "survey",
    }
    page = client.post("/cameras/TC-002", data=form)
    assert page.status_code == 422
    assert set(_errors(page.text)) >= {"retention_days", "next_review"}
    form.update(retention_days="31", next_review="01/06/2027")
    page = client.post("/cameras/TC-002", data=form)
    assert page.status_code == 422 and set(_errors(page.text)) == {"main_url", "latitude"}
    assert 'value="Bus station"' in page.text
    with system.db.session() as s:
        cam = s.get(Camera, "TC-002")
        assert cam is not None and cam.main_url == "" and cam.last_review is None  # unchanged


def test_an_administrator_cannot_disable_themselves(client: TestClient) -> None:
    csrf = login(client, "ada")
    page = client.post("/users/ada/disable", data={"csrf_token": csrf, "disable_reason": "x"})
    assert page.status_code == 422 and "your own account" in page.text
    assert client.get("/users/ada").status_code == 200  # still logged in


def test_a_wrong_current_password_is_refused_and_its_audit_row_stays(
    client: TestClient, system: System
) -> None:
    """A refused form rolls back its request, except the audit row of a refused attempt."""
    from sqlalchemy import func, select

    from watchkeeper.audit.models import AuditEntry

    def refusals() -> int:
        with system.db.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.action == "user.password_change_refused")
                )
                or 0
            )

    csrf = login(client, "olive")
    before = refusals()
    page = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "not-my-password",
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
        },
    )
    assert page.status_code == 422 and "current password is not right" in page.text
    assert refusals() == before + 1
