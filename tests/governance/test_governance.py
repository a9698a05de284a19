"""Camera reviews fall due, documents gate sign-on, disclosures need their agreement,
the published register leaks nothing, a client's report covers only its cameras."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.conftest import Gov
from watchkeeper.audit.models import AuditEntry
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import Conflict, Forbidden, ValidationError
from watchkeeper.governance.models import OperatorRecord
from watchkeeper.governance.partners import DisclosureIn
from watchkeeper.governance.published import PUBLISHED
from watchkeeper.governance.reviews import ReviewIn
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Source
from watchkeeper.reports.annual import monthly_report
from watchkeeper.web.app import create_app
from watchkeeper.web.routers.auth import PUBLIC_PATHS

H = 3600 * 10**6


def test_a_review_falls_due_shows_and_moves_on_a_year(gov: Gov) -> None:
    svc = gov.system.governance.reviews
    today = svc.today()
    with gov.system.db.session() as s:
        cam = s.get(Camera, "TC-001")
        assert cam is not None
        cam.next_review = today + timedelta(days=200)
    with gov.system.db.session() as s:
        due = [c.id for c in svc.due(s, gov.sup)]
    assert "TC-001" not in due and "RP-001" in due  # RP-001 was never reviewed
    gov.clock.advance(190 * 86400)
    with gov.system.db.session() as s:
        assert "TC-001" in [c.id for c in svc.due(s, gov.sup)]
    gov.clock.advance(20 * 86400)  # past its date: overdue
    with gov.system.db.session() as s:
        assert "TC-001" in [c.id for c in svc.due(s, gov.sup, within_days=0)]
        with pytest.raises(Forbidden):
            svc.complete(s, gov.op, "TC-001", ReviewIn(True, "busy junction", "retain", True))
        with pytest.raises(ValidationError):
            svc.complete(s, gov.sup, "TC-001", ReviewIn(False, "quiet now", "retain", True))
        review = svc.complete(
            s, gov.sup, "TC-001", ReviewIn(True, "violence at the junction", "retain", True)
        )
        assert review.next_review == date(svc.today().year + 1, svc.today().month,
                                           svc.today().day)  # fmt: skip
    with gov.system.db.session() as s:
        assert "TC-001" not in [c.id for c in svc.due(s, gov.sup)]
        cam = s.get(Camera, "TC-001")
        assert cam is not None and cam.last_review == svc.today()
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "camera.review"))


def test_the_dashboard_shows_reviews_due(gov: Gov) -> None:
    from tests.foundation.test_web import login

    with TestClient(create_app(gov.system)) as client:
        login(client, "sue")
        page = client.get("/dashboard").text
    assert "RP-001" in page and "never reviewed" in page


def test_a_code_of_practice_version_blocks_sign_on_until_acknowledged(gov: Gov) -> None:
    docs, shifts = gov.system.governance.documents, gov.system.shifts
    with gov.system.db.session() as s:
        v1 = docs.issue(s, gov.sup, "cop", "Code of practice", "code_of_practice", "1.0",
                        "First issue")  # fmt: skip
        v1_id = v1.id
    with gov.system.db.session() as s, pytest.raises(Conflict, match=r"COP version 1\.0"):
        shifts.sign_on(s, gov.op)
    with gov.system.db.session() as s:
        unread = docs.unread(s, gov.sup)
        assert unread[0].missing == ["olly", "sue"]
        docs.acknowledge(s, gov.op, v1_id)
    with gov.system.db.session() as s:
        shifts.sign_on(s, gov.op)
        assert docs.unread(s, gov.sup)[0].missing == ["sue"]
        declared = s.scalars(select(OperatorRecord).where(OperatorRecord.username == "olly"))
        assert [r.kind for r in declared] == ["confidentiality"]
        shifts.sign_off(s, gov.op)
        docs.issue(s, gov.sup, "COP", "Code of practice", "code_of_practice", "1.1",
                   "Body-worn video added")  # fmt: skip
    with gov.system.db.session() as s, pytest.raises(Conflict, match=r"COP version 1\.1"):
        shifts.sign_on(s, gov.op)


def test_a_partner_disclosure_without_its_agreement_is_refused(gov: Gov) -> None:
    svc = gov.system.governance.disclosures
    base = {"member_ref": "SW-BOOTS", "shared": "description of a suspect's clothing",
            "reason": "prevent repeat shop theft today", "scheme_ids": "DISC-4471"}  # fmt: skip
    with gov.system.db.session() as s:
        with pytest.raises(ValidationError, match="information sharing agreement"):
            svc.disclose(s, gov.sup, DisclosureIn(isa_ref="", **base))
        with pytest.raises(ValidationError, match="ISA-SW-2026"):
            svc.disclose(s, gov.sup, DisclosureIn(isa_ref="ISA-OTHER", **base))
        with pytest.raises(Forbidden):
            svc.disclose(s, gov.op, DisclosureIn(isa_ref="ISA-SW-2026", **base))
        row = svc.disclose(s, gov.sup, DisclosureIn(isa_ref="ISA-SW-2026", **base))
        assert row.isa_ref == "ISA-SW-2026" and row.disclosed_by == "sue"
    with gov.system.db.session() as s:
        assert len(svc.list(s, gov.op)) == 1
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "partner.disclose"))
        assert audit is not None and "ISA-SW-2026" in audit.details


def test_the_published_register_carries_no_credential_or_internal_field(gov: Gov) -> None:
    with gov.system.db.session() as s:
        cam = s.get(Camera, "TC-001")
        assert cam is not None
        cam.retention_justification = "INTERNAL: pending complaint from no. 4"
        cam.latitude, cam.longitude = 51.5, -0.1
    assert {"/public/cameras", "/public/cameras.csv", "/public/cameras.geojson"} <= PUBLIC_PATHS
    with TestClient(create_app(gov.system)) as client:
        bodies = {p: client.get(p) for p in ("/public/cameras", "/public/cameras.csv",
                                               "/public/cameras.geojson")}  # fmt: skip
    for path, resp in bodies.items():
        assert resp.status_code == 200, path
        for secret in ("s3cret", "rtsp://", "admin:", "INTERNAL", "DPIA-TC", "onvif"):
            assert secret not in resp.text, (path, secret)
        assert "RP-001" not in resp.text  # a client's camera: the client publishes it
        assert "TC-002" not in resp.text  # planned, not in service
    rows = list(csv.DictReader(io.StringIO(bodies["/public/cameras.csv"].text)))
    assert [r["id"] for r in rows] == ["TC-001"]
    assert tuple(rows[0]) == PUBLISHED
    geo = json.loads(bodies["/public/cameras.geojson"].text)
    assert geo["features"][0]["geometry"]["coordinates"] == [-0.1, 51.5]
    assert set(geo["features"][0]["properties"]) == set(PUBLISHED) - {"latitude", "longitude"}


def test_a_clients_monthly_report_covers_only_its_cameras(gov: Gov) -> None:
    sysm, clock = gov.system, gov.clock
    start = clock.now_us()
    with sysm.db.session() as s:
        for cam in ("RP-001", "TC-001", "BK-001"):
            inc = sysm.incidents.create(s, gov.op, IncidentDraft("theft", Source.OPERATOR))
            sysm.incidents.mark_cameras(s, gov.op, inc.ref, [cam], start - H, start)
            sysm.faults.report(s, gov.op, f"{cam} lens dirty", cam)
        acme = sysm.governance.clients
        report = monthly_report(s, acme.get(s, gov.sup, "acme"), "2026-06", acme.today())
    assert report.table("cameras").rows == [["RP-001"]]
    assert report.table("incidents_total").rows == [["total", 1]]
    assert report.table("incidents_by_category").rows == [["Theft and shoplifting", 1]]
    assert report.table("downtime_by_camera").column("camera") == ["RP-001"]
    clock.advance(20 * 86400)  # into July: June's report falls due on schedule
    with sysm.db.session() as s:
        made = sysm.governance.clients.generate_due(s)
        assert sorted(r.client_id for r in made) == ["acme", "brook"]
        assert all(r.month == "2026-06" and r.pdf.startswith(b"%PDF") for r in made)
        assert made[0].generated_by == "schedule"
        assert sysm.governance.clients.generate_due(s) == []  # once per month


def test_the_monthly_reports_command_runs_on_schedule(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tests.conftest import make_settings
    from tests.foundation.helpers import load_small_register
    from watchkeeper.cli.main import build_app
    from watchkeeper.system import build_system

    data = tmp_path / "data"
    system = build_system(make_settings(data))
    load_small_register(system)
    system.close()
    runner, app = CliRunner(), build_app()
    first = runner.invoke(
        app, ["--data-dir", str(data), "--mode", "development", "reports", "monthly"]
    )
    assert first.exit_code == 0, first.output
    assert "acme" in first.output and "brook" in first.output
    again = runner.invoke(
        app, ["--data-dir", str(data), "--mode", "development", "reports", "monthly"]
    )
    assert "every client has last month's report" in again.output
    year = date.today().year
    base = ["--data-dir", str(data), "--mode", "development"]
    pack = runner.invoke(app, [*base, "reports", "annual", str(year), "-o", str(tmp_path / "out")])
    assert pack.exit_code == 0, pack.output
    assert (tmp_path / "out" / f"cctv-annual-review-{year}.pdf").read_bytes()[:4] == b"%PDF"


def test_a_client_viewer_downloads_only_its_own_clients_reports(gov: Gov) -> None:
    from tests.foundation.helpers import add_user
    from tests.foundation.test_web import login
    from watchkeeper.auth.roles import Role

    add_user(gov.system, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
    with gov.system.db.session() as s:
        for client_id in ("acme", "brook"):
            gov.system.governance.clients.generate(s, gov.sup, client_id, "2026-05")
    with TestClient(create_app(gov.system)) as client:
        login(client, "acme-viewer")
        listing = client.get("/client/reports").text
        assert "2026-05" in listing
        own = client.get("/client/reports/2026-05.pdf")
        assert own.status_code == 200 and "acme-2026-05.pdf" in own.headers["content-disposition"]
        other = client.get("/governance/clients/brook/reports/2026-05.pdf")
        assert other.status_code == 403


def test_the_server_makes_last_months_reports_on_schedule(gov: Gov) -> None:
    import time

    from watchkeeper.governance.models import ClientReport
    from watchkeeper.governance.schedule import MonthlyReports

    gov.clock.advance(20 * 86400)  # July: June's reports are due
    timer = MonthlyReports(gov.system.db, gov.system.governance.clients).start()
    try:
        deadline = time.monotonic() + 60
        while True:
            with gov.system.db.session() as s:
                months = sorted((r.client_id, r.month) for r in s.scalars(select(ClientReport)))
            if len(months) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        timer.stop()
    assert months == [("acme", "2026-06"), ("brook", "2026-06")]
    assert timer.run_once() == 0  # made once
