"""The timestamp validator, case by case, on fake packets (90 kHz, 15 fps)."""

from __future__ import annotations

from fractions import Fraction

from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator

TB = Fraction(1, 90_000)
STEP = 6000  # ticks per frame at 15 fps
T0 = 1_767_225_600_000_000


def feed(v: TimestampValidator, packets: list[tuple[int | None, int]], keys: bool = False) -> list:
    """(dts, receive offset µs) pairs -> stamps; the first is a key frame (all if ``keys``)."""
    return [v.check(PacketInfo(d, d, keys or i == 0, T0 + rx)) for i, (d, rx) in enumerate(packets)]


def steady(n: int, start_dts: int = 0) -> list[tuple[int | None, int]]:
    return [(start_dts + i * STEP, i * 66_667) for i in range(n)]


def test_first_packet_starts_a_run_anchored_to_receive_time() -> None:
    stamps = feed(TimestampValidator(TB), steady(3, start_dts=123_456))
    assert stamps[0].action is Action.NEW_RUN and stamps[0].wall_us == T0
    assert [s.action for s in stamps[1:]] == [Action.ACCEPT, Action.ACCEPT]
    assert stamps[2].wall_us == T0 + 2 * STEP * 1_000_000 // 90_000  # media time, not rx time
    assert all(s.run_start_us == T0 for s in stamps)


def test_missing_dts_is_dropped_then_a_new_run_starts() -> None:
    stamps = feed(TimestampValidator(TB), [(0, 0), (None, 66_667), (2 * STEP, 133_333)])
    assert stamps[1].action is Action.DROP and "without DTS" in stamps[1].reason
    assert stamps[2].action is Action.NEW_RUN and stamps[2].wall_us == T0 + 133_333


def test_too_many_missing_dts_asks_for_reconnect() -> None:
    v = TimestampValidator(TB, max_missing_dts=3)
    stamps = feed(v, [(0, 0)] + [(None, i * 1000) for i in range(1, 5)])
    assert [s.action for s in stamps[1:]] == [Action.DROP] * 3 + [Action.RECONNECT]


def test_non_increasing_dts_is_dropped() -> None:
    stamps = feed(
        TimestampValidator(TB),
        [(0, 0), (STEP, 66_667), (STEP, 70_000), (STEP // 2, 80_000), (2 * STEP, 133_333)],
    )
    assert [s.action for s in stamps] == [
        Action.NEW_RUN,
        Action.ACCEPT,
        Action.DROP,
        Action.DROP,
        Action.ACCEPT,
    ]


def test_forward_jump_starts_new_run() -> None:
    stamps = feed(
        TimestampValidator(TB, max_gap_s=5),
        [(0, 0), (STEP, 66_667), (STEP + 90_000 * 60, 133_333)],
        keys=True,
    )
    assert stamps[2].action is Action.NEW_RUN and "forward" in stamps[2].reason
    assert stamps[2].wall_us == T0 + 133_333


def test_backward_jump_camera_restart_starts_new_run() -> None:
    stamps = feed(
        TimestampValidator(TB),
        [(90_000 * 3600, 0), (90_000 * 3600 + STEP, 66_667), (0, 133_333), (STEP, 200_000)],
        keys=True,
    )
    assert stamps[2].action is Action.NEW_RUN and "back" in stamps[2].reason
    assert stamps[3].action is Action.ACCEPT and stamps[3].run_start_us == T0 + 133_333


def test_receive_gap_over_stall_with_a_media_gap_starts_new_run() -> None:
    stamps = feed(
        TimestampValidator(TB, stall_s=10, max_gap_s=20),
        [(0, 0), (STEP, 66_667), (STEP + 90_000 * 15, 15_000_000)],
    )
    assert stamps[2].action is Action.NEW_RUN and "no packet for 14.9 s" in stamps[2].reason


def test_receive_gap_over_stall_with_continuous_media_is_a_backlog() -> None:
    # TCP held 14.9 s of packets back; the next frame is still the next frame
    stamps = feed(
        TimestampValidator(TB, stall_s=10), [(0, 0), (STEP, 66_667), (2 * STEP, 15_000_000)]
    )
    assert stamps[2].action is Action.ACCEPT and stamps[2].wall_us == T0 + 133_333


def test_silence_with_the_camera_clock_running_on_is_a_new_run_not_a_hole() -> None:
    # 3 s without packets (under stall_s) and the camera's clock ran on 3 s: before, this
    # was left inside the file as a 3 s step; now a new run, so the gap report tells it
    stamps = feed(
        TimestampValidator(TB, stall_s=10), [(0, 0), (STEP, 66_667), (STEP + 270_000, 3_066_667)]
    )
    assert stamps[2].action is Action.NEW_RUN and "no packet for 3.0 s" in stamps[2].reason
    assert stamps[2].wall_us == T0 + 3_066_666  # the camera's spacing, not after arrival


def test_slow_camera_clock_is_reanchored_after_a_window_never_dated_after_arrival() -> None:
    v = TimestampValidator(TB, max_gap_s=20, stall_s=20, max_drift_us=500_000)
    v.check(PacketInfo(0, 0, True, T0))
    # the camera's clock runs slow: every frame arrives 0.6 s later than its media time says,
    # and it never catches up (a backlog would); after the 4 s window, at a key frame, the
    # timeline moves on by the least lateness seen
    stamps = [
        v.check(PacketInfo(i * STEP, None, i % 30 == 0, T0 + i * 66_667 + 600_000 + (i % 3) * 10))
        for i in range(1, 200)
    ]
    runs = [s for s in stamps if s.action is Action.NEW_RUN]
    assert len(runs) == 1 and "behind arrival" in runs[0].reason
    assert all(s.wall_us is not None and s.wall_us <= T0 + 600_000 + 200 * 66_667 for s in stamps)
    i = stamps.index(runs[0]) + 1
    arrived = T0 + i * 66_667 + 600_000 + (i % 3) * 10
    assert arrived - 1_000 <= runs[0].wall_us <= arrived


def test_fast_camera_clock_is_reanchored_at_a_keyframe() -> None:
    v = TimestampValidator(TB, max_ahead_us=50_000)
    v.check(PacketInfo(0, 0, True, T0))
    # media time runs 5% fast: by 2 s, frames would be dated 100 ms after they arrived
    for i in range(1, 30):
        late = v.check(PacketInfo(i * STEP, None, False, T0 + i * 63_333))
        assert late.action is Action.ACCEPT  # not on a keyframe: keep the GOP whole
    key = v.check(PacketInfo(30 * STEP, None, True, T0 + 1_900_000))
    assert key.action is Action.NEW_RUN and "ahead of arrival" in key.reason
    assert key.wall_us == T0 + 1_900_000


def test_wall_time_is_integer_arithmetic_for_odd_time_bases() -> None:
    v = TimestampValidator(Fraction(1, 15_360))
    v.check(PacketInfo(0, 0, True, T0))
    s = v.check(PacketInfo(1024 * 3, None, False, T0 + 200_000))
    assert s.wall_us == T0 + 200_000 and isinstance(s.wall_us, int)


def test_small_backward_jump_starts_a_new_run_instead_of_dropping() -> None:
    # 3 s back is under max_gap_s, but receive time moved on: a jump, not a late packet
    stamps = feed(
        TimestampValidator(TB, max_gap_s=5),
        [(90_000 * 10, 0), (90_000 * 10 + STEP, 66_667), (90_000 * 7, 133_333)],
        keys=True,
    )
    assert stamps[2].action is Action.NEW_RUN and "back" in stamps[2].reason
    assert stamps[2].wall_us == T0 + 133_333


def test_small_forward_jump_is_not_placed_in_the_future() -> None:
    stamps = feed(
        TimestampValidator(TB, max_gap_s=5),
        [(0, 0), (STEP, 66_667), (STEP + 90_000 * 3, 133_333)],
        keys=True,
    )
    assert stamps[2].action is Action.NEW_RUN and "forward" in stamps[2].reason
    assert stamps[2].wall_us == T0 + 133_333


def test_burst_after_network_delay_is_accepted() -> None:
    # media steps one frame while 3 s passed on the server (TCP held the packets): continuous
    stamps = feed(
        TimestampValidator(TB, stall_s=10), [(0, 0), (STEP, 66_667), (2 * STEP, 3_000_000)]
    )
    assert stamps[2].action is Action.ACCEPT


def test_jump_on_a_delta_frame_is_carried_to_the_next_key_frame() -> None:
    """The rest of the GOP depends on the frames before the jump: it keeps the camera's
    spacing (shifted timestamps), and the new run starts at the next key frame."""
    v = TimestampValidator(TB)
    packets = [(i * STEP + (270_000 if i >= 5 else 0), i * 66_667) for i in range(12)]
    stamps = [v.check(PacketInfo(d, d, i in (0, 10), T0 + rx)) for i, (d, rx) in enumerate(packets)]
    assert [s.action for s in stamps[1:10]] == [Action.ACCEPT] * 9
    assert all(s.shift == -270_000 for s in stamps[5:10])
    assert [s.wall_us for s in stamps[:10]] == [
        T0 + i * STEP * 1_000_000 // 90_000 for i in range(10)
    ]
    assert stamps[10].action is Action.NEW_RUN and "jumped forward" in stamps[10].reason
    assert stamps[10].wall_us == T0 + 666_666  # where the carried timeline got to
    assert stamps[11].action is Action.ACCEPT and stamps[11].shift == 0
