"""Requests: holds at receipt in the same transaction, the state machine, clocks, custody."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.evidence.conftest import Recorded
from tests.foundation.helpers import add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import verify
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import Conflict, Forbidden, NotFound, ValidationError
from watchkeeper.evidence.jobs import ExportWorker, zip_path
from watchkeeper.evidence.models import (
    CustodyEntry,
    ExportJob,
    JobState,
    RequestKind,
    RequestState,
)
from watchkeeper.evidence.requests import RequestSpec
from watchkeeper.evidence.verify import verify_package
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.holds import holds_covering
from watchkeeper.recording.models import Segment
from watchkeeper.recording.retention import DiskUsage, Retention
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Source
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_DAY, FakeClock

OPERATOR = Principal(1, "olive", Role.OPERATOR)
SUPERVISOR = Principal(2, "sam", Role.SUPERVISOR)
ACME = Principal(3, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
POLICE_FIELDS = {
    "officer": "PC Jane Smith",
    "force": "Anyshire Police",
    "collar_number": "4521",
    "crime_ref": "CAD 1234/01",
    "offence": "Assault (s.47)",
    "countersigning_officer": "Sgt Brown 1200",
}


def police(r: Recorded, cams: tuple[str, ...] = ("TC-001",)) -> RequestSpec:
    return RequestSpec(
        RequestKind.POLICE, "PC Jane Smith", "DPA 2018 Sch 2 para 2 (crime)", cams,
        r.t0, r.gap_start, requester_org="Anyshire Police", fields=POLICE_FIELDS,
    )  # fmt: skip


def test_receipt_holds_the_footage_in_the_same_transaction(
    system: System, recorded: Recorded
) -> None:
    with system.db.session() as s:
        req = system.requests.receive(s, OPERATOR, police(recorded))
        s.commit()
        ref = req.ref
    with system.db.session() as s:
        held = holds_covering(s, "TC-001", recorded.t0, recorded.gap_start, recorded.end)
        assert [h.reference for h in held] == [ref] and held[0].expires_us is None
        # a failing receipt (a camera that does not exist) leaves no hold behind
        with pytest.raises(NotFound):
            system.requests.receive(s, OPERATOR, police(recorded, ("TC-001", "NOPE")))
        s.rollback()
    with system.db.session() as s:
        assert len(holds_covering(s, "TC-001", recorded.t0, recorded.end, recorded.end)) == 1


def test_kind_fields_and_lawful_basis_are_required(system: System, recorded: Recorded) -> None:
    spec = police(recorded)
    with system.db.session() as s:
        with pytest.raises(ValidationError, match="Collar number"):
            system.requests.receive(s, OPERATOR, RequestSpec(
                spec.kind, spec.requester_name, spec.lawful_basis, spec.camera_ids,
                spec.start_us, spec.end_us, fields={**POLICE_FIELDS, "collar_number": " "},
            ))  # fmt: skip
        with pytest.raises(ValidationError, match="lawful basis"):
            system.requests.receive(s, OPERATOR, RequestSpec(
                spec.kind, spec.requester_name, "because", spec.camera_ids,
                spec.start_us, spec.end_us, fields=POLICE_FIELDS,
            ))  # fmt: skip
        with pytest.raises(Forbidden):
            system.requests.receive(s, ACME, spec)
        with pytest.raises(ValidationError, match="no incident 2026-999999"):
            system.requests.receive(s, OPERATOR, RequestSpec(
                spec.kind, spec.requester_name, spec.lawful_basis, spec.camera_ids,
                spec.start_us, spec.end_us, fields=POLICE_FIELDS, incidents="2026-999999",
            ))  # fmt: skip
        add_user(system, "inc-op", Role.OPERATOR)
        logger = Principal(system.users.get(s, "inc-op").id, "inc-op", Role.OPERATOR)
        inc = system.incidents.create(s, logger, IncidentDraft("violence", Source.POLICE))
        linked = system.requests.receive(s, OPERATOR, RequestSpec(
            spec.kind, spec.requester_name, spec.lawful_basis, spec.camera_ids,
            spec.start_us, spec.end_us, fields=POLICE_FIELDS, incidents=f" {inc.ref},",
        ))  # fmt: skip
        assert linked.incidents == inc.ref


def test_held_footage_survives_a_purge_past_retention_and_a_full_disk(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    with system.db.session() as s:
        system.requests.receive(s, OPERATOR, police(recorded))
        s.commit()
    clock.advance(60 * US_PER_DAY / 1_000_000)  # 60 days: past the 31-day retention
    full = Retention(system.db, system.playback.root, RecorderConfig(), clock,
                     disk_usage=lambda _p: DiskUsage(total=100, used=100, free=0))  # fmt: skip
    full.purge_expired()
    full.relieve_pressure()
    with system.db.session() as s:
        left = s.scalars(select(Segment.start_us).where(Segment.camera_id == "TC-001")).all()
    held = [x for x in left if x < recorded.gap_start]
    assert len(held) == 3, "the three segments in the request's window are kept"
    assert all(x >= recorded.gap_start for x in set(left) - set(held))


def test_police_request_from_receipt_to_close(
    system: System, recorded: Recorded, clock: FakeClock, tmp_path: Path
) -> None:
    with system.db.session() as s:
        ref = system.requests.receive(s, OPERATOR, police(recorded)).ref
        with pytest.raises(Conflict):
            system.requests.decide(s, SUPERVISOR, ref, True, "too early")
        system.requests.start_search(s, OPERATOR, ref)
        system.requests.to_review(s, OPERATOR, ref, "assault visible 10:00:02")
        with pytest.raises(Forbidden):
            system.requests.decide(s, OPERATOR, ref, True, "operators cannot approve")
        system.requests.decide(s, SUPERVISOR, ref, True, "lawful basis and necessity shown")
        jobs = system.requests.start_export(s, SUPERVISOR, ref)
        with pytest.raises(Conflict, match="every export"):
            system.requests.release(s, SUPERVISOR, ref, "PC Smith 4521", "USB drive")
        s.commit()
        job_id = jobs[0].id
    worker = ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock)
    assert worker.run_once() and not worker.run_once()
    with system.db.session() as s:
        job = s.get(ExportJob, job_id)
        assert job is not None and job.state == JobState.DONE.value and job.progress == 1.0
        package = worker.exports / f"job-{job.id}" / job.package
        assert verify_package(package).ok
        assert zip_path(worker.exports, job).is_file()
        produced = s.scalars(select(CustodyEntry)).one()
        assert produced.manifest_sha256 == job.manifest_sha256
        system.requests.release(s, SUPERVISOR, ref, "PC Smith 4521", "USB drive EX-77")
        req = system.requests.close(s, SUPERVISOR, ref, "released to police; case with CPS")
        assert req.state == RequestState.CLOSED.value
        assert holds_covering(s, "TC-001", recorded.t0, recorded.end, clock.now_us()) == []
        s.commit()
    with system.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert [a for a in actions if a.startswith("request.")] == [
            "request.receive", "request.search", "request.review", "request.approve",
            "request.export", "request.release", "request.close",
        ]  # fmt: skip
        assert "evidence.export" in actions and "recording.hold.release" in actions
        assert verify(s).ok


def test_a_clients_camera_needs_the_clients_approver(system: System, recorded: Recorded) -> None:
    spec = police(recorded, ("RP-001",))
    with system.db.session() as s:
        ref = system.requests.receive(s, OPERATOR, spec).ref
        system.requests.start_search(s, OPERATOR, ref)
        system.requests.to_review(s, OPERATOR, ref, "")
        with pytest.raises(ValidationError, match="client acme"):
            system.requests.decide(s, SUPERVISOR, ref, True, "ok")
        req = system.requests.decide(s, SUPERVISOR, ref, True, "ok", "",
                                     {"RP-001": "A. Manager, Acme"})  # fmt: skip
        assert req.cameras[0].client_approver == "A. Manager, Acme"
    with system.db.session() as s, pytest.raises(Forbidden):
        system.requests.get(s, ACME, 1)  # clients see their footage, not the requests


def test_subject_access_clock_identity_pause_and_extension(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    spec = RequestSpec(
        RequestKind.SUBJECT_ACCESS, "A. Person", "UK GDPR Art 15 (right of access)",
        ("TC-001",), recorded.t0, recorded.gap_start,
        fields={"description": "red coat, walking a dog"},
    )  # fmt: skip
    with system.db.session() as s:
        req = system.requests.receive(s, OPERATOR, spec)
        assert req.received_on == date(2026, 7, 1) and req.due_on == date(2026, 8, 3)
        with pytest.raises(Conflict):
            system.requests.start_search(s, OPERATOR, req.ref)
        clock.advance(4 * 86400)
        system.requests.verify_identity(s, OPERATOR, req.ref, "passport seen")
        assert req.due_on == date(2026, 8, 5)
        system.requests.pause(s, OPERATOR, req.ref, "which day? asked the requester")
        clock.advance(3 * 86400)
        system.requests.resume(s, OPERATOR, req.ref)
        assert req.due_on == date(2026, 8, 10)  # 8 Aug is a Saturday
        system.requests.extend(s, SUPERVISOR, req.ref, 2, "many cameras and third parties")
        assert req.due_on == date(2026, 10, 8)


def test_receipt_and_close_on_both_databases(any_system: System, clock: FakeClock) -> None:
    from tests.foundation.helpers import load_small_register

    load_small_register(any_system)
    r = Recorded(clock.now_us(), clock.now_us() + 60_000_000, 0, clock.now_us() + 60_000_000)
    with any_system.db.session() as s:
        ref = any_system.requests.receive(s, OPERATOR, police(r, ("TC-001", "RP-001"))).ref
        s.commit()
    with any_system.db.session() as s:
        assert len(holds_covering(s, "RP-001", r.t0, r.end, r.t0)) == 1
        any_system.requests.close(s, SUPERVISOR, ref, "withdrawn by the officer")
        s.commit()
    with any_system.db.session() as s:
        assert holds_covering(s, "TC-001", r.t0, r.end, r.t0) == []
        rows = any_system.requests.browse(s, SUPERVISOR)
        assert [x.state for x in rows] == ["closed"] and rows[0].close_reason
        assert verify(s).ok
