"""Redaction jobs on real recorded footage and real export packages: no one in the clip,
a format change (one redaction per part), a render killed half-way, the package verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evidence.conftest import Recorded
from tests.redaction.conftest import export_done, redaction_worker
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.models import ExportJob
from watchkeeper.evidence.verify import verify_package
from watchkeeper.redaction import service
from watchkeeper.redaction.log import NO_ONE_NOTE
from watchkeeper.redaction.models import Redaction, RedactionState
from watchkeeper.redaction.plan import Style
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

pytestmark = pytest.mark.media
SAM = Principal(2, "sam", Role.SUPERVISOR)


def state(system: System, rid: int) -> Redaction:
    with system.db.session() as s:
        r = service.get(s, rid)
        s.expunge(r)
        return r


def start(system: System, clock: FakeClock, job_id: int, part: int) -> int:
    with system.db.session() as s:
        r = service.create(s, SAM, system.settings.data_dir / "exports", job_id, part, clock)
        s.commit()
        return r.id


def test_no_one_in_either_part_renders_unchanged_with_a_note(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    job_id = export_done(system, clock, recorded.t0, recorded.end)
    worker = redaction_worker(system, clock)
    ids = [start(system, clock, job_id, part) for part in (1, 2)]
    assert worker.run_once() and worker.run_once()
    for rid in ids:
        r = state(system, rid)
        assert r.state == RedactionState.READY.value, r.error
        assert json.loads(r.tracks) == []
        with system.db.session() as s:
            rr = service.get(s, rid)
            service.save_decisions(s, SAM, rr, {}, [], Style.PIXELATE, clock)
            service.queue_render(s, SAM, rr, clock)
            s.commit()
        assert worker.run_once()
        r = state(system, rid)
        assert r.state == RedactionState.DONE.value, r.error
        pkg = job_dir(system.settings.data_dir / "exports", job_id) / r.package
        log = json.loads((pkg / r.output.replace(".mp4", ".log.json")).read_text())
        assert log["notes"] == [NO_ONE_NOTE] and log["frames_redacted"] == 0
        assert log["rendered_by"] == "sam" and log["settings"]["style"] == "pixelate"
        clip = json.loads(r.clip)
        assert log["clip"]["frames"] == clip["frames"] and log["input"]["sha256"] == clip["sha256"]
        report = verify_package(pkg)
        assert report.ok, report.problems
        manifest = json.loads((pkg / "manifest.json").read_text())
        assert manifest["format"] == "watchkeeper-evidence/1"
        assert manifest["redacted"][0]["path"] == r.output
        assert manifest["files"][r.output] == r.output_sha256
        assert manifest["derived_from"]["package"] != r.package
    sizes = {json.loads(state(system, rid).clip)["width"] for rid in ids}
    assert sizes == {320, 480}, "each part of the format change is its own redaction"


def test_a_render_killed_half_way_is_done_again_and_never_shown_half_made(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    job_id = export_done(system, clock, recorded.t0, recorded.t0 + 3_000_000)
    worker = redaction_worker(system, clock)
    rid = start(system, clock, job_id, 1)
    assert worker.run_once()
    with system.db.session() as s:
        r = service.get(s, rid)
        service.queue_render(s, SAM, r, clock)
        s.commit()
    assert worker.claim() == rid  # claimed, then the process dies before rendering
    jd = job_dir(system.settings.data_dir / "exports", job_id)
    with system.db.session() as s:
        export = s.get(ExportJob, job_id)
        assert export is not None
        package = export.package
    stale = jd / f".{package}_R{rid}.part" / "redacted"
    stale.mkdir(parents=True)
    (stale / "TC-001-1.mp4").write_bytes(b"half a file")
    assert state(system, rid).state == RedactionState.RENDERING.value
    assert not service_done_paths(jd, package, rid)
    fresh = redaction_worker(system, clock)
    fresh.requeue_interrupted()
    assert state(system, rid).state == RedactionState.RENDER_QUEUED.value
    assert fresh.run_once()
    r = state(system, rid)
    assert r.state == RedactionState.DONE.value and r.attempts == 3  # analyse, render x2
    assert not (jd / f".{package}_R{rid}.part").exists()
    assert verify_package(jd / r.package).ok


def service_done_paths(jd: Path, package: str, rid: int) -> list[Path]:
    return [p for p in jd.iterdir() if p.name == f"{package}_R{rid}"]


def test_decisions_wait_for_the_analysis_and_refuse_unknown_tracks(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    from watchkeeper.errors import Conflict, ValidationError
    from watchkeeper.redaction.plan import Decision

    job_id = export_done(system, clock, recorded.t0, recorded.t0 + 2_000_000)
    rid = start(system, clock, job_id, 1)
    with system.db.session() as s:
        r = service.get(s, rid)
        with pytest.raises(Conflict, match="wait until it is ready"):
            service.save_decisions(s, SAM, r, {}, [], Style.BLUR, clock)
    assert redaction_worker(system, clock).run_once()
    with system.db.session() as s:
        r = service.get(s, rid)
        with pytest.raises(ValidationError, match="track 4 does not exist"):
            service.save_decisions(s, SAM, r, {4: Decision.SUBJECT}, [], Style.BLUR, clock)
    with system.db.session() as s, pytest.raises(ValidationError, match="part 3 does not exist"):
        service.create(s, SAM, system.settings.data_dir / "exports", job_id, 3, clock)
