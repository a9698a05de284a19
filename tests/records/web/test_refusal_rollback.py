"""A form refused by its service leaves the database as it found it.

The request's session commits when the handler returns; a page answering with a refusal
(422) must roll back what the service wrote before it refused, on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.errors import ValidationError
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.web.app import create_app

from ..conftest import PASSWORD, World


@pytest.fixture
def any_client(any_world: World) -> Iterator[TestClient]:
    with TestClient(create_app(any_world.system)) as c:
        yield c


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    form = client.get("/incidents/new")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return token.group(1)


def _counts(world: World) -> tuple[int, int]:
    with world.session() as s:
        incidents = s.scalar(select(func.count()).select_from(Incident)) or 0
        audit = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return incidents, audit


def test_a_service_that_writes_then_refuses_leaves_no_row(
    any_world: World, any_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = _login(any_client, "op1")
    real_create = any_world.system.incidents.create
    written: list[str] = []

    def create_then_refuse(s: object, who: Principal, draft: IncidentDraft) -> Incident:
        inc = real_create(s, who, draft)  # type: ignore[arg-type]
        written.append(inc.ref)
        raise ValidationError("refused after writing")

    monkeypatch.setattr(any_world.system.incidents, "create", create_then_refuse)
    before = _counts(any_world)
    form = {
        "category_id": "asb",
        "source": "operator",
        "summary": "a partial write",
        "csrf_token": csrf,
    }
    answer = any_client.post("/incidents/new", data=form, follow_redirects=False)
    assert answer.status_code == 422
    assert "refused after writing" in answer.text and "a partial write" in answer.text
    assert written, "the service did write before refusing"
    assert _counts(any_world) == before

    monkeypatch.setattr(any_world.system.incidents, "create", real_create)
    made = any_client.post("/incidents/new", data=form, follow_redirects=False)
    assert made.status_code == 303
    assert _counts(any_world)[0] == before[0] + 1
