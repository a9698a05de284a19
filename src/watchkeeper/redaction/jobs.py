"""Durable redaction jobs: analysis (detect + track) and render, on the ``redaction`` row.

As export jobs do: a job is claimed in its own transaction, progress is written in short
transactions (where the cancel flag is read), and a job found ``analysing`` or
``rendering`` at start was interrupted and is queued again, to be done from the start.
A render assembles the redacted package in a hidden ``.part`` folder that is removed
before a retry; the row becomes ``done`` only after the folder is renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, update

from watchkeeper.audit.service import Actor, record
from watchkeeper.db.engine import Database
from watchkeeper.errors import WatchkeeperError
from watchkeeper.evidence.archive import plain_zip
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.manifest import hash_file, times
from watchkeeper.evidence.models import CustodyAction, CustodyEntry, ExportJob
from watchkeeper.evidence.signing import ensure_signing_key
from watchkeeper.redaction import service
from watchkeeper.redaction.detect import FaceDetector, clip_info, detect_clip, sample_step
from watchkeeper.redaction.log import log_bytes, redaction_log
from watchkeeper.redaction.models import QUEUED, Redaction, RedactionState
from watchkeeper.redaction.package import REDACTED_DIR, derived_name, seal_redacted, stage_dir
from watchkeeper.redaction.plan import Decision, ManualBox, Settings, boxes_at, parse_manual
from watchkeeper.redaction.release import seal_release
from watchkeeper.redaction.render import render_clip
from watchkeeper.redaction.track import link_tracks
from watchkeeper.timeutil import Clock
from watchkeeper.worker import PollingWorker

__all__ = ["Cancelled", "RedactionWorker"]

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
_NEXT = {
    RedactionState.ANALYSE_QUEUED.value: RedactionState.ANALYSING.value,
    RedactionState.RENDER_QUEUED.value: RedactionState.RENDERING.value,
}


class Cancelled(Exception):
    """Raised inside a job when its cancel flag is set."""


class RedactionWorker(PollingWorker):
    thread_name = "redaction-worker"

    def __init__(self, db: Database, data_dir: Path, clock: Clock, poll_s: float = 0.5) -> None:
        self.db = db
        self.data_dir = data_dir
        self.exports = data_dir / "exports"
        self.clock = clock
        super().__init__(poll_s)
        self._detector: FaceDetector | None = None

    def requeue_interrupted(self) -> None:
        with self.db.session() as s:
            for running, queued in (
                (RedactionState.ANALYSING, RedactionState.ANALYSE_QUEUED),
                (RedactionState.RENDERING, RedactionState.RENDER_QUEUED),
            ):
                s.execute(
                    update(Redaction)
                    .where(Redaction.state == running.value)
                    .values(state=queued.value, stage="resumed", progress=0.0)
                )
            s.commit()

    def claim(self) -> int | None:
        with self.db.session() as s:
            r = s.scalars(
                select(Redaction)
                .where(Redaction.state.in_(QUEUED))
                .order_by(Redaction.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if r is None:
                return None
            if r.cancel_requested:
                r.state, r.finished_us = RedactionState.CANCELLED.value, self.clock.now_us()
                s.commit()
                return None
            r.state, r.progress, r.error = _NEXT[r.state], 0.0, ""
            r.attempts += 1
            s.commit()
            return r.id

    def run_once(self) -> bool:
        rid = self.claim()
        if rid is None:
            return False
        self.process(rid)
        return True

    def _set(self, rid: int, **values: object) -> bool:
        with self.db.session() as s:
            s.execute(update(Redaction).where(Redaction.id == rid).values(**values))
            flag = s.scalar(select(Redaction.cancel_requested).where(Redaction.id == rid))
            s.commit()
            return bool(flag)

    def _progress(
        self, rid: int, stage: str, lo: float, hi: float
    ) -> tuple[float, Callable[[float], None]]:
        last = [0.0]

        def report(frac: float) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY_S and frac < 1.0:
                return
            last[0] = now
            if self._set(rid, stage=stage, progress=min(1.0, lo + (hi - lo) * frac)):
                raise Cancelled

        return lo, report

    def process(self, rid: int) -> None:
        """Run a claimed job (analysing or rendering) to its next state."""
        with self.db.session() as s:
            state = service.get(s, rid).state
        try:
            if state == RedactionState.ANALYSING.value:
                self.analyse(rid)
            else:
                self.render(rid)
        except Cancelled:
            self._cleanup(rid)
            self._set(rid, state=RedactionState.CANCELLED.value, finished_us=self.clock.now_us())
        except (WatchkeeperError, OSError) as exc:
            self._cleanup(rid)
            reason = str(exc) if isinstance(exc, WatchkeeperError) else f"disk: {exc.strerror}"
            self._set(rid, state=RedactionState.FAILED.value, error=reason[:2000],
                      finished_us=self.clock.now_us())  # fmt: skip
        except Exception:
            log.exception("redaction job %s", rid)
            self._cleanup(rid)
            self._set(rid, state=RedactionState.FAILED.value, finished_us=self.clock.now_us(),
                      error="internal error in the redaction job; see the server log")  # fmt: skip

    def _cleanup(self, rid: int) -> None:
        with self.db.session() as s:
            r = service.get(s, rid)
            job = s.get(ExportJob, r.export_job_id)
            if job is not None and job.package:
                shutil.rmtree(stage_dir(job_dir(self.exports, job.id), job.package, rid),
                              ignore_errors=True)  # fmt: skip

    def detector(self, settings: Settings) -> FaceDetector:
        d = self._detector
        if d is None or (d.threshold, d.scale) != (settings.threshold, settings.scale):
            self._detector = d = FaceDetector(settings.threshold, settings.scale)
        return d

    def analyse(self, rid: int) -> None:
        with self.db.session() as s:
            r = service.get(s, rid)
            src = service.source_path(self.exports, s, r)
            settings = Settings.from_json(json.loads(r.settings))
        info = clip_info(src)
        step = sample_step(info.rate, settings.rate)
        _, report = self._progress(rid, "detect", 0.0, 0.95)
        samples = detect_clip(src, self.detector(settings), step, report, info.frames)
        tracks = link_tracks(samples)
        clip = {
            "width": info.width, "height": info.height, "frames": info.frames,
            "rate": f"{info.rate.numerator}/{info.rate.denominator}", "fps": float(info.rate),
            "step": step, "times": info.times, "sha256": hash_file(src),
            "first_pts": info.first_pts,
            "time_base": f"{info.time_base.numerator}/{info.time_base.denominator}",
            "detections": sum(len(x.boxes) for x in samples),
        }  # fmt: skip
        self._set(rid, state=RedactionState.READY.value, stage="ready", progress=1.0,
                  clip=json.dumps(clip), tracks=json.dumps([t.to_json() for t in tracks]),
                  finished_us=self.clock.now_us())  # fmt: skip

    def render(self, rid: int) -> None:
        with self.db.session() as s:
            r = service.get(s, rid)
            job = s.get(ExportJob, r.export_job_id)
            assert job is not None
            src = service.source_path(self.exports, s, r)
            pkg_dir = job_dir(self.exports, job.id)
            source_pkg = pkg_dir / job.package
            clip = service.clip_of(r)
            tracks = service.tracks_of(r)
            stored = service.decisions_of(r)
            manual: list[ManualBox] = parse_manual(json.loads(r.manual), int(clip["frames"]))
            settings = Settings.from_json(json.loads(r.settings))
            created_by, rendered_by, part = r.created_by, r.rendered_by, r.part
            request_id, camera = job.request_id, job.camera_id
        stage = stage_dir(pkg_dir, job.package, rid)
        shutil.rmtree(stage, ignore_errors=True)
        (stage / REDACTED_DIR).mkdir(parents=True)
        name = f"{REDACTED_DIR}/{camera}-{part}.mp4"
        log_name = f"{REDACTED_DIR}/{camera}-{part}.log.json"
        decisions = {int(k): Decision(v["decision"]) for k, v in stored.items()}
        step = int(clip["step"])
        _, report = self._progress(rid, "render", 0.0, 0.9)
        source_sha = hash_file(src)
        if source_sha != clip.get("sha256"):
            raise WatchkeeperError(f"{src.name} changed since it was analysed; analyse it again")
        done = render_clip(
            src, stage / name, lambda i: boxes_at(i, tracks, decisions, manual, step),
            settings.style, settings.pad, int(clip["frames"]), report,
        )  # fmt: skip
        out_sha = hash_file(done.path)
        now = self.clock.now_us()
        body = log_bytes(redaction_log(
            redaction_id=rid, package=derived_name(job.package, rid), source=r.source,
            source_sha256=source_sha, output=name, output_sha256=out_sha,
            rendered_by=rendered_by, rendered_us=now, created_by=created_by, tracks=tracks,
            decisions=stored, manual=manual, settings=settings, clip=clip,
            frames_redacted=done.redacted_frames,
        ))  # fmt: skip
        (stage / log_name).write_bytes(body)
        if self._set(rid, stage="package", progress=0.92):
            raise Cancelled
        key, _ = ensure_signing_key(self.data_dir)
        entry = {
            "path": name, "log": log_name, "source": r.source, "sha256": out_sha,
            "source_sha256": source_sha, "log_sha256": hashlib.sha256(body).hexdigest(),
            "frames": done.frames, "frames_redacted": done.redacted_frames, **times("made", now),
        }  # fmt: skip
        final = seal_redacted(source_pkg, stage, key, entry)
        plain_zip(final)
        release = seal_release(final, key, rendered_by, now)
        plain_zip(release)
        digest = hashlib.sha256((final / "manifest.json").read_bytes()).hexdigest()
        with self.db.session() as s:
            r = service.get(s, rid)
            r.state, r.stage, r.progress = RedactionState.DONE.value, "done", 1.0
            r.package, r.output, r.output_sha256 = final.name, name, out_sha
            r.log_sha256, r.finished_us = hashlib.sha256(body).hexdigest(), now
            s.add(CustodyEntry(
                request_id=request_id, job_id=job.id, at_us=now,
                action=CustodyAction.PRODUCED.value, recipient="", hash_checked=True,
                manifest_sha256=digest, recorded_by=rendered_by,
                notes=f"redacted package {final.name} made from {job.package} and its release "
                      f"{release.name} (no unredacted picture) (redaction {rid})",
            ))  # fmt: skip
            record(s, Actor(None, rendered_by), "redaction.rendered", "redaction", str(rid),
                   "redacted copy made", {"package": final.name, "release": release.name,
                                          "output_sha256": out_sha,
                                          "manifest_sha256": digest}, clock=self.clock)  # fmt: skip
            s.commit()
