"""Supervisor state machine on a fake clock: back-off, offline alarm, stall, health."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from watchkeeper.errors import MediaError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import FileSource, MediaSource
from watchkeeper.recording.models import StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import FinishedSegment
from watchkeeper.recording.supervisor import StreamSupervisor
from watchkeeper.timeutil import US_PER_S, FakeClock

KEY = StreamKey("TC-001", "main")


class Harness:
    """A supervisor with scripted connections, fake sleep and captured events/segments."""

    def __init__(
        self, tmp: Path, script: list[Any], cfg: RecorderConfig, clock: FakeClock | None = None
    ) -> None:
        self.clock = clock or FakeClock()
        self.script = list(script)
        self.events: list[tuple[StreamState, int, str]] = []
        self.sleeps: list[float] = []
        self.segments: list[FinishedSegment] = []
        self.stop = threading.Event()
        writer = SegmentWriter(tmp, KEY, cfg, self.segments.append)
        self.sup = StreamSupervisor(
            KEY,
            "cam",
            self._open,
            writer,
            lambda k, st, at, why: self.events.append((st, at, why)),
            cfg,
            self.clock,
            self._sleep,
        )

    def _open(self, url: str) -> MediaSource:
        step = self.script.pop(0) if self.script else MediaError("connection refused")
        if isinstance(step, Exception):
            raise step
        return step(self.clock)

    def _sleep(self, seconds: float, stop: threading.Event) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)
        if not self.script:
            stop.set()

    def run(self) -> None:
        self.sup.run(self.stop)

    def states(self) -> list[StreamState]:
        return [e[0] for e in self.events]


def playing(clip: Path, loops: int = 1, stall_after: int | None = None) -> Any:
    """A connection that plays the clip in fake real time, optionally going quiet once."""

    class Stalling(FileSource):
        """Paced like a camera; goes quiet for 15 s once, then carries on in real time."""

        def packets(self) -> Iterator[Any]:
            start = clock.monotonic()
            tb = self.template.time_base
            first: int | None = None
            for n, p in enumerate(super().packets()):
                first = p.dts if first is None else first
                due = start + float((p.dts - first) * tb) + (15 if n >= (stall_after or 1e9) else 0)
                clock.advance(max(0.0, due - clock.monotonic()))
                yield p

    def _open(c: FakeClock) -> MediaSource:
        nonlocal clock
        clock = c
        return Stalling(clip, c, realtime=False, loops=loops)

    clock: FakeClock
    return _open


def test_backoff_starts_fast_caps_and_goes_offline(tmp_path: Path) -> None:
    cfg = RecorderConfig(offline_after_s=3, backoff_initial_s=0.5, backoff_max_s=2)
    h = Harness(tmp_path, [MediaError("refused")] * 6, cfg)
    h.run()
    assert h.sleeps == [0.5, 1, 2, 2, 2, 2]
    assert h.states() == [
        StreamState.CONNECTING,
        StreamState.CONNECTING,  # the first refusal, written at once
        StreamState.OFFLINE,
        StreamState.STOPPED,
    ]
    offline = h.events[2]
    assert offline[1] == h.events[0][1] + int(3.5 * US_PER_S)  # after 0.5+1+2 s of trying
    assert "refused" in offline[2]
    assert h.sup.health().reconnects == 5


def test_refused_attempts_leave_a_throttled_trace(tmp_path: Path) -> None:
    """Each failed attempt is counted; the first is written at once (the gap report can say
    why from the start), then one event a minute at most, never one per attempt."""
    cfg = RecorderConfig(offline_after_s=3, backoff_initial_s=0.5, backoff_max_s=2)
    h = Harness(tmp_path, [MediaError("connection refused")] * 90, cfg)
    h.run()
    tries = [e for e in h.events if "connect failed" in e[2] and "no video" not in e[2]]
    assert tries[0][0] is StreamState.CONNECTING and tries[0][1] == h.events[0][1]
    assert tries[0][2] == "connect failed: connection refused"
    # 90 attempts over ~3 minutes: the first plus one a minute
    assert 3 <= len(tries) <= 4, [e[2] for e in tries]
    assert "attempts failed since" in tries[-1][2]
    assert len(h.events) <= 7


def test_backoff_resets_after_stable_uptime(clip: Path, tmp_path: Path) -> None:
    cfg = RecorderConfig(stable_uptime_s=60, offline_after_s=300)
    h = Harness(
        tmp_path, [MediaError("x"), MediaError("x"), playing(clip, loops=11), MediaError("x")], cfg
    )
    h.run()
    assert h.sleeps == [0.5, 1, 0.5, 1]
    assert StreamState.STREAMING in h.states()
    assert sum(s.frames for s in h.segments) == 11 * 90


def test_stall_is_an_event_and_starts_a_new_run(clip: Path, tmp_path: Path) -> None:
    cfg = RecorderConfig(stall_seconds=10, stagger=False)
    h = Harness(tmp_path, [playing(clip, loops=2, stall_after=45)], cfg)
    h.run()
    assert h.states()[:4] == [
        StreamState.CONNECTING,
        StreamState.STREAMING,
        StreamState.STALLED,
        StreamState.STREAMING,
    ]
    stalled, resumed = h.events[2], h.events[3]
    # quiet 15 s, alarm at 10 (counted from the last frame's wall time: µs of rounding)
    assert abs(resumed[1] - stalled[1] - (5 * US_PER_S + 66_667)) < 1000
    # the clip's clock paused through the silence (continuous media after it): at first
    # taken for a backlog, then, late for the whole window, re-anchored (docs: time model)
    assert "behind arrival" in stalled[2]
    assert [s.discontinuity for s in h.segments] == [True, True]
    gap = h.segments[1].start_us - h.segments[0].end_us
    assert 14 * US_PER_S < gap < 16 * US_PER_S


def test_end_of_stream_then_refusal_is_stalled_then_offline(clip: Path, tmp_path: Path) -> None:
    cfg = RecorderConfig(offline_after_s=2, backoff_max_s=1)
    h = Harness(
        tmp_path,
        [playing(clip), MediaError("no route"), MediaError("no route"), MediaError("no route")],
        cfg,
    )
    h.run()
    assert h.states() == [
        StreamState.CONNECTING,
        StreamState.STREAMING,
        StreamState.STALLED,
        StreamState.CONNECTING,
        StreamState.CONNECTING,  # the first refusal
        StreamState.OFFLINE,
        StreamState.STOPPED,
    ]
    assert h.events[2][2] == "stream ended"
    assert h.events[4][2] == "connect failed: no route"
    assert len(h.segments) == 1 and h.segments[0].frames == 90


def test_health_reports_rate_and_keyframes(clip: Path, tmp_path: Path) -> None:
    cfg = RecorderConfig()
    h = Harness(tmp_path, [playing(clip)], cfg)
    seen: list[Any] = []
    original = h.sup._on_packet

    def spy(packet: Any, wall: int, run: int) -> None:
        original(packet, wall, run)
        if len(seen) == 0 and h.clock.now_us() - h.events[0][1] > 4 * US_PER_S:
            seen.append(h.sup.health())

    h.sup._on_packet = spy  # type: ignore[method-assign]
    h.run()
    health = seen[0]
    assert health.state is StreamState.STREAMING
    assert 14 <= health.fps <= 16
    assert health.bitrate_bps > 0 and health.last_keyframe_us is not None


def test_live_subscriber_gets_packets_with_wall_time(clip: Path, tmp_path: Path) -> None:
    h = Harness(tmp_path, [playing(clip)], RecorderConfig())
    sub = h.sup.fanout.subscribe(maxsize=1000)
    h.run()
    items = []
    while (item := sub.get(timeout=0)) is not None:
        items.append(item)
    assert len(items) == 90 and items[0].keyframe
    assert items[1].wall_us - items[0].wall_us == 66_666


def test_unexpected_error_does_not_kill_the_stream(clip: Path, tmp_path: Path) -> None:
    def broken(_c: FakeClock) -> MediaSource:
        raise RuntimeError("bug in a demuxer wrapper")

    h = Harness(tmp_path, [broken, playing(clip)], RecorderConfig())
    h.run()
    assert StreamState.STREAMING in h.states() and len(h.segments) == 1


def test_database_outage_does_not_stop_recording(clip: Path, tmp_path: Path) -> None:
    from watchkeeper.errors import StorageError

    indexed: list[FinishedSegment] = []
    down = {"yes": True}

    def flaky(seg: FinishedSegment) -> None:
        if down["yes"]:
            down["yes"] = False
            raise StorageError("database is locked")
        indexed.append(seg)

    clock = FakeClock()
    cfg = RecorderConfig(segment_seconds=2, stagger=False)
    writer = SegmentWriter(tmp_path, KEY, cfg, flaky)
    sup = StreamSupervisor(
        KEY,
        "cam",
        lambda url: playing(clip)(clock),
        writer,
        lambda *a: None,
        cfg,
        clock,
        lambda s, stop: stop.set(),
    )
    sup.run(threading.Event())
    assert [s.start_us for s in indexed] == sorted(s.start_us for s in indexed)
    assert len(indexed) == 3, "the segment refused first was indexed with the next"


def test_in_band_resolution_change_gets_new_init_segment(
    clip: Path, clip_hd: Path, tmp_path: Path
) -> None:
    from watchkeeper.recording.fmp4 import parse_init

    both = tmp_path / "both.ts"
    both.write_bytes(clip.read_bytes() + clip_hd.read_bytes())  # camera reconfigured mid-stream
    h = Harness(tmp_path / "rec", [playing(both), playing(clip_hd)], RecorderConfig(stagger=False))
    h.run()
    assert any("codec configuration changed" in e[2] for e in h.events)
    sizes = [(parse_init(s.init).width, parse_init(s.init).height) for s in h.segments]
    assert sizes == [(320, 240), (480, 272)]
    assert all(s.discontinuity for s in h.segments)


def test_pps_only_change_is_a_new_configuration() -> None:
    from watchkeeper.recording.supervisor import in_band_parameter_sets

    sps = b"\x00\x00\x01\x67\x42\xc0\x1e"
    idr = b"\x00\x00\x01\x65\x88\x84"
    one = in_band_parameter_sets(sps + b"\x00\x00\x01\x68\xce\x3c\x80" + idr, "h264")
    two = in_band_parameter_sets(sps + b"\x00\x00\x01\x68\xce\x38\x80" + idr, "h264")
    assert one is not None and two is not None and one != two
    assert in_band_parameter_sets(idr, "h264") is None
    hevc = b"\x00\x00\x01\x42\x01\x01\x60\x00\x00\x01\x44\x01\xc1"
    assert in_band_parameter_sets(hevc, "hevc") != in_band_parameter_sets(
        hevc[:-1] + b"\xc0", "hevc"
    )


def test_in_band_sps_parsing() -> None:
    from watchkeeper.recording.supervisor import in_band_sps

    h264 = b"\x00\x00\x00\x01\x09\xf0\x00\x00\x01\x67\x42\xc0\x1e\x00\x00\x01\x68\xce"
    assert in_band_sps(h264, "h264") == b"\x67\x42\xc0\x1e"
    hevc = b"\x00\x00\x01\x40\x01\x0c\x00\x00\x01\x42\x01\x01\x60\x00\x00\x01\x44\x01"
    assert in_band_sps(hevc, "hevc") == b"\x42\x01\x01\x60"
    assert in_band_sps(b"\x00\x00\x00\x10" + b"\x65" * 20, "h264") is None  # length-prefixed


def test_timestamp_jump_mid_gop_loses_nothing(clip: Path, tmp_path: Path) -> None:
    """A jump of the camera's clock on a delta frame: the rest of the GOP keeps the camera's
    spacing (its timestamps are carried on from before the jump, in the file too, which
    must stay decodable), and the new run starts at the next key frame. Nothing is lost,
    and no gap is reported where no video is missing."""

    class Jumping(FileSource):
        def packets(self) -> Iterator[Any]:
            start = clock.monotonic()
            tb = self.template.time_base
            first: int | None = None
            for n, p in enumerate(super().packets()):
                first = p.dts if first is None else first
                clock.advance(max(0.0, start + float((p.dts - first) * tb) - clock.monotonic()))
                if n >= 20:  # mid-GOP (a key frame every 15): the camera's clock leaps 3 s
                    p.dts += 3 * 90_000
                    p.pts = p.dts
                yield p

    clock = FakeClock()
    cfg = RecorderConfig(stagger=False)
    h = Harness(tmp_path, [lambda c: Jumping(clip, c, realtime=True)], cfg, clock)
    h.run()
    # streaming throughout: the only stall is the clip's end
    assert [(e[0], e[2]) for e in h.events[1:3]] == [
        (StreamState.STREAMING, "receiving video"),
        (StreamState.STALLED, "stream ended"),
    ]
    first, second = h.segments[0], h.segments[1]
    assert first.frames == 30 and second.frames == 60, "frames 20..29 kept"
    assert second.start_us == first.end_us and second.discontinuity
    assert first.end_us - first.start_us == first.media_duration_us == 2 * US_PER_S


def test_repeated_parameter_sets_are_no_change() -> None:
    from watchkeeper.recording.supervisor import in_band_parameter_sets

    sps, pps = b"\x00\x00\x01\x67\x42\xc0\x1e", b"\x00\x00\x01\x68\xce\x3c\x80"
    idr = b"\x00\x00\x01\x65\x88"
    assert in_band_parameter_sets(sps + pps + idr, "h264") == in_band_parameter_sets(
        sps + pps + sps + pps + idr, "h264"
    )
