"""Timestamp validation and wall-clock anchoring of a stream's packets (pure, no I/O).

Cameras send missing, repeated, reordered and jumping timestamps, and restart their clocks
when they reboot. Rather than write a file whose times lie, the validator drops packets that
cannot be placed and starts a new *run* (anchored afresh to the server's receive time) when
continuity is broken. Every decision carries a reason, which becomes a log line or an event.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

from watchkeeper.timeutil import US_PER_S

__all__ = ["Action", "PacketInfo", "Stamp", "TimestampValidator"]


class Action(enum.StrEnum):
    ACCEPT = "accept"
    NEW_RUN = "new_run"
    DROP = "drop"
    RECONNECT = "reconnect"


@dataclass(frozen=True, slots=True)
class PacketInfo:
    """What the validator needs of a packet: its timestamps and when it arrived."""

    dts: int | None
    pts: int | None
    keyframe: bool
    received_us: int


@dataclass(frozen=True, slots=True)
class Stamp:
    """The verdict on one packet; ``wall_us`` is set when the packet is kept."""

    action: Action
    reason: str = ""
    wall_us: int | None = None
    run_start_us: int | None = None
    shift: int = 0
    """Add this to the packet's DTS and PTS before using it (a jump carried to a key frame)."""


class TimestampValidator:
    """Places each packet of one connection on the wall clock, or says why it cannot.

    The time model (docs/design/recording.md): a run is anchored once, and each frame's wall
    time is the anchor plus its media time, so frames keep the camera's own spacing however
    late or bunched they arrive (a TCP stall delivers its backlog in a burst). A frame is
    never dated after it arrived: a run whose media time gets ahead of arrival is
    re-anchored at a key frame, and a new run is anchored at the earlier of its arrival and
    the time the old run's clock gives it.
    """

    def __init__(
        self,
        time_base: Fraction,
        max_gap_s: float = 5.0,
        stall_s: float = 10.0,
        max_missing_dts: int = 10,
        max_drift_us: int = US_PER_S,
        max_ahead_us: int = 50_000,
        slow_window_us: int = 4 * US_PER_S,
    ) -> None:
        if time_base <= 0:
            raise ValueError("time base must be positive")
        self._num = time_base.numerator * US_PER_S
        self._den = time_base.denominator
        self._max_gap_ticks = int(max_gap_s / time_base)
        self._stall_us = int(stall_s * US_PER_S)
        self._max_missing = max_missing_dts
        self._max_drift_us = max_drift_us
        self._max_ahead_us = max_ahead_us
        self._slow_window_us = slow_window_us
        self._missing = 0
        self._broken = ""
        self._last_dts: int | None = None
        self._last_rx: int | None = None
        self._anchor_us = 0
        self._anchor_dts = 0
        self._step: int | None = None  # the camera's frame step, from accepted packets
        self._shift: int | None = None  # carried over a jump until the next key frame
        self._shift_why = ""
        self._late_since: int | None = None  # arrival of the first of a row of late frames
        self._late_min = 0  # the least lateness in that row

    def _wall(self, dts: int) -> int:
        return self._anchor_us + (dts - self._anchor_dts) * self._num // self._den

    def _seconds(self, ticks: int) -> str:
        return f"{ticks * self._num / self._den / US_PER_S:.1f} s"

    def _start_run(self, p: PacketInfo, dts: int, reason: str, at_us: int | None = None) -> Stamp:
        at = p.received_us if at_us is None else min(at_us, p.received_us)
        self._anchor_us = at
        self._anchor_dts = dts
        self._last_dts = dts
        self._last_rx = p.received_us
        self._broken = ""
        self._late_since = None
        self._shift = None
        return Stamp(Action.NEW_RUN, reason, at, at)

    def _carry(self, p: PacketInfo, dts: int, why: str) -> Stamp | None:
        """A jump on a delta frame: carry the camera's timeline on to the next key frame
        (the frames between depend on those before it; a new run there would lose them)."""
        if p.keyframe or self._step is None or self._last_dts is None:
            return None
        self._shift = self._last_dts + self._step - dts
        self._shift_why = why
        return self._carried(p, dts)

    def _carried(self, p: PacketInfo, dts: int) -> Stamp:
        assert self._shift is not None and self._last_dts is not None
        shifted = dts + self._shift
        step = shifted - self._last_dts
        if step <= 0 or step * self._num // self._den > self._max_drift_us:
            return Stamp(Action.DROP, "DTS did not continue after a jump")
        self._last_dts = shifted
        self._last_rx = p.received_us
        return Stamp(Action.ACCEPT, "", self._wall(shifted), self._anchor_us, self._shift)

    def check(self, p: PacketInfo) -> Stamp:
        """Decide what to do with the next packet, in arrival order."""
        if p.dts is None:
            self._missing += 1
            if self._missing > self._max_missing:
                return Stamp(Action.RECONNECT, f"{self._missing} packets in a row without DTS")
            self._broken = "packet without DTS"
            return Stamp(Action.DROP, "packet without DTS")
        self._missing = 0
        dts = p.dts
        if self._last_dts is None:
            return self._start_run(p, dts, "first packet")
        assert self._last_rx is not None
        if self._shift is not None:
            if not p.keyframe:
                return self._carried(p, dts)
            # the key frame after a jump: the new run starts here, where the carried
            # timeline has got to (or at arrival if that is earlier)
            assert self._step is not None
            why = f"{self._shift_why}; new run from the next key frame"
            return self._start_run(p, dts, why, self._wall(self._last_dts + self._step))
        step = dts - self._last_dts
        if self._broken:
            at = self._wall(dts) if step > 0 else None
            return self._start_run(p, dts, f"after {self._broken}", at)
        rx_step = p.received_us - self._last_rx
        step_us = step * self._num // self._den
        # Media time that moves on further than receive time by more than the drift allowance
        # is a jump (a camera resetting or skipping its clock), not jitter: dropping packets
        # until the old timeline caught up, or placing frames in the future, would both lose
        # footage. Receive time that moves on further than media time is only lateness (a
        # backlog delivered in a burst): the frames keep the camera's spacing.
        if step <= 0:
            if -step > self._max_gap_ticks or rx_step - step_us > self._max_drift_us:
                why = f"timestamps went back {self._seconds(-step)} (camera restarted?)"
                return self._carry(p, dts, why) or self._start_run(p, dts, why)
            return Stamp(Action.DROP, "DTS did not increase")
        if step > self._max_gap_ticks or step_us > self._max_drift_us:
            # a hole in the camera's own timeline: a new run, so no file hides it
            if rx_step > self._stall_us or rx_step >= step_us - self._max_drift_us:
                why = f"no packet for {rx_step / US_PER_S:.1f} s"
            else:
                why = f"timestamps jumped forward {self._seconds(step)}"
                carried = self._carry(p, dts, why)
                if carried is not None:
                    return carried
            return self._start_run(p, dts, why, self._wall(dts))
        wall = self._wall(dts)
        late = p.received_us - wall
        if p.keyframe and late < -self._max_ahead_us:
            why = f"camera clock ran {-late // 1000} ms ahead of arrival; re-anchored"
            return self._start_run(p, dts, why)
        if late <= self._max_drift_us:
            self._late_since = None
        elif self._late_since is None:
            self._late_since, self._late_min = p.received_us, late
        else:
            self._late_min = min(self._late_min, late)
            if p.keyframe and p.received_us - self._late_since >= self._slow_window_us:
                # Late for a whole window, never catching up: not a backlog (which drains
                # in a burst) but a camera clock that runs slow or paused. Move the
                # timeline on by the least lateness seen, so no frame is dated after it
                # arrived; the gap this leaves is no loss of video.
                why = (
                    f"timeline re-anchored: camera clock {self._late_min // 1000} ms behind "
                    "arrival (no video lost)"
                )
                return self._start_run(p, dts, why, wall + self._late_min)
        self._last_dts = dts
        self._last_rx = p.received_us
        self._step = step
        return Stamp(Action.ACCEPT, "", wall, self._anchor_us)
