"""The gap report: spans of footage and the reason for each gap, on a local day."""

from __future__ import annotations

from datetime import date

from watchkeeper.db.engine import Database
from watchkeeper.recording.gaps import day_report
from watchkeeper.recording.models import RecordingDeletion, Segment, StreamEvent
from watchkeeper.timeutil import US_PER_S, date_to_us, format_local

MIN = 60 * US_PER_S


def seg(start: int, end: int, cam: str = "TC-001") -> Segment:
    return Segment(
        camera_id=cam,
        stream="main",
        start_us=start,
        end_us=end,
        media_duration_us=end - start,
        run_start_us=start,
        discontinuity=False,
        frames=1,
        size_bytes=1,
        sha256="0" * 64,
        init_id=1,
        path=f"x/{start}",
        fragment_index=b"",
        state="live",
        created_us=0,
    )


def ev(at: int, state: str, reason: str = "") -> StreamEvent:
    return StreamEvent(camera_id="TC-001", stream="main", at_us=at, state=state, reason=reason)


def test_spans_and_gaps_with_reasons(db: Database) -> None:
    from watchkeeper.recording.models import InitSegment

    day = date(2026, 7, 1)  # BST: the local day starts at 23:00 UTC the day before
    d0 = date_to_us(day)
    with db.session() as s:
        s.add(
            InitSegment(
                id=1,
                sha256="1" * 64,
                codec="h264",
                width=1,
                height=1,
                timescale=90000,
                data=b"",
                created_us=0,
            )
        )
        s.flush()
        s.add(ev(d0 - MIN, "streaming", "receiving video"))
        s.add_all([seg(d0 - 30 * US_PER_S, d0 + MIN), seg(d0 + MIN, d0 + 2 * MIN)])
        s.add(ev(d0 + 2 * MIN, "stalled", "no packet for 10.0 s"))
        s.add(ev(d0 + 3 * MIN, "streaming", "receiving video"))
        s.add(seg(d0 + 3 * MIN, d0 + 4 * MIN))
        s.add(ev(d0 + 4 * MIN, "offline", "no video for 30 s: connect failed"))
        s.add(ev(d0 + 60 * MIN, "streaming", "receiving video"))
        s.add(seg(d0 + 60 * MIN, d0 + 61 * MIN))
        s.add(seg(d0 + 90 * MIN, d0 + 91 * MIN))  # a crash: no event at all
        s.add(ev(d0 + 91 * MIN, "stopped", "recorder stopped"))
    with db.session() as s:
        rep = day_report(s, "TC-001", day, now_us=d0 + 120 * MIN)
    assert [(sp.start_us - d0, sp.end_us - d0) for sp in rep.spans] == [
        (0, 2 * MIN),
        (3 * MIN, 4 * MIN),
        (60 * MIN, 61 * MIN),
        (90 * MIN, 91 * MIN),
    ]
    reasons = [(g.start_us - d0, g.end_us - d0, g.reason) for g in rep.gaps]
    assert reasons == [
        (2 * MIN, 3 * MIN, "stream stalled: no packet for 10.0 s"),
        (4 * MIN, 60 * MIN, "camera offline: no video for 30 s: connect failed"),
        (61 * MIN, 90 * MIN, "recorder interrupted while streaming (crash or power cut?)"),
        (91 * MIN, 120 * MIN, "recorder stopped: recorder stopped"),
    ]
    assert rep.recorded_us == 5 * MIN


def test_day_without_anything(db: Database) -> None:
    with db.session() as s:
        rep = day_report(s, "TC-002", date(2026, 1, 2))
    assert rep.spans == [] and len(rep.gaps) == 1
    assert rep.gaps[0].reason == "not recorded (recorder not running)"


def test_camera_that_never_connected_is_unreachable_not_recorder_not_running(
    db: Database,
) -> None:
    day = date(2026, 1, 2)
    d0 = date_to_us(day)
    refused = "connect failed: cannot open stream: [Errno 111] Connection refused: 'rtsp://***@h/x'"
    with db.session() as s:
        s.add(ev(d0 + 10 * MIN, "connecting", "opening stream"))
        s.add(ev(d0 + 10 * MIN + 5, "connecting", refused))
        s.add(ev(d0 + 11 * MIN, "offline", f"no video for 60 s: {refused}"))
    with db.session() as s:
        rep = day_report(s, "TC-001", day, now_us=d0 + 20 * MIN)
    assert [(g.start_us - d0, g.end_us - d0, g.reason) for g in rep.gaps] == [
        (0, 10 * MIN, "not recorded (recorder not running)"),
        (10 * MIN, 20 * MIN, f"camera unreachable: {refused}"),
    ]


def test_footage_deleted_is_explained_by_its_deletion_record(db: Database) -> None:
    from rec_helpers import init_row

    day = date(2026, 1, 2)
    d0 = date_to_us(day)
    with db.session() as s:
        s.add(init_row())
        s.flush()
        s.add(ev(d0 - MIN, "streaming", "receiving video"))
        s.add_all([seg(d0, d0 + MIN), seg(d0 + 4 * MIN, d0 + 5 * MIN)])
        for i, rule in ((1, "disk_pressure"), (2, "disk_pressure"), (3, "retention")):
            s.add(
                RecordingDeletion(
                    segment_id=i,
                    camera_id="TC-001",
                    stream="main",
                    start_us=d0 + i * MIN,
                    end_us=d0 + (i + 1) * MIN,
                    size_bytes=1,
                    sha256="0" * 64,
                    path=f"x/{i}",
                    rule=rule,
                    detail="disk critical: 4.0% free" if rule == "disk_pressure" else "old",
                    at_us=d0 + 30 * MIN,
                )
            )
    with db.session() as s:
        rep = day_report(s, "TC-001", day, now_us=d0 + 5 * MIN)
    at = format_local(d0 + 30 * MIN)
    assert [(g.start_us - d0, g.end_us - d0, g.reason) for g in rep.gaps] == [
        (MIN, 3 * MIN, f"footage deleted to free disk space at {at}: disk critical: 4.0% free"),
        (3 * MIN, 4 * MIN, f"footage deleted under the retention period at {at}: old"),
    ]


def test_gap_across_midnight_is_explained_by_the_event_after_midnight(db: Database) -> None:
    """A stall declared after midnight explains the whole gap, on both days, in the timeline
    and in an export's gap list (CI found a stall at 23:59:58 reported as a crash)."""
    from rec_helpers import init_row

    from watchkeeper.playback.timeline import build_timeline
    from watchkeeper.recording.gaps import gap_context

    day = date(2026, 12, 1)
    midnight = date_to_us(date(2026, 12, 2))
    with db.session() as s:
        s.add(init_row())
        s.flush()
        s.add(ev(midnight - 10 * MIN, "streaming", "receiving video"))
        s.add(seg(midnight - 10 * MIN, midnight - 2 * US_PER_S))
        s.add(ev(midnight + 2 * US_PER_S, "stalled", "no packet for 4.0 s"))
        s.add(ev(midnight + 3 * US_PER_S, "streaming", "receiving video"))
        s.add(seg(midnight + 3 * US_PER_S, midnight + MIN))
    stalled = "stream stalled: no packet for 4.0 s"
    with db.session() as s:
        before = day_report(s, "TC-001", day)
        after = day_report(s, "TC-001", date(2026, 12, 2), now_us=midnight + MIN)
        tl = build_timeline(s, "TC-001", midnight - MIN, midnight, buckets=60)
        ctx = gap_context(s, "TC-001", "main", midnight)
    assert (before.gaps[-1].start_us, before.gaps[-1].end_us, before.gaps[-1].reason) == (
        midnight - 2 * US_PER_S,
        midnight,
        stalled,
    )
    assert [(g.start_us, g.end_us, g.reason) for g in after.gaps] == [
        (midnight, midnight + 3 * US_PER_S, stalled)
    ]
    assert [g.reason for g in tl.gaps] == [stalled]
    # an export window ending at midnight: the same answer
    assert ctx.explain(midnight - 2 * US_PER_S, midnight) == stalled
    # a gap wholly inside the window is explained by what happened inside it only
    assert ctx.explain(midnight - 9 * MIN, midnight - 8 * MIN).startswith("recorder interrupted")
