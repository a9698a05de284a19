"""Camera health from the index and the stream events, on SQLite and PostgreSQL: recorded
hours per London day (split at midnight), uptime %, reconnects today, fps and bitrate of the
latest segment, clock offset, the not-recording flag, and the alarm banner's camera list."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.ptz.models import PtzCamera
from watchkeeper.recording.camera_health import CameraHealthReport, recorded_per_day
from watchkeeper.recording.models import InitSegment, Segment, StreamEvent
from watchkeeper.timeutil import US_PER_S, date_to_us, to_local
from watchkeeper.web.alarms import AlarmWatch, cameras_not_recording

from .conftest import World

HOUR = 3600 * US_PER_S


def _segment(s: Session, cam: str, start: int, end: int, size: int = 750_000) -> None:
    s.add(
        Segment(
            camera_id=cam,
            stream="main",
            start_us=start,
            end_us=end,
            media_duration_us=end - start,
            run_start_us=start,
            discontinuity=False,
            frames=(end - start) * 15 // US_PER_S,
            size_bytes=size,
            sha256="a" * 64,
            init_id=1,
            path=f"{cam}/{start}.mp4",
            fragment_index=b"",
            clock_offset_us=-1_500_000,
            created_us=end,
        )
    )


def _event(s: Session, cam: str, at: int, state: str, reason: str = "") -> None:
    s.add(StreamEvent(camera_id=cam, stream="main", at_us=at, state=state, reason=reason))


def _setup(world: World) -> tuple[int, int]:
    """TC-001 and TC-002 active, TC-003 planned; now is noon; returns (midnight, now)."""
    world.clock.advance(12 * 3600)
    now = world.clock.now_us()
    midnight = date_to_us(to_local(now).date())
    with world.session() as s:
        s.add(InitSegment(id=1, sha256="b" * 64, codec="h264", width=2, height=2,
                          timescale=90000, data=b"x", created_us=0))  # fmt: skip
        for n in (1, 2):
            cam = s.get(Camera, f"TC-00{n}")
            assert cam is not None
            cam.purpose, cam.dpia_ref, cam.status = "Crime", "DPIA-1", CameraStatus.ACTIVE
        s.flush()
        # across midnight: 30 s yesterday, 30 s today
        _segment(s, "TC-001", midnight - 30 * US_PER_S, midnight + 30 * US_PER_S)
        # an hour this morning, in one-minute segments; the last ends a minute ago
        for m in range(60):
            start = now - 61 * 60 * US_PER_S + m * 60 * US_PER_S
            _segment(s, "TC-001", start, start + 60 * US_PER_S)
        # two days ago: 10 minutes on TC-002
        for m in range(10):
            start = midnight - 2 * 24 * HOUR + m * 60 * US_PER_S
            _segment(s, "TC-002", start, start + 60 * US_PER_S)
        # TC-001: streaming yesterday; two falls today (one from stalled); a restart is none
        _event(s, "TC-001", midnight - HOUR, "streaming")
        for at, state in (
            (1, "connecting"),
            (2, "streaming"),
            (3, "stalled"),
            (4, "connecting"),
            (5, "streaming"),
            (6, "stopped"),
            (7, "connecting"),
            (8, "streaming"),
        ):
            _event(s, "TC-001", midnight + at * HOUR, state)
        _event(s, "TC-002", midnight + HOUR, "offline", "no video for 30 s: connection refused")
        s.add(PtzCamera(camera_id="TC-001", clock_offset_us=2_500_000,
                        clock_checked_us=now - HOUR, probed_us=0))  # fmt: skip
    return midnight, now


def test_health_per_camera_from_index_and_events(any_world: World) -> None:
    _midnight, now = _setup(any_world)
    report = CameraHealthReport(any_world.clock)
    with any_world.session() as s:
        cams = sorted(s.query(Camera).all(), key=lambda c: c.id)
        rows = {r.camera_id: r for r in report.build(s, cams)}
    one = rows["TC-001"]
    main = one.main
    assert (main.state, main.source, main.reconnects_today) == ("streaming", "index", 2)
    assert main.fps is not None and abs(main.fps - 15) < 0.01
    assert main.bitrate_bps is not None and abs(main.bitrate_bps - 100_000) < 1
    assert main.last_frame_us == now - US_PER_S * 60
    days = main.days
    assert len(days) == 7 and days[-1].day == to_local(now).date()
    assert days[-1].recorded_us == (30 + 3600) * US_PER_S  # today: after midnight + the hour
    assert days[-2].recorded_us == 30 * US_PER_S  # yesterday: the part before midnight
    assert abs(days[-1].percent - 100 * 3630 / (12 * 3600)) < 0.01
    assert (one.recording, one.flag, one.clock_offset_us) == (True, "", 2_500_000)
    two = rows["TC-002"]
    assert two.recording is False and "offline" in two.flag and "refused" in two.flag
    assert two.main.days[-3].recorded_us == 600 * US_PER_S
    assert two.main.days[-3].day == to_local(now).date() - timedelta(days=2)
    assert two.clock_offset_us == -1_500_000  # from its latest segment (no ONVIF reading)
    three = rows["TC-003"]  # planned: never flagged
    assert (three.flag, three.main.state, three.main.fps) == ("", "unknown", None)
    with any_world.session() as s:
        alarms = cameras_not_recording(s, now, 300 * US_PER_S)
    assert [(a.camera_id, a.state) for a in alarms] == [("TC-002", "offline")]


def test_streaming_without_footage_is_flagged_and_uptime_is_cached(world: World) -> None:
    midnight, now = _setup(world)
    world.clock.advance(20 * 60)  # TC-001 still "streaming", but nothing indexed since
    report = CameraHealthReport(world.clock, uptime_ttl_s=60)
    with world.session() as s:
        cam = s.get(Camera, "TC-001")
        assert cam is not None
        row = report.build(s, [cam])[0]
        assert row.recording is False and "no footage indexed" in row.flag
        alarms = cameras_not_recording(s, world.clock.now_us(), 300 * US_PER_S)
        assert {a.camera_id: a.state for a in alarms} == {
            "TC-001": "no footage",
            "TC-002": "offline",
        }
        _segment(s, "TC-001", midnight + 6 * HOUR, midnight + 7 * HOUR)
        s.flush()
        cached = report.build(s, [cam])[0].main.days[-1].recorded_us
        edges = [date_to_us(to_local(now).date() - timedelta(days=6 - i)) for i in range(7)]
        fresh = recorded_per_day(s, [*edges, world.clock.now_us()])[("TC-001", "main")][-1]
    assert fresh == cached + HOUR  # the page's figure is at most a minute old
    world.clock.advance(61)  # today is read again; the days before stay cached longer
    with world.session() as s:
        _segment(s, "TC-001", midnight - 20 * HOUR, midnight - 19 * HOUR)  # yesterday
        s.flush()
        days = report.build(s, [cam])[0].main.days
        assert days[-1].recorded_us == fresh and days[-2].recorded_us == 30 * US_PER_S
        world.clock.advance(600)
        days = report.build(s, [cam])[0].main.days
        assert days[-2].recorded_us == 30 * US_PER_S + HOUR


def test_alarm_banner_is_cached_and_only_for_supervisory_roles(world: World) -> None:
    _midnight, now = _setup(world)
    watch = AlarmWatch(world.system, ttl_s=5.0)
    assert watch.for_user(world.operator) is None  # no query for who may not see alarms
    first = watch.for_user(world.supervisor)
    assert first is not None and [a.camera_id for a in first.cameras] == ["TC-002"]
    assert first.disk is None  # this process does not record: no disk figure to show
    with world.session() as s:  # TC-001 goes offline
        _event(s, "TC-001", now, "offline", "connection refused")
    assert watch.for_user(world.supervisor) is first  # within the few seconds cached
    world.clock.advance(6)
    again = watch.for_user(world.supervisor)
    assert again is not None and [a.camera_id for a in again.cameras] == ["TC-001", "TC-002"]
