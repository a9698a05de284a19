"""Export jobs: resumed after a restart, cancelled queued or running, failures kept."""

from __future__ import annotations

import time

from tests.evidence.conftest import Recorded
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.jobs import ExportWorker, cancel_job
from watchkeeper.evidence.models import ExportJob, JobState
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

SUPERVISOR = Principal(2, "sam", Role.SUPERVISOR)


def queue(system: System, start_us: int, end_us: int, state: JobState = JobState.QUEUED) -> int:
    with system.db.session() as s:
        job = ExportJob(camera_id="TC-001", start_us=start_us, end_us=end_us,
                        state=state.value, created_by="sam", created_us=0)  # fmt: skip
        s.add(job)
        s.commit()
        return job.id


def state_of(system: System, job_id: int) -> ExportJob:
    with system.db.session() as s:
        job = s.get(ExportJob, job_id)
        assert job is not None
        s.expunge(job)
        return job


def worker(system: System, clock: FakeClock) -> ExportWorker:
    return ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock,
                        poll_s=0.05)  # fmt: skip


def test_a_job_interrupted_by_a_restart_is_built_by_the_next_worker(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    job_id = queue(system, recorded.t0, recorded.t0 + 2_000_000, JobState.RUNNING)
    w = worker(system, clock)
    w.start()
    try:
        deadline = time.monotonic() + 30
        while state_of(system, job_id).state != JobState.DONE.value:
            assert time.monotonic() < deadline, state_of(system, job_id).error
            time.sleep(0.1)
    finally:
        w.stop()
    job = state_of(system, job_id)
    assert job.attempts == 1 and job.progress == 1.0 and job.package
    assert (w.exports / f"job-{job_id}" / job.package / "manifest.json").is_file()


def test_cancel_queued_and_running_jobs(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    queued = queue(system, recorded.t0, recorded.t0 + 2_000_000)
    with system.db.session() as s:
        cancel_job(s, SUPERVISOR, queued, "asked twice", clock)
        s.commit()
    assert state_of(system, queued).state == JobState.CANCELLED.value
    running = queue(system, recorded.t0, recorded.t0 + 2_000_000)
    w = worker(system, clock)
    assert w._claim() == running
    with system.db.session() as s:
        cancel_job(s, SUPERVISOR, running, "wrong camera", clock)
        s.commit()
    w.build(running)
    assert state_of(system, running).state == JobState.CANCELLED.value
    assert not (w.exports / f"job-{running}").exists()


def test_a_failed_job_keeps_its_reason(
    system: System, recorded: Recorded, clock: FakeClock
) -> None:
    job_id = queue(system, recorded.gap_start + 1_000_000, recorded.gap_end - 1_000_000)
    assert worker(system, clock).run_once()
    job = state_of(system, job_id)
    assert job.state == JobState.FAILED.value and "nothing recorded on TC-001" in job.error
