"""The release package of a subject access request: only the redacted copy, its log and the
proofs, no unredacted picture; it verifies with the project's verifier and with openssl and
sha256sum as its README says; the release step of the request refuses an unredacted export
unless a reason is recorded."""

from __future__ import annotations

import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.clips import need_tool
from tests.evidence.conftest import Recorded
from tests.evidence.test_tamper import cli_verify, readme_verify
from tests.foundation.helpers import ROOT, add_user
from tests.redaction.test_jobs import SAM, start, state
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import Conflict
from watchkeeper.evidence.jobs import ExportWorker, job_dir
from watchkeeper.evidence.manifest import (
    MANIFEST,
    RELEASE_FORMAT,
    SIGNATURE,
    hash_file,
    manifest_bytes,
    sums_text,
)
from watchkeeper.evidence.models import ExportJob, RequestKind
from watchkeeper.evidence.requests import RequestSpec
from watchkeeper.evidence.signing import ensure_signing_key
from watchkeeper.evidence.verify import verify_package
from watchkeeper.redaction import service
from watchkeeper.redaction.jobs import RedactionWorker
from watchkeeper.redaction.models import RedactionState
from watchkeeper.redaction.plan import Style
from watchkeeper.redaction.release import release_name
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app

pytestmark = pytest.mark.media
OLIVE = Principal(1, "olive", Role.OPERATOR)


def sar_exported(system: System, recorded: Recorded, clock: FakeClock) -> tuple[str, int]:
    """A subject access request taken to its finished export (one package, TC-001)."""
    spec = RequestSpec(
        RequestKind.SUBJECT_ACCESS, "A. Person", "UK GDPR Art 15 (right of access)",
        ("TC-001",), recorded.t0, recorded.end, fields={"description": "red coat"},
    )  # fmt: skip
    with system.db.session() as s:
        ref = system.requests.receive(s, OLIVE, spec).ref
        system.requests.verify_identity(s, OLIVE, ref, "passport seen")
        system.requests.start_search(s, OLIVE, ref)
        system.requests.to_review(s, OLIVE, ref, "requester at 11:00:02")
        system.requests.decide(s, SAM, ref, True, "identity shown; footage found")
        job_id = system.requests.start_export(s, SAM, ref)[0].id
        s.commit()
    worker = ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock)
    assert worker.run_once()
    return ref, job_id


def render(system: System, clock: FakeClock, job_id: int, part: int) -> int:
    worker = RedactionWorker(system.db, system.settings.data_dir, clock, poll_s=0.05)
    rid = start(system, clock, job_id, part)
    assert worker.run_once()
    with system.db.session() as s:
        r = service.get(s, rid)
        service.save_decisions(s, SAM, r, {}, [], Style.BLUR, clock)
        service.queue_render(s, SAM, r, clock)
        s.commit()
    assert worker.run_once()
    assert state(system, rid).state == RedactionState.DONE.value, state(system, rid).error
    return rid


def release_audit(system: System) -> dict[str, object]:
    with system.db.session() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "request.release")).one()
        out: dict[str, object] = json.loads(row.details) if row.details else {}
        return out


def test_sar_release_holds_only_the_redacted_copy_and_verifies(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    need_tool("openssl")
    need_tool("sha256sum")
    ref, job_id = sar_exported(system, recorded, clock)
    with system.db.session() as s, pytest.raises(Conflict, match="releases redacted copies"):
        system.requests.release(s, OLIVE, ref, "A. Person", "collected on USB")
    rid = render(system, clock, job_id, 1)
    r = state(system, rid)
    root = job_dir(system.settings.data_dir / "exports", job_id)
    full, rel = root / r.package, root / release_name(r.package)
    cam = "TC-001-1"
    assert sorted(p.relative_to(rel).as_posix() for p in rel.rglob("*") if p.is_file()) == [
        "README.txt", "SHA256SUMS", "manifest.json", "manifest.sig", "public_key.pem",
        f"redacted/{cam}.log.json", f"redacted/{cam}.mp4",
    ]  # fmt: skip
    full_manifest = json.loads((full / MANIFEST).read_bytes())
    unredacted = {m["sha256"] for m in full_manifest["master"]} | {
        full_manifest["files"][w["path"]] for w in full_manifest["working"]
    }
    videos = [p for p in rel.rglob("*") if p.suffix in (".mp4", ".ts", ".mkv", ".jpg")]
    assert videos and all(hash_file(v) == r.output_sha256 for v in videos)
    assert not {hash_file(v) for v in videos} & unredacted
    manifest = json.loads((rel / MANIFEST).read_bytes())
    assert manifest["format"] == RELEASE_FORMAT and manifest["kind"] == "release"
    assert "master" not in manifest and "working" not in manifest and "stills" not in manifest
    origin = manifest["derived_from"]
    assert origin["package"] == r.package
    assert origin["manifest_sha256"] == hash_file(full / MANIFEST)
    assert [m["sha256"] for m in origin["master"]] == [m["sha256"] for m in full_manifest["master"]]
    assert manifest["redacted"][0]["sha256"] == r.output_sha256
    assert verify_package(rel).ok, verify_package(rel).problems
    ok = cli_verify(rel)
    assert ok.returncode == 0 and "verified" in ok.stdout, ok.stderr
    tools = readme_verify(rel)
    assert tools.returncode == 0, tools.stderr
    assert "Signature Verified Successfully" in tools.stdout
    assert f"redacted/{cam}.mp4: OK" in tools.stdout
    with zipfile.ZipFile(root / f"{rel.name}.zip") as z:
        names = z.namelist()
    assert sorted(n.removeprefix(f"{rel.name}/") for n in names) == sorted(
        p.relative_to(rel).as_posix() for p in rel.rglob("*") if p.is_file()
    )
    with system.db.session() as s:  # the studio offers the full package to the police only
        assert not service.full_package_allowed(s, service.get(s, rid))
    # part 1 is redacted, so the request's one export is released as its release package
    with system.db.session() as s:
        system.requests.release(s, OLIVE, ref, "A. Person", "collected on USB")
        s.commit()
    assert release_audit(system)["release_packages"] == [rel.name]


def test_a_master_slipped_into_a_release_is_named_by_the_verifier(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    _, job_id = sar_exported(system, recorded, clock)
    r = state(system, render(system, clock, job_id, 1))
    root = job_dir(system.settings.data_dir / "exports", job_id)
    rel = root / release_name(r.package)
    master = next((root / r.package / "master").iterdir())
    (rel / "master").mkdir()
    (rel / "master" / master.name).write_bytes(master.read_bytes())
    manifest = json.loads((rel / MANIFEST).read_bytes())  # re-signed: only the rule catches it
    manifest["files"][f"master/{master.name}"] = hash_file(master)
    (rel / "SHA256SUMS").write_text(sums_text(manifest["files"]))
    manifest["files"]["SHA256SUMS"] = hash_file(rel / "SHA256SUMS")
    body = manifest_bytes(manifest)
    key, _ = ensure_signing_key(system.settings.data_dir)
    (rel / MANIFEST).write_bytes(body)
    (rel / SIGNATURE).write_bytes(key.sign(body))
    report = verify_package(rel)
    assert report.problems == [f"master/{master.name}: an unredacted picture in a release package"]
    assert cli_verify(rel).returncode != 0


def test_unredacted_sar_release_needs_a_recorded_reason(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    ref, job_id = sar_exported(system, recorded, clock)
    with system.db.session() as s:
        package = s.get(ExportJob, job_id).package  # type: ignore[union-attr]
        with pytest.raises(Conflict, match=package):
            system.requests.release(s, OLIVE, ref, "A. Person", "post")
    add_user(system, "sam", Role.SUPERVISOR)
    with system.db.session() as s:
        auth = {"Authorization": f"Bearer {system.users.issue_token(s, 'sam', 'tests', ROOT)}"}
        s.commit()
    with TestClient(create_app(system)) as client:
        page = f"/requests/{ref}"
        refused = client.post(f"{page}/release", data={"to": "A. Person", "how": "post"},
                              headers=auth, follow_redirects=False)  # fmt: skip
        assert refused.status_code == 422
        assert 'id="release-error"' in refused.text and "releases redacted copies" in refused.text
        assert 'value="A. Person"' in refused.text, "what was typed is kept"
        form = {"to": "A. Person", "how": "post",
                "unredacted_reason": "no other person in the footage"}  # fmt: skip
        done = client.post(f"{page}/release", data=form, headers=auth, follow_redirects=False)
        assert done.status_code == 303, done.text
    details = release_audit(system)
    assert details["unredacted"] == [package]
    assert details["unredacted_reason"] == "no other person in the footage"
