"""A finished segment for index-only tests (no file behind it), with its init row stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.clips import make_clip
from watchkeeper.db.engine import Database
from watchkeeper.recording.fmp4 import iter_boxes
from watchkeeper.recording.models import InitSegment
from watchkeeper.recording.paths import StreamKey, segment_relpath
from watchkeeper.recording.store import FinishedSegment

__all__ = ["INIT", "finished_segment", "store_init"]

INIT: list[bytes] = []


def store_init(db: Database, tmp: Path) -> None:
    """A real ``ftyp``+``moov`` (from a one-second fragmented MP4), stored as an init row."""
    if not INIT:
        clip = make_clip(tmp / "init.mp4", 1, "64x64", "mp4")
        INIT.append(clip.read_bytes())
    data = INIT[0]
    end = 0
    for kind, off, size in iter_boxes(data, 0, len(data)):
        if kind == b"moov":
            end = off + size
            break
    INIT[0] = data[:end]
    with db.session() as s:
        s.add(
            InitSegment(
                sha256=hashlib.sha256(INIT[0]).hexdigest(), codec="h264", width=64, height=64,
                timescale=90000, data=INIT[0], created_us=0,
            )
        )  # fmt: skip


def finished_segment(camera_id: str, start_us: int, seconds: int = 2) -> FinishedSegment:
    key = StreamKey(camera_id, "main")
    return FinishedSegment(
        key=key,
        start_us=start_us,
        end_us=start_us + seconds * 1_000_000,
        media_duration_us=seconds * 1_000_000,
        run_start_us=start_us,
        discontinuity=False,
        frames=seconds * 10,
        size_bytes=1000,
        sha256="a" * 64,
        init=INIT[0],
        relpath=segment_relpath(key, start_us),
        fragment_index=b"",
    )
