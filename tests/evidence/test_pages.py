"""Request pages over HTTP: the public key, forms, refusals, links that expire, the register."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.clips import need_tool
from tests.evidence.conftest import Recorded
from tests.foundation.helpers import ROOT, add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.jobs import ExportWorker
from watchkeeper.evidence.signing import ensure_signing_key, fingerprint
from watchkeeper.evidence.verify import verify_package
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app

POLICE_FORM = {
    "kind": "police",
    "requester_name": "PC Jane Smith",
    "requester_org": "Anyshire Police",
    "f_officer": "PC Jane Smith",
    "f_force": "Anyshire Police",
    "f_collar_number": "4521",
    "f_crime_ref": "CAD 1234/01",
    "f_offence": "Assault",
    "f_countersigning_officer": "Sgt Brown",
    "lawful_basis": "DPA 2018 Sch 2 para 2 (crime)",
    "camera": "TC-001",
    "start": "2026-07-01T11:00:01",
    "end": "2026-07-01T11:00:04",
}


@pytest.fixture
def client(system: System, recorded: Recorded) -> Iterator[TestClient]:
    for role in (Role.SUPERVISOR, Role.OPERATOR, Role.AUDITOR):
        add_user(system, f"user-{role.value}", role)
    with TestClient(create_app(system)) as c:
        yield c


def bearer(system: System, role: Role) -> dict[str, str]:
    with system.db.session() as s:
        tok = system.users.issue_token(s, f"user-{role.value}", "tests", ROOT)
    return {"Authorization": f"Bearer {tok}"}


def test_public_key_is_published_to_anyone(client: TestClient, system: System) -> None:
    resp = client.get("/api/evidence/public-key")
    assert resp.status_code == 200 and "BEGIN PUBLIC KEY" in resp.text
    key, _ = ensure_signing_key(system.settings.data_dir)
    assert resp.text.encode() == key.public_pem()
    assert resp.headers["x-key-fingerprint-sha256"] == fingerprint(key.public_pem())


def test_request_form_errors_are_clear_and_hold_nothing(client: TestClient, system: System) -> None:
    sup = bearer(system, Role.SUPERVISOR)
    bad = client.post("/requests/new", data={**POLICE_FORM, "f_collar_number": ""}, headers=sup)
    assert bad.status_code == 422 and "Collar number" in bad.text
    unknown = client.post("/requests/new", data={**POLICE_FORM, "camera": "NOPE"}, headers=sup)
    assert unknown.status_code == 404
    with system.db.session() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
        assert "recording.hold.create" not in actions


def test_walk_through_links_expire_and_register(
    client: TestClient, system: System, clock: FakeClock
) -> None:
    sup = bearer(system, Role.SUPERVISOR)
    made = client.post("/requests/new", data=POLICE_FORM, headers=sup, follow_redirects=False)
    assert made.status_code == 303
    page = made.headers["location"]
    ref = page.rsplit("/", 1)[1]
    assert "Police request " + ref in client.get(page, headers=sup).text
    assert ref in client.get("/requests", headers=bearer(system, Role.AUDITOR)).text
    ack = client.get(f"{page}/letter", params={"name": "acknowledgement"}, headers=sup)
    assert ack.status_code == 200 and ack.content.startswith(b"%PDF")
    assert client.get(f"{page}/letter", params={"name": "release"}, headers=sup).status_code == 409
    for step, data in (
        ("search", {}),
        ("review", {"note": "found"}),
        ("decide", {"decision": "approve", "reasons": "crime"}),
        ("export", {"stills": "2026-07-01T11:00:02.5"}),
    ):
        assert client.post(f"{page}/{step}", data=data, headers=sup).status_code == 200
    ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock).run_once()
    frag = client.post("/evidence/jobs/1/link", headers=sup)
    token = frag.text.split('name="token" value="')[1].split('"')[0]
    assert client.post("/evidence/download", data={"token": token},
                       headers=bearer(system, Role.AUDITOR)).status_code == 403  # fmt: skip
    got = client.post("/evidence/download", data={"token": token}, headers=sup)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    clock.advance(25 * 3600)
    assert client.post("/evidence/download", data={"token": token}, headers=sup).status_code == 404
    client.post(f"{page}/release", data={"to": "PC Smith 4521", "how": "link"}, headers=sup)
    client.post(f"{page}/custody", headers=sup, data={
        "action": "handed_over", "recipient": "PC Smith", "collar_number": "4521",
        "force": "Anyshire", "medium_id": "USB EX-77", "hash_checked": "true",
    })  # fmt: skip
    text = client.get(page, headers=sup).text
    assert "USB EX-77" in text and "handed over" in text
    stills = client.get("/stills.csv", headers=sup).text.splitlines()
    assert len(stills) == 2 and "2026-07-01T10:00:02.500Z" in stills[1] and ref in stills[1]
    assert "TC-001-1.jpg" in client.get("/stills", headers=sup).text
    csv = client.get("/disclosures.csv", headers=sup)
    assert csv.headers["content-type"].startswith("text/csv")
    assert ref in csv.text and "PC Smith 4521" in csv.text
    closed = client.post(f"{page}/close", data={"reason": "case closed"}, headers=sup)
    assert closed.status_code == 200 and "Closed" in closed.text


def test_supervisor_sees_due_requests_on_log_in(
    client: TestClient, system: System, recorded: Recorded, clock: FakeClock
) -> None:
    sar = {
        "kind": "subject_access", "requester_name": "A. Person", "f_description": "red coat",
        "lawful_basis": "UK GDPR Art 15 (right of access)", "camera": "TC-001",
        "start": "2026-07-01T11:00:01", "end": "2026-07-01T11:00:04",
    }  # fmt: skip
    sup = bearer(system, Role.SUPERVISOR)
    assert client.post("/requests/new", data=sar, headers=sup).status_code == 200
    assert "requests-due" not in client.get("/cameras", headers=sup).text
    clock.advance(28 * 86400)  # due Mon 3 Aug 2026; now 29 Jul
    assert "0 overdue, 1 due within a week" in client.get("/cameras", headers=sup).text
    clock.advance(6 * 86400)
    assert "1 overdue, 0 due" in client.get("/cameras", headers=sup).text
    assert "requests-due" not in client.get("/cameras", headers=bearer(system, Role.OPERATOR)).text
    assert "overdue" in client.get("/requests", headers=sup).text


def test_encrypted_download_opens_with_its_password_only(
    client: TestClient, system: System, clock: FakeClock, tmp_path: Path
) -> None:
    need_tool("7z")
    sup = bearer(system, Role.SUPERVISOR)
    page = client.post("/requests/new", data=POLICE_FORM, headers=sup,
                       follow_redirects=False).headers["location"]  # fmt: skip
    for step, data in (
        ("search", {}),
        ("review", {}),
        ("decide", {"decision": "approve", "reasons": "crime"}),
        ("export", {}),
    ):
        client.post(f"{page}/{step}", data=data, headers=sup)  # fmt: skip
    ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock).run_once()
    frag = client.post("/evidence/jobs/1/link", data={"encrypted": "true"}, headers=sup).text
    password = frag.split('id="zip-password">')[1].split("<")[0]
    token = frag.split('name="token" value="')[1].split('"')[0]
    assert len(password) >= 30
    zipped = tmp_path / "p.zip"
    zipped.write_bytes(
        client.post("/evidence/download", data={"token": token}, headers=sup).content
    )
    wrong = subprocess.run(["7z", "t", "-pwrong", str(zipped)], capture_output=True, check=False)
    assert wrong.returncode != 0
    out = tmp_path / "x"
    ok = subprocess.run(["7z", "x", f"-p{password}", f"-o{out}", str(zipped)],
                        capture_output=True, text=True, check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stdout
    (package,) = out.iterdir()
    assert verify_package(package).ok
    with system.db.session() as s:
        details = s.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "evidence.link")
        ).one()
    assert '"encrypted":true' in details and password not in details
