"""Recorded footage for the playback tests: clips through the real segment writer and index."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from tests.foundation.helpers import ROOT

from watchkeeper.auth.roles import Role
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock


def record(
    system: System, clock: FakeClock, clip: Path, camera_id: str, segment_seconds: float = 2.0
) -> None:
    """Play ``clip`` on fake real time through validator, writer and index (one run)."""
    root = system.playback.root
    index = SegmentIndex(system.db, clock)
    config = RecorderConfig(
        segment_seconds=segment_seconds, stagger=False, fsync_each_fragment=False
    )
    writer = SegmentWriter(root, StreamKey(camera_id, "main"), config, index.add)
    src = file_opener(clock, realtime=True, sleep=clock.advance)(str(clip))
    writer.start_connection(src.template)
    tb = src.template.time_base
    v = TimestampValidator(Fraction(tb.numerator, tb.denominator))
    for p in src.packets():
        st = v.check(PacketInfo(p.dts, p.pts, p.is_keyframe, clock.now_us()))
        if st.action in (Action.ACCEPT, Action.NEW_RUN):
            writer.write(p, st)
    src.close()
    writer.close()


def grey(frame: object) -> tuple[bytes, int, int]:
    """Luma bytes (width x height, no padding) of an ``av.VideoFrame``."""
    g = frame.reformat(format="gray")  # type: ignore[attr-defined]
    plane = g.planes[0]
    w, h = g.width, g.height
    raw = bytes(plane)
    data = b"".join(raw[y * plane.line_size : y * plane.line_size + w] for y in range(h))
    return data, w, h


def mean_abs_diff(a: bytes, b: bytes) -> float:
    assert len(a) == len(b)
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def fitted_diff(a: bytes, b: bytes) -> float:
    """Mean absolute difference after the best linear map ``b ~ k*a + c``.

    Browsers and ffmpeg convert YUV to RGB with different ranges and matrices, which shifts
    and scales every pixel alike; what is left after the fit is a difference of picture.
    """
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    var = sum((x - ma) ** 2 for x in a) or 1.0
    k = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True)) / var
    c = mb - k * ma
    return sum(abs(k * x + c - y) for x, y in zip(a, b, strict=True)) / n


@dataclass
class Footage:
    """TC-001: 6 s at 320x240, a 10 s gap, 3 s at 480x272. RP-001 (client acme): 3 s."""

    t0: int
    gap_start: int
    gap_end: int
    end: int
    rp_start: int


@dataclass
class Served:
    url: str
    system: System


def token_for(system: System, role: Role) -> dict[str, str]:
    with system.db.session() as s:
        tok = system.users.issue_token(s, f"user-{role.value}", "tests", ROOT)
    return {"Authorization": f"Bearer {tok}"}
