"""The segment writer on real H.264 from a file, on a fake clock: files, hashes, index rows."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

from rec_helpers import ffmpeg_errors, ffprobe_frames, run_writer
from sqlalchemy import select

from watchkeeper.db.engine import Database
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fmp4 import scan_file, unpack_index
from watchkeeper.recording.models import InitSegment, Segment
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.timeutil import US_PER_S, FakeClock


def test_segments_are_contiguous_cut_on_keyframes_and_play(clip: Path, tmp_path: Path) -> None:
    clock = FakeClock()
    t0 = clock.now_us()
    segs = run_writer(
        clip, tmp_path, clock, RecorderConfig(segment_seconds=4, stagger=False), loops=3
    )
    assert [s.end_us - s.start_us for s in segs] == [4 * US_PER_S] * 4 + [2 * US_PER_S]
    assert segs[0].start_us == t0 and segs[0].discontinuity
    assert not any(s.discontinuity for s in segs[1:])
    for a, b in itertools.pairwise(segs):
        assert a.end_us == b.start_us, "no gap and no overlap inside a run"
    assert sum(s.frames for s in segs) == 18 * 15
    for s in segs:
        path = tmp_path / s.relpath
        data = path.read_bytes()
        assert s.sha256 == hashlib.sha256(data).hexdigest()
        assert s.size_bytes == len(data)
        assert ffmpeg_errors(path) == ""
        assert ffprobe_frames(path) == s.frames
        index = unpack_index(s.fragment_index)
        assert [e[0] for e in index] == [f.offset for f in scan_file(path).fragments]
        assert [e[2] for e in index] == [i * US_PER_S for i in range(len(index))]
        assert all(e[3] for e in index)
    assert not list(tmp_path.rglob("*.part"))


def test_first_segment_is_staggered_per_stream(clip: Path, tmp_path: Path) -> None:
    cfg = RecorderConfig(segment_seconds=10)
    lengths = set()
    for cam in ("TC-001", "TC-002", "TC-003", "TC-004"):
        segs = run_writer(clip, tmp_path, FakeClock(), cfg, loops=4, key=StreamKey(cam, "main"))
        lengths.add(segs[0].end_us - segs[0].start_us)
        assert all(s.end_us - s.start_us == 10 * US_PER_S for s in segs[1:-1])
    assert len(lengths) > 1, "rotations of different cameras fall at different times"


def test_rows_are_committed_with_shared_init(clip: Path, tmp_path: Path, db: Database) -> None:
    clock = FakeClock()
    index = SegmentIndex(db, clock)
    segs = run_writer(
        clip, tmp_path, clock, RecorderConfig(segment_seconds=3, stagger=False), index=index.add
    )
    with db.session() as s:
        rows = s.execute(select(Segment).order_by(Segment.start_us)).scalars().all()
        inits = s.execute(select(InitSegment)).scalars().all()
    assert [(r.start_us, r.end_us, r.sha256) for r in rows] == [
        (x.start_us, x.end_us, x.sha256) for x in segs
    ]
    assert len(inits) == 1 and (inits[0].width, inits[0].height) == (320, 240)
    assert inits[0].codec == "h264" and inits[0].timescale == 90_000
    assert (tmp_path / rows[0].path).read_bytes().startswith(inits[0].data)


def test_new_connection_with_other_resolution_gets_new_init(
    clip: Path, clip_hd: Path, tmp_path: Path, db: Database
) -> None:
    clock = FakeClock()
    index = SegmentIndex(db, clock)
    cfg = RecorderConfig(segment_seconds=60, stagger=False)
    writer = SegmentWriter(tmp_path, StreamKey("TC-001", "main"), cfg, index.add)
    run_writer(clip, tmp_path, clock, cfg, writer=writer)
    clock.advance(1)
    run_writer(clip_hd, tmp_path, clock, cfg, writer=writer)
    with db.session() as s:
        rows = s.execute(select(Segment).order_by(Segment.start_us)).scalars().all()
        sizes = {i.id: (i.width, i.height) for i in s.execute(select(InitSegment)).scalars()}
    assert [sizes[r.init_id] for r in rows] == [(320, 240), (480, 272)]
    assert all(r.discontinuity for r in rows)
    assert rows[1].start_us >= rows[0].end_us


def test_audio_is_dropped(tmp_path: Path) -> None:
    import subprocess

    src = tmp_path / "av.ts"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x120:rate=15",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-bf",
            "0",
            "-g",
            "15",
            "-c:a",
            "aac",
            "-f",
            "mpegts",
            str(src),
        ],
        check=True,
    )
    segs = run_writer(src, tmp_path / "rec", FakeClock(), RecorderConfig(stagger=False))
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
            str(tmp_path / "rec" / segs[0].relpath),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["video"]


def test_camera_clock_offset_is_stored_on_segments(clip: Path, tmp_path: Path) -> None:
    got: list = []
    offset = {"us": None}
    w = SegmentWriter(
        tmp_path,
        StreamKey("TC-001", "main"),
        RecorderConfig(segment_seconds=3, stagger=False),
        got.append,
        lambda: offset["us"],
    )
    clock = FakeClock()
    run_writer(clip, tmp_path, clock, RecorderConfig(), writer=w)
    offset["us"] = -1_250_000  # ONVIF says the camera is 1.25 s slow
    run_writer(clip, tmp_path, clock, RecorderConfig(), writer=w)
    assert [s.clock_offset_us for s in got] == [None, None, -1_250_000, -1_250_000]


def test_rtsp_opener_translates_connection_errors() -> None:
    import pytest

    from watchkeeper.errors import MediaError
    from watchkeeper.recording.ingest import rtsp_opener

    with pytest.raises(MediaError, match="cannot open stream"):
        rtsp_opener(open_timeout_s=2, read_timeout_s=2)("rtsp://127.0.0.1:9/none")


def test_rtsp_source_restores_lost_key_frame_timestamps() -> None:
    """FFmpeg's RTSP demuxer gives the first access unit, and the first after a silence, no
    DTS/PTS; those key frames must not be lost."""
    from dataclasses import dataclass
    from fractions import Fraction
    from types import SimpleNamespace

    from watchkeeper.recording.ingest import RtspSource

    @dataclass
    class Pkt:
        dts: int | None
        pts: int | None
        is_keyframe: bool
        size: int = 100

    video = SimpleNamespace(time_base=Fraction(1, 90_000), average_rate=15, guessed_rate=None)
    sent = [Pkt(None, None, True), Pkt(6000, 6000, False), Pkt(12000, 12000, False)]
    sent += [Pkt(None, None, True), Pkt(306000, 306000, False)]  # after a 3 s silence
    container = SimpleNamespace(
        streams=SimpleNamespace(video=[video]), demux=lambda _v: iter(sent), close=lambda: None
    )
    got = list(RtspSource(container).packets())
    assert [(p.dts, p.pts, p.is_keyframe) for p in got] == [
        (0, 0, True),
        (6000, 6000, False),
        (12000, 12000, False),
        (300000, 300000, True),
        (306000, 306000, False),
    ]
