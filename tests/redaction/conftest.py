"""Shared fixtures: the faces clip and its analysis, made once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.redaction.faces import make_faces_clip
from watchkeeper.redaction.detect import (
    ClipInfo,
    FaceDetector,
    clip_info,
    detect_clip,
    sample_step,
)
from watchkeeper.redaction.track import Track, link_tracks


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
