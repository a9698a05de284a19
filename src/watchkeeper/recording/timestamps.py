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


class TimestampValidator:
    """Places each packet of one connection on the wall clock, or says why it cannot."""

    def __init__(
        self,
        time_base: Fraction,
        max_gap_s: float = 5.0,
        stall_s: float = 10.0,
        max_missing_dts: int = 10,
        max_drift_us: int = US_PER_S,
    ) -> None:
        if time_base <= 0:
            raise ValueError("time base must be positive")
        self._num = time_base.numerator * US_PER_S
        self._den = time_base.denominator
        self._max_gap_ticks = int(max_gap_s / time_base)
        self._stall_us = int(stall_s * US_PER_S)
        self._max_missing = max_missing_dts
        self._max_drift_us = max_drift_us
        self._missing = 0
        self._broken = ""
        self._last_dts: int | None = None
        self._last_rx: int | None = None
        self._anchor_us = 0
        self._anchor_dts = 0

    def _wall(self, dts: int) -> int:
        return self._anchor_us + (dts - self._anchor_dts) * self._num // self._den

    def _seconds(self, ticks: int) -> str:
        return f"{ticks * self._num / self._den / US_PER_S:.1f} s"

    def _start_run(self, p: PacketInfo, dts: int, reason: str) -> Stamp:
        self._anchor_us = p.received_us
        self._anchor_dts = dts
        self._last_dts = dts
        self._last_rx = p.received_us
        self._broken = ""
        return Stamp(Action.NEW_RUN, reason, p.received_us, p.received_us)

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
        if self._broken:
            return self._start_run(p, dts, f"after {self._broken}")
        assert self._last_rx is not None
        if p.received_us - self._last_rx > self._stall_us:
            gap = (p.received_us - self._last_rx) / US_PER_S
            return self._start_run(p, dts, f"no packet for {gap:.1f} s")
        step = dts - self._last_dts
        # Media time that moves unlike receive time by more than the drift allowance is a jump
        # (a camera resetting or skipping its clock), not jitter: dropping packets until the
        # old timeline caught up, or placing frames in the future, would both lose footage.
        skew_us = step * self._num // self._den - (p.received_us - self._last_rx)
        if step <= 0:
            if -step > self._max_gap_ticks or -skew_us > self._max_drift_us:
                why = f"timestamps went back {self._seconds(-step)} (camera restarted?)"
                return self._start_run(p, dts, why)
            return Stamp(Action.DROP, "DTS did not increase")
        if step > self._max_gap_ticks or skew_us > self._max_drift_us:
            return self._start_run(p, dts, f"timestamps jumped forward {self._seconds(step)}")
        wall = self._wall(dts)
        if p.keyframe and abs(p.received_us - wall) > self._max_drift_us:
            drift_ms = (p.received_us - wall) // 1000
            return self._start_run(p, dts, f"camera clock drifted {drift_ms} ms from server")
        self._last_dts = dts
        self._last_rx = p.received_us
        return Stamp(Action.ACCEPT, "", wall, self._anchor_us)
