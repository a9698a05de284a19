"""Helpers shared by the recording tests (imported by name; pytest puts this folder on the path)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from watchkeeper.cameras.models import Area, Camera, CameraKind, CameraStatus, Site
from watchkeeper.db.engine import Database
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import InitSegment, Segment
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import FinishedSegment
from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
from watchkeeper.timeutil import FakeClock


def run_writer(
    clip: Path,
    root: Path,
    clock: FakeClock,
    config: RecorderConfig,
    loops: int = 1,
    key: StreamKey | None = None,
    index: Callable[[FinishedSegment], Any] | None = None,
    writer: SegmentWriter | None = None,
) -> list[FinishedSegment]:
    """Play ``clip`` in (fake) real time through the validator into a segment writer."""
    got: list[FinishedSegment] = []

    def _index(seg: FinishedSegment) -> None:
        got.append(seg)
        if index is not None:
            index(seg)

    key = key or StreamKey("TC-001", "main")
    w = writer or SegmentWriter(root, key, config, _index)
    src = file_opener(clock, realtime=True, loops=loops, sleep=clock.advance)(str(clip))
    w.start_connection(src.template)
    tb = src.template.time_base
    v = TimestampValidator(Fraction(tb.numerator, tb.denominator))
    for p in src.packets():
        st = v.check(PacketInfo(p.dts, p.pts, p.is_keyframe, clock.now_us()))
        if st.action in (Action.ACCEPT, Action.NEW_RUN):
            w.write(p, st)
    src.close()
    w.close()
    return got


def ffmpeg_errors(path: Path) -> str:
    """Decode a file fully with Debian's ffmpeg; returns its error output ('' if clean)."""
    r = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stderr.strip() + ("" if r.returncode == 0 else f" (exit {r.returncode})")


def ffprobe_frames(path: Path) -> int:
    r = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(r.stdout.strip())


def add_cameras(db: Database, ids: tuple[str, ...] = ("TC-001", "TC-002"), url: str = "") -> None:
    with db.session() as s:
        s.add(Site(id="tc", name="Town centre"))
        s.add(Area(id="tc-high", site_id="tc", name="High Street"))
        for cid in ids:
            s.add(
                Camera(
                    id=cid,
                    name=cid,
                    area_id="tc-high",
                    kind=CameraKind.FIXED,
                    status=CameraStatus.ACTIVE,
                    purpose="crime prevention",
                    dpia_ref="DPIA-1",
                    retention_days=31,
                    main_url=url,
                    updated_us=0,
                )
            )


def init_row(init_id: int = 1) -> InitSegment:
    """An init segment row (no real file behind it) for index-only tests."""
    return InitSegment(
        id=init_id,
        sha256="b" * 64,
        codec="h264",
        width=2,
        height=2,
        timescale=90000,
        data=b"x",
        created_us=0,
    )


def segment_row(**over: object) -> Segment:
    """A segment index row (no real file behind it); keyword arguments override fields."""
    values: dict[str, object] = dict(
        camera_id="TC-001",
        stream="main",
        start_us=10,
        end_us=20,
        media_duration_us=10,
        run_start_us=10,
        discontinuity=True,
        frames=1,
        size_bytes=100,
        sha256="a" * 64,
        init_id=1,
        path="p",
        fragment_index=b"",
        state="live",
        created_us=0,
    )
    values.update(over)
    return Segment(**values)


@contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real small filesystem at ``path`` (mounted as root); skipped with the reason where
    this machine cannot mount one, unless CI is set (then it fails)."""
    path.mkdir(parents=True, exist_ok=True)

    def cannot(why: str) -> None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to mount a tmpfs: {why}")
        pytest.skip(why)

    if os.geteuid() != 0 or shutil.which("mount") is None:
        cannot("mounting a tmpfs needs root")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if r.returncode != 0:
        cannot(f"mount not permitted here: {r.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
