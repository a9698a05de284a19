"""The timeline query on SQLite and PostgreSQL, at fine and coarse zoom, on synthetic rows."""

from __future__ import annotations

from tests.foundation.helpers import load_small_register

from watchkeeper.playback.timeline import build_timeline
from watchkeeper.recording.models import InitSegment, Segment, StreamEvent
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S

T0 = 1_767_225_600_000_000
MIN = 60 * US_PER_S


def test_timeline_on_each_database(any_system: System) -> None:
    load_small_register(any_system)
    with any_system.db.session() as s:
        init = InitSegment(
            sha256="0" * 64,
            codec="h264",
            width=2,
            height=2,
            timescale=90000,
            data=b"x",
            created_us=0,
        )
        s.add(init)
        s.flush()
        # Two hours a minute at a time, except a 10-minute hole at 01:00 (camera offline).
        for m in range(120):
            if 60 <= m < 70:
                continue
            a = T0 + m * MIN
            s.add(
                Segment(
                    camera_id="TC-001",
                    stream="main",
                    start_us=a,
                    end_us=a + MIN,
                    media_duration_us=MIN,
                    run_start_us=a,
                    discontinuity=False,
                    frames=1,
                    size_bytes=1,
                    sha256="1" * 64,
                    init_id=init.id,
                    path=f"{m}.mp4",
                    fragment_index=b"",
                    created_us=0,
                    state="live",
                )
            )
        s.add(
            StreamEvent(
                camera_id="TC-001", stream="main", at_us=T0 - 1, state="streaming", reason=""
            )
        )
        s.add(
            StreamEvent(
                camera_id="TC-001",
                stream="main",
                at_us=T0 + 60 * MIN,
                state="offline",
                reason="no video for 30 s",
            )
        )
    with any_system.db.session() as s:
        fine = build_timeline(s, "TC-001", T0, T0 + 120 * MIN, buckets=1000)
        coarse = build_timeline(
            s, "TC-001", T0 - 86400 * US_PER_S * 30, T0 + 120 * MIN, buckets=1000
        )
        hidden = build_timeline(
            s, "TC-001", T0 - 86400 * US_PER_S * 365, T0 + 120 * MIN, buckets=1000
        )
    want = [(T0, T0 + 60 * MIN), (T0 + 70 * MIN, T0 + 120 * MIN)]
    assert [(x.start_us, x.end_us) for x in fine.spans] == want
    assert fine.gaps[0].reason == "camera offline: no video for 30 s"
    # A month at 1000 px: 43 min a pixel, the 10-min hole is under a pixel.
    assert len(coarse.spans) == 1 and coarse.spans[0].start_us == T0
    assert len(hidden.spans) == 1
