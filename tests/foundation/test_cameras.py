"""Camera register rules, redaction, and all-or-nothing import and export."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.foundation.helpers import ROOT, load_small_register
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.io import export_csv, export_yaml, parse_csv, parse_import
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.cameras.redact import merge_credentials, redact_url
from watchkeeper.errors import ImportRejected, NotFound, ValidationError
from watchkeeper.system import System

ADMIN = Principal(1, "root", Role.ADMIN)
ACME = Principal(2, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")


def test_credentials_are_redacted_and_merged_back() -> None:
    url = "rtsp://admin:s3cret@10.1.2.3:554/Streaming/101"
    assert redact_url(url) == "rtsp://***@10.1.2.3:554/Streaming/101"
    assert redact_url("rtsp://10.1.2.3/x") == "rtsp://10.1.2.3/x"
    assert merge_credentials(redact_url(url), url) == url
    assert merge_credentials("rtsp://***@10.1.2.3/y", url) == "rtsp://admin:s3cret@10.1.2.3/y"


@pytest.mark.parametrize(
    "given",
    [
        "rtsp://***@attacker.example:554/Streaming/101",  # another host
        "rtsp://***@10.1.2.3:8554/Streaming/101",  # another port
        "rtsps://***@10.1.2.3:554/Streaming/101",  # another scheme
        "rtsp://***@10.1.2.3.attacker.example/Streaming/101",
    ],
)
def test_masked_credentials_never_travel_to_another_endpoint(given: str) -> None:
    url = "rtsp://admin:s3cret@10.1.2.3:554/Streaming/101"
    with pytest.raises(ValueError, match="same scheme, host and port") as caught:
        merge_credentials(given, url)
    assert "s3cret" not in str(caught.value) and "admin" not in str(caught.value)


def test_import_moving_a_masked_url_is_rejected_per_row(any_system: System) -> None:
    load_small_register(any_system)
    csv_text = (
        "id,name,kind,site,area,main_url\n"
        "TC-001,High St,ptz,tc,tc-high,rtsp://***@203.0.113.66/main\n"
        "TC-002,Bus station,fixed,tc,tc-high,rtsp://***@10.0.0.2/main\n"
    )
    parsed = parse_csv(csv_text)
    with pytest.raises(ImportRejected) as caught, any_system.db.session() as s:
        any_system.cameras.apply(s, parsed.cameras, ROOT, "move", names=parsed.names)
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("camera TC-001: main_url: masked credentials are kept only")
    assert problems[1].startswith("camera TC-002: main_url: rtsp://***@10.0.0.2/main has masked")
    assert "s3cret" not in str(caught.value)
    with any_system.db.session() as s:
        assert s.get(Camera, "TC-001").main_url == "rtsp://admin:s3cret@10.0.0.1/main"  # type: ignore[union-attr]


def test_activation_needs_purpose_and_dpia(any_system: System) -> None:
    load_small_register(any_system)
    with pytest.raises(ValidationError, match="purpose and a DPIA"), any_system.db.session() as s:
        any_system.cameras.set_status(s, ADMIN, "TC-002", CameraStatus.ACTIVE, "go live")
    with any_system.db.session() as s:
        cam = any_system.cameras.set_status(
            s, ADMIN, "TC-001", CameraStatus.SUSPENDED, "pole damaged"
        )
        assert cam.status is CameraStatus.SUSPENDED
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "camera.status")).one()
        assert entry.reason == "pole damaged" and entry.object_id == "TC-001"


def test_client_viewer_sees_only_its_cameras(system: System) -> None:
    load_small_register(system)
    with system.db.session() as s:
        assert [c.id for c in system.cameras.list(s, ACME)] == ["RP-001"]
        with pytest.raises(NotFound):
            system.cameras.get(s, ACME, "TC-001")
        assert len(system.cameras.list(s, ADMIN)) == 4


def test_changes_are_audited_without_credentials(system: System) -> None:
    load_small_register(system)
    with system.db.session() as s:
        created = s.scalars(select(AuditEntry).where(AuditEntry.action == "camera.create")).all()
        assert len(created) == 4
        assert all("s3cret" not in e.details for e in created)
        assert any("rtsp://***@10.0.0.1/main" in e.details for e in created)


CSV_HEADER = (
    "id,name,kind,owner,site,area,area_name,main_url,retention_days,purpose,dpia_ref,status\n"
)


def test_bad_csv_reports_every_row_and_imports_nothing(system: System) -> None:
    load_small_register(system)
    text = CSV_HEADER + (
        "TC-010,Bus station east,fixed,council,tc,tc-bus,Bus Station,,31,,,planned\n"
        "TC-011,Bad kind,dome,council,tc,tc-bus,Bus Station,,31,,,planned\n"
        "TC-012,No DPIA,ptz,council,tc,tc-bus,Bus Station,,31,crime,,active\n"
        "TC-013,Bad url,ptz,council,tc,tc-bus,Bus Station,http://x,9999,,,planned\n"
        "TC-010,Duplicate,ptz,council,tc,tc-bus,Bus Station,,31,,,planned\n"
    )
    with pytest.raises(ImportRejected) as err:
        parse_csv(text)
    problems = err.value.problems
    assert any(p.startswith("row 3 (TC-011): kind:") for p in problems)
    assert any(p.startswith("row 4 (TC-012)") and "DPIA" in p for p in problems)
    assert any(p.startswith("row 5 (TC-013): main_url:") for p in problems)
    assert any(p.startswith("row 5 (TC-013): retention_days:") for p in problems)
    assert any(p.startswith("row 6 (TC-010): id also on row 2") for p in problems)
    with system.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Camera)) == 4


def test_rule_broken_late_rolls_back_whole_import(system: System) -> None:
    load_small_register(system)
    text = CSV_HEADER + (
        "TC-020,Fine,fixed,council,tc,tc-new,New area,,31,,,planned\n"
        "TC-021,Unknown client,fixed,nobody,tc,tc-new,New area,,31,,,planned\n"
    )
    parsed = parse_csv(text)
    with pytest.raises(ImportRejected, match="not a known client"), system.db.session() as s:
        system.cameras.apply(s, parsed.cameras, ROOT, "import", names=parsed.names)
    with system.db.session() as s:
        assert s.get(Camera, "TC-020") is None


def test_export_masks_credentials_and_reimport_keeps_them(any_system: System) -> None:
    load_small_register(any_system)
    with any_system.db.session() as s:
        cams = any_system.cameras.list(s, ADMIN)
        csv_text, yaml_text = export_csv(cams), export_yaml(cams)
    assert "s3cret" not in csv_text and "s3cret" not in yaml_text
    assert "rtsp://***@10.0.0.1/main" in csv_text
    for text, name in ((csv_text, "r.csv"), (yaml_text, "r.yaml")):
        parsed = parse_import(text, name)
        with any_system.db.session() as s:
            result = any_system.cameras.apply(
                s, parsed.cameras, ROOT, "round trip", sites=parsed.sites, names=parsed.names
            )
        assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    with any_system.db.session() as s:
        assert s.get(Camera, "TC-001").main_url == "rtsp://admin:s3cret@10.0.0.1/main"  # type: ignore[union-attr]
