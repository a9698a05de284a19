"""Shared fixtures: the faces clip and its analysis, made once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.evidence.conftest import ev_clips, recorded
from tests.redaction.faces import make_faces_clip
from watchkeeper.evidence.jobs import ExportWorker
from watchkeeper.evidence.models import ExportJob
from watchkeeper.redaction.detect import (
    ClipInfo,
    FaceDetector,
    clip_info,
    detect_clip,
    sample_step,
)
from watchkeeper.redaction.jobs import RedactionWorker
from watchkeeper.redaction.track import Track, link_tracks
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

__all__ = ["ev_clips", "recorded"]  # the evidence tests' recorded footage, shared


@dataclass(frozen=True)
class Analysed:
    path: Path
    info: ClipInfo
    step: int
    tracks: list[Track]


@pytest.fixture(scope="session")
def faces_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_faces_clip(tmp_path_factory.mktemp("faces") / "faces.mp4")


@pytest.fixture(scope="session")
def analysed(faces_clip: Path) -> Analysed:
    info = clip_info(faces_clip)
    step = sample_step(info.rate, 5.0)
    samples = detect_clip(faces_clip, FaceDetector(), step)
    return Analysed(faces_clip, info, step, link_tracks(samples))


def export_done(system: System, clock: FakeClock, start_us: int, end_us: int) -> int:
    """A finished export package of TC-001 over the window, built by the real worker."""
    with system.db.session() as s:
        job = ExportJob(camera_id="TC-001", start_us=start_us, end_us=end_us,
                        created_by="sam", created_us=clock.now_us())  # fmt: skip
        s.add(job)
        s.commit()
        job_id = job.id
    worker = ExportWorker(system.db, system.playback.root, system.settings.data_dir, clock)
    assert worker.run_once()
    with system.db.session() as s:
        done = s.get(ExportJob, job_id)
        assert done is not None and done.state == "done", done and done.error
    return job_id


def redaction_worker(system: System, clock: FakeClock) -> RedactionWorker:
    return RedactionWorker(system.db, system.settings.data_dir, clock, poll_s=0.05)
