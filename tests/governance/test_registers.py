"""The DPIA, signage and operator registers through their pages: the cameras a DPIA
covers, a sign's photo and inspection, an SIA re-check refused without its evidence."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.foundation.test_web import login
from tests.governance.conftest import Gov
from watchkeeper.auth.models import User
from watchkeeper.governance.models import OperatorRecord, Sign
from watchkeeper.web.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_dpia_signage_and_operator_records_through_their_pages(gov: Gov) -> None:
    with TestClient(create_app(gov.system)) as client:
        csrf = login(client, "sue")
        h = {"X-CSRF-Token": csrf}
        bad = client.post("/governance/dpias", headers=h, data={"ref": "DPIA-TC", "title": "Town",
                          "approved_on": "2026-01-10", "approved_by": "DPO",
                          "next_review": "2025-01-10"})  # fmt: skip
        assert bad.status_code == 422 and "after the approval" in bad.text
        assert 'value="DPIA-TC"' in bad.text  # what was typed is kept
        ok = client.post("/governance/dpias", headers=h, data={"ref": "DPIA-TC", "title": "Town",
                         "approved_on": "10/01/2026", "approved_by": "DPO",
                         "next_review": "2027-01-10"}, follow_redirects=False)  # fmt: skip
        assert ok.status_code == 303
        page = client.get("/governance/dpias").text
        assert "TC-001" in page and "DPIA-RP" in page  # covered; named but unregistered
        sign = client.post(
            "/governance/signage",
            headers=h,
            data={"area_id": "tc-high", "location": "Lamp post 14", "cameras": "TC-001",
                  "last_inspected": "2026-05-01", "next_inspection": "2026-11-01"},
            files={"photo": ("sign.png", PNG, "image/png")},
            follow_redirects=False,
        )  # fmt: skip
        assert sign.status_code == 303, sign.text
        with gov.system.db.session() as s:
            sign_id = s.scalars(select(Sign.id)).one()
        assert client.get(f"/governance/signage/{sign_id}/photo").content == PNG
        refused = client.post("/governance/signage", headers=h, data={
            "area_id": "tc-high", "location": "x", "cameras": "NOPE-1"})  # fmt: skip
        assert refused.status_code == 422 and "no camera NOPE-1" in refused.text
        inspected = client.post(f"/governance/signage/{sign_id}/inspection", headers=h,
                                data={"inspected_on": "2026-06-10", "next_on": "2026-12-10",
                                      "condition": "faded"}, follow_redirects=False)  # fmt: skip
        assert inspected.status_code == 303
        no_evidence = client.post("/governance/operators", headers=h, data={
            "username": "olly", "kind": "sia_check", "title": "SIA register check",
            "done_on": "2026-06-01"})  # fmt: skip
        assert (
            no_evidence.status_code == 422 and "attach the SIA register check" in no_evidence.text
        )
        checked = client.post(
            "/governance/operators", headers=h,
            data={"username": "olly", "kind": "sia_check", "title": "SIA register check",
                  "done_on": "2026-06-01"},
            files={"evidence": ("sia.png", PNG, "image/png")}, follow_redirects=False,
        )  # fmt: skip
        assert checked.status_code == 303
        with gov.system.db.session() as s:
            rec = s.scalars(select(OperatorRecord)).one()
            got = client.get(f"/governance/operators/records/{rec.id}/evidence")
            assert got.content == PNG and "sia.png" in got.headers["content-disposition"]
            user = s.scalar(select(User).where(User.username == "olly"))
            assert user is not None and str(user.sia_checked_on) == "2026-06-01"
            sign_row = s.get(Sign, sign_id)
            assert sign_row is not None and str(sign_row.last_inspected) == "2026-06-10"
            assert sign_row.condition == "faded" and sign_row.photo == PNG


def test_client_terms_and_an_on_demand_report_through_the_page(gov: Gov) -> None:
    with TestClient(create_app(gov.system)) as client:
        h = {"X-CSRF-Token": login(client, "sue")}
        url = "/governance/clients/acme"
        bad = client.post(url, headers=h, data={"contract_start": "2026-01-01",
                                                "contract_end": "2025-01-01"})  # fmt: skip
        assert bad.status_code == 422 and "must end after it starts" in bad.text
        terms = {
            "contract_ref": "C-1",
            "retention_days": "14",
            "disclosure_approvers": "A. Manager",
        }
        saved = client.post(url, headers=h, data=terms, follow_redirects=False)
        assert saved.status_code == 303
        page = client.get(url).text
        assert "retention-mismatch" in page and "A. Manager" in page  # RP-001 keeps 31 days
        wrong = client.post(f"{url}/reports", headers=h, data={"month": "2026-13"})
        assert wrong.status_code == 422 and "YYYY-MM" in wrong.text
        pdf = client.post(f"{url}/reports", headers=h, data={"month": "2026-05"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert "2026-05" in client.get(url).text
