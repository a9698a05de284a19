"""The police portal: an officer files a request (held at once, in the council's queue),
follows it, and downloads its released package through an expiring, audited link that
no other officer can use."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.evidence.conftest import Recorded, ev_clips, recorded  # noqa: F401 (fixtures)
from tests.foundation.helpers import ROOT, add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.jobs import ExportWorker
from watchkeeper.evidence.models import CustodyEntry, EvidenceRequest, RequestCamera
from watchkeeper.police.accounts import set_account
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app

FORM = {
    "crime_ref": "CR-2026-555",
    "offence": "Assault",
    "countersigning_officer": "DS Patel 2201",
    "lawful_basis": "DPA 2018 Sch 2 para 2 (crime)",
    "cameras": "TC-001",
    "start": "2026-07-01T11:00:01",
    "end": "2026-07-01T11:00:04",
}


@pytest.fixture
def client(system: System, recorded: Recorded) -> Iterator[TestClient]:  # noqa: F811
    add_user(system, "sue", Role.SUPERVISOR)
    for name, collar in (("dc-jones", "4521"), ("dc-smith", "4522")):
        add_user(system, name, Role.POLICE_OFFICER)
        with system.db.session() as s:
            set_account(s, ROOT, system.users.get(s, name), "Borough Police", collar,
                        system.clock)  # fmt: skip
    with TestClient(create_app(system)) as c:
        yield c


def bearer(system: System, username: str) -> dict[str, str]:
    with system.db.session() as s:
        tok = system.users.issue_token(s, username, "tests", ROOT)
    return {"Authorization": f"Bearer {tok}"}


def test_officer_files_follows_and_downloads_the_release(
    client: TestClient, system: System, clock: FakeClock
) -> None:
    jones, smith, sup = (bearer(system, n) for n in ("dc-jones", "dc-smith", "sue"))
    made = client.post("/police/portal/new", data=FORM, headers=jones, follow_redirects=False)
    assert made.status_code == 303, made.text
    with system.db.session() as s:
        req = s.scalars(select(EvidenceRequest)).one()
        ref = req.ref
        assert json.loads(req.fields)["collar_number"] == "4521"
        held = s.scalars(select(RequestCamera.hold_id)).all()
        assert held and all(h is not None for h in held)  # held on receipt
    portal = client.get("/police/portal", headers=jones).text
    assert ref in portal and "not released yet" in portal
    assert ref not in client.get("/police/portal", headers=smith).text
    link = f"/police/portal/requests/{ref}/packages/1/link"
    assert client.post(link, headers=jones).status_code == 404  # nothing released yet
    # The council works it through on its side, as any police request.
    page = f"/requests/{ref}"
    for step, data in (
        ("search", {}),
        ("review", {"note": "found"}),
        ("decide", {"decision": "approve", "reasons": "crime"}),
        ("export", {}),
    ):
        assert client.post(f"{page}/{step}", data=data, headers=sup).status_code == 200, step
    ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock).run_once()
    assert client.post(link, headers=jones).status_code == 404  # exported, not released
    released = client.post(f"{page}/release", data={"to": "DC Jones 4521", "how": "portal"},
                           headers=sup)  # fmt: skip
    assert released.status_code == 200, released.text
    assert "Get download link" in client.get("/police/portal", headers=jones).text
    assert client.post(link, headers=smith).status_code == 404  # not his request
    made_link = client.post(link, headers=jones)
    assert made_link.status_code == 200
    token = made_link.text.split('name="token" value="')[1].split('"')[0]
    assert client.post("/police/portal/download", data={"token": token},
                       headers=smith).status_code == 404  # fmt: skip
    got = client.post("/police/portal/download", data={"token": token}, headers=jones)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    with system.db.session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.download")).one()
        assert audit.username == "dc-jones"
        assert json.loads(audit.details)["collar_number"] == "4521"
        copies = s.scalars(select(CustodyEntry).where(CustodyEntry.action == "copied")).all()
        assert [(c.recipient, c.collar_number) for c in copies] == [("dc-jones", "4521")]
    clock.advance(25 * 3600)  # the link expires
    assert client.post("/police/portal/download", data={"token": token},
                       headers=jones).status_code == 404  # fmt: skip


def test_portal_refusals_keep_the_form_and_hold_nothing(client: TestClient, system: System) -> None:
    jones = bearer(system, "dc-jones")
    bad = client.post("/police/portal/new", data={**FORM, "offence": ""}, headers=jones)
    assert bad.status_code == 422 and "name the offence" in bad.text
    unknown = client.post("/police/portal/new", data={**FORM, "cameras": "NOPE"}, headers=jones)
    assert unknown.status_code == 422 and "NOPE" in unknown.text and "CR-2026-555" in unknown.text
    with system.db.session() as s:
        assert s.scalars(select(EvidenceRequest)).all() == []
    # Council staff have no portal; officers have no council request queue.
    assert client.get("/police/portal", headers=bearer(system, "sue")).status_code == 403
    assert client.get("/requests", headers=jones).status_code == 403
