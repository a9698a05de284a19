"""Faults a simulated camera can be told to show, and the per-camera state they change.

Real cameras drop connections, reboot, stall, send garbage and keep bad clocks; the
recorder must survive all of it, so each behaviour can be switched on by a test or from the
CLI. A fault is a short-lived change of :class:`CameraState`; the stream feeders, the RTSP
front door and the ONVIF service read that state, so a fault needs no special code path in
the pipelines themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

from watchkeeper.errors import ValidationError

__all__ = [
    "DEFAULT_SECONDS",
    "PTZ_FAULTS",
    "VIEWS",
    "CameraState",
    "FaultKind",
    "FaultRequest",
]


class FaultKind(StrEnum):
    DROP = "drop"  # close every RTSP connection once; reconnecting works at once
    OFFLINE = "offline"  # drop, then refuse RTSP and ONVIF for N seconds
    REBOOT = "reboot"  # offline for N seconds, then footage and timestamps start again
    RESOLUTION = "resolution"  # main stream switches resolution at the next key frame
    STALL = "stall"  # connections stay open, no packets for N seconds
    CORRUPT = "corrupt"  # slice data garbled for N seconds
    JUMP_FORWARD = "jump-forward"  # timestamps leap N seconds ahead
    JUMP_BACKWARD = "jump-backward"  # timestamps go N seconds back
    CLOCK_OFFSET = "clock-offset"  # the camera's clock (ONVIF, clock code) is N seconds off
    COVERED = "covered"  # the lens is covered (a dark, flat picture) for N seconds
    MOVED = "moved"  # the camera points elsewhere (another view of the scene) for N seconds


DEFAULT_SECONDS: dict[FaultKind, float] = {
    FaultKind.DROP: 0.0,
    FaultKind.OFFLINE: 10.0,
    FaultKind.REBOOT: 5.0,
    FaultKind.RESOLUTION: 0.0,
    FaultKind.STALL: 5.0,
    FaultKind.CORRUPT: 3.0,
    FaultKind.JUMP_FORWARD: 10.0,
    FaultKind.JUMP_BACKWARD: 10.0,
    FaultKind.CLOCK_OFFSET: 0.0,
    FaultKind.COVERED: 30.0,
    FaultKind.MOVED: 30.0,
}

VIEWS = (FaultKind.COVERED, FaultKind.MOVED)
"""Faults that change what a fixed camera sees: pre-encoded variants of its clips, switched
to at a key frame, so the stream stays one (no reconnect, same SPS)."""

# A PTZ picture is encoded live, so byte-level faults on recorded clips do not apply.
PTZ_FAULTS = frozenset(
    {FaultKind.DROP, FaultKind.OFFLINE, FaultKind.REBOOT, FaultKind.STALL, FaultKind.CLOCK_OFFSET}
)


@dataclass(frozen=True)
class FaultRequest:
    camera: str
    kind: FaultKind
    seconds: float | None = None

    def duration(self) -> float:
        seconds = DEFAULT_SECONDS[self.kind] if self.seconds is None else self.seconds
        if self.kind is not FaultKind.CLOCK_OFFSET and not 0 <= seconds <= 3600:
            raise ValidationError(f"{self.kind}: seconds must be within 0..3600")
        if abs(seconds) > 86400:
            raise ValidationError("clock offset must be within a day")
        return seconds


@dataclass
class CameraState:
    """What a camera is doing now; times are monotonic seconds of the rig process."""

    boot_at: float
    clock_offset_s: float = 0.0
    generation: int = 0
    offline_until: float = 0.0
    stall_until: float = 0.0
    corrupt_until: float = 0.0
    ts_offset_ns: int = 0
    use_alternate: bool = False
    view_kind: str = ""
    view_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def offline(self, now: float) -> bool:
        return now < self.offline_until

    def stalled(self, now: float) -> bool:
        return now < self.stall_until

    def corrupting(self, now: float) -> bool:
        return now < self.corrupt_until

    def view(self, now: float) -> str:
        """``covered``, ``moved`` or empty: what the lens sees now."""
        return self.view_kind if now < self.view_until else ""

    def apply(self, kind: FaultKind, seconds: float, now: float) -> None:
        """Change the state; dropping connections is the RTSP server's part."""
        with self.lock:
            if kind in (FaultKind.OFFLINE, FaultKind.REBOOT):
                self.offline_until = now + seconds
            if kind is FaultKind.REBOOT:
                self.generation += 1
                self.boot_at = now + seconds
                self.ts_offset_ns = 0
                self.stall_until = self.corrupt_until = 0.0
            elif kind is FaultKind.RESOLUTION:
                self.use_alternate = not self.use_alternate
            elif kind is FaultKind.STALL:
                self.stall_until = now + seconds
            elif kind is FaultKind.CORRUPT:
                self.corrupt_until = now + seconds
            elif kind is FaultKind.JUMP_FORWARD:
                self.ts_offset_ns += int(seconds * 1e9)
            elif kind is FaultKind.JUMP_BACKWARD:
                self.ts_offset_ns -= int(seconds * 1e9)
            elif kind is FaultKind.CLOCK_OFFSET:
                self.clock_offset_s = seconds
            elif kind in VIEWS:
                self.view_kind, self.view_until = kind.value, now + seconds
