"""Durable export jobs: rows in the database, one worker thread in the server process.

A job is claimed by moving it from ``queued`` to ``running`` in its own transaction; progress
is written in short transactions as the package is built, and the cancel flag is read there
too. A job found ``running`` when the worker starts was interrupted by a restart: it goes
back to ``queued`` and is built again from the start (the builder leaves nothing behind when
interrupted, so a rebuild is safe). A finished package is also zipped, uncompressed, for
download.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.db.engine import Database
from watchkeeper.errors import Conflict, NotFound, WatchkeeperError
from watchkeeper.evidence.archive import plain_path, plain_zip
from watchkeeper.evidence.models import CustodyAction, CustodyEntry, ExportJob, JobState, Still
from watchkeeper.evidence.package import ExportSpec, build_package
from watchkeeper.evidence.signing import ensure_signing_key
from watchkeeper.storage.files import SegmentFiles
from watchkeeper.timeutil import Clock
from watchkeeper.worker import PollingWorker

__all__ = ["ExportWorker", "JobCancelled", "cancel_job", "job_dir", "zip_path"]

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5


class JobCancelled(Exception):
    """Raised inside the build when the job's cancel flag is set."""


def job_dir(exports: Path, job_id: int) -> Path:
    return exports / f"job-{job_id}"


def zip_path(exports: Path, job: ExportJob) -> Path:
    return plain_path(job_dir(exports, job.id), job.package)


def cancel_job(s: Session, who: Principal, job_id: int, reason: str, clock: Clock) -> ExportJob:
    """Cancel a job: a queued one at once, a running one at its next progress report."""
    who.require(Right.EVIDENCE_EXPORT)
    job = s.get(ExportJob, job_id)
    if job is None:
        raise NotFound(f"export job {job_id} not found")
    if job.state not in (JobState.QUEUED.value, JobState.RUNNING.value):
        raise Conflict(f"export job {job_id} is {job.state}; nothing to cancel")
    job.cancel_requested = True
    if job.state == JobState.QUEUED.value:
        job.state, job.finished_us = JobState.CANCELLED.value, clock.now_us()
    s.flush()
    record(s, who.actor, "evidence.job.cancel", "evidence_job", str(job.id),
           reason.strip() or "cancelled", {"state": job.state}, clock=clock)  # fmt: skip
    return job


class ExportWorker(PollingWorker):
    thread_name = "export-worker"

    def __init__(
        self, db: Database, root: Path | SegmentFiles, data_dir: Path, clock: Clock,
        poll_s: float = 0.5,
    ) -> None:  # fmt: skip
        self.db = db
        self.root = root
        self.data_dir = data_dir
        self.exports = data_dir / "exports"
        self.clock = clock
        super().__init__(poll_s)

    def requeue_interrupted(self) -> None:
        with self.db.session() as s:
            s.execute(
                update(ExportJob)
                .where(ExportJob.state == JobState.RUNNING.value)
                .values(state=JobState.QUEUED.value, stage="resumed", progress=0.0)
            )
            s.commit()

    def _claim(self) -> int | None:
        with self.db.session() as s:
            job = s.scalars(
                select(ExportJob)
                .where(ExportJob.state == JobState.QUEUED.value)
                .order_by(ExportJob.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if job is None:
                return None
            if job.cancel_requested:
                job.state, job.finished_us = JobState.CANCELLED.value, self.clock.now_us()
                s.commit()
                return None
            job.state, job.started_us = JobState.RUNNING.value, self.clock.now_us()
            job.attempts += 1
            s.commit()
            return job.id

    def _set(self, job_id: int, **values: object) -> bool:
        """Write progress; True when the job was asked to cancel."""
        with self.db.session() as s:
            s.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
            flag = s.scalar(select(ExportJob.cancel_requested).where(ExportJob.id == job_id))
            s.commit()
            return bool(flag)

    def run_once(self) -> bool:
        """Build the next queued job, if any; True when one was taken."""
        job_id = self._claim()
        if job_id is None:
            return False
        self.build(job_id)
        return True

    def build(self, job_id: int) -> None:
        """Build a claimed (running) job to done, failed or cancelled."""
        out = job_dir(self.exports, job_id)
        shutil.rmtree(out, ignore_errors=True)
        last = [0.0]

        def progress(stage: str, frac: float) -> None:
            # "done" comes after the build wrote its audit row: the job row is set below,
            # in the same transaction (a second writer would wait on SQLite's lock)
            now = self.clock.monotonic()
            if stage == "done" or now - last[0] < PROGRESS_EVERY_S:
                return
            last[0] = now
            share = {"master": 0.0, "working": 0.3, "manifest": 0.95}.get(stage, 1.0)
            width = {"master": 0.3, "working": 0.65}.get(stage, 0.0)
            if self._set(job_id, stage=stage, progress=min(1.0, share + width * frac)):
                raise JobCancelled

        try:
            with self.db.session() as s:
                job = s.get(ExportJob, job_id)
                assert job is not None
                key, _ = ensure_signing_key(self.data_dir)
                spec = ExportSpec(
                    job.camera_id, job.start_us, job.end_us, job.stream,
                    f"REQ-{job.request_id:06d}" if job.request_id else "", job.exhibit_ref,
                    stills=tuple(json.loads(job.stills)),
                )  # fmt: skip
                pkg = build_package(
                    s, self.root, out, key, spec, Actor(None, job.created_by), self.clock,
                    progress,
                )  # fmt: skip
                plain_zip(pkg.path)
                body = (pkg.path / "manifest.json").read_bytes()
                digest = hashlib.sha256(body).hexdigest()
                job.state, job.stage, job.progress = JobState.DONE.value, "done", 1.0
                job.package, job.manifest_sha256 = pkg.path.name, digest
                job.finished_us = self.clock.now_us()
                for still in pkg.manifest["stills"]:
                    s.add(Still(
                        job_id=job.id, request_id=job.request_id, camera_id=job.camera_id,
                        at_us=still["at_us"], package=pkg.path.name, path=still["path"],
                        sha256=pkg.manifest["files"][still["path"]], made_by=job.created_by,
                        made_us=self.clock.now_us(),
                    ))  # fmt: skip
                s.add(CustodyEntry(
                    request_id=job.request_id, job_id=job.id, at_us=self.clock.now_us(),
                    action=CustodyAction.PRODUCED.value, recipient="", hash_checked=True,
                    manifest_sha256=digest, recorded_by=job.created_by,
                    notes=f"package {pkg.path.name} built and verified against the index",
                ))  # fmt: skip
                s.commit()
        except JobCancelled:
            shutil.rmtree(out, ignore_errors=True)
            self._set(job_id, state=JobState.CANCELLED.value, finished_us=self.clock.now_us())
        except (WatchkeeperError, OSError) as exc:
            shutil.rmtree(out, ignore_errors=True)
            reason = str(exc) if isinstance(exc, WatchkeeperError) else f"disk: {exc.strerror}"
            self._set(job_id, state=JobState.FAILED.value, error=reason[:2000],
                      finished_us=self.clock.now_us())  # fmt: skip
        except Exception:
            # a bug, not a bad job: say so on the job rather than leave it running for ever
            log.exception("export job %s", job_id)
            shutil.rmtree(out, ignore_errors=True)
            self._set(job_id, state=JobState.FAILED.value, finished_us=self.clock.now_us(),
                      error="internal error building the package; see the server log")  # fmt: skip
