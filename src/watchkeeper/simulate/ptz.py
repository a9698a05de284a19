"""The virtual PTZ head: where the camera points, moving at a realistic speed.

There are no motors, so motion is a pure function of time: a target or a velocity, a top
speed, and the instant the command was given. The renderer asks for the position at each
frame's capture time; ONVIF GetStatus asks for it now. Positions use ONVIF's generic spaces:
pan and tilt in [-1, 1], zoom in [0, 1].
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from watchkeeper.timeutil import Clock, SystemClock

__all__ = ["MAX_ZOOM", "SCENE_SIZE", "Position", "PtzHead", "Viewport", "viewport"]

MAX_PAN_SPEED = 0.8  # generic units per second: a full sweep of [-1, 1] in 2.5 s
MAX_ZOOM_SPEED = 0.5
MAX_ZOOM = 4.0  # magnification at zoom 1
SCENE_SIZE = (2304, 1152)  # the wide still scene the PTZ camera crops its view from


@dataclass(frozen=True)
class Position:
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0


@dataclass(frozen=True)
class Viewport:
    """A crop of the wide scene, in scene pixels."""

    left: int
    top: int
    width: int
    height: int


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def _toward(start: float, target: float, speed: float, dt: float) -> float:
    step = speed * dt
    if abs(target - start) <= step:
        return target
    return start + step if target > start else start - step


@dataclass
class _Motion:
    origin: Position
    since: float
    velocity: tuple[float, float, float] | None = None
    target: Position | None = None
    speed: tuple[float, float, float] = (MAX_PAN_SPEED, MAX_PAN_SPEED, MAX_ZOOM_SPEED)
    until: float | None = None


@dataclass
class PtzHead:
    """Thread-safe PTZ state shared by ONVIF handlers and the frame renderer."""

    clock: Clock = field(default_factory=SystemClock)
    presets: dict[str, tuple[str, Position]] = field(default_factory=dict)
    _motion: _Motion = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _next_preset: int = field(init=False, default=1)
    commands: deque[tuple[str, int]] = field(init=False, default_factory=lambda: deque(maxlen=4096))
    """(operation, UTC µs its request arrived) of recent moves and stops, for benchmarks."""
    privacy_masks: tuple[tuple[float, float, float, float], ...] = ()
    """In-camera masks, (u0, v0, u1, v1) of the whole scene (-1..1, v up): black in every
    frame at every position and zoom, as a camera's own privacy masking is."""

    def __post_init__(self) -> None:
        self._motion = _Motion(Position(), self.clock.monotonic())

    def _position_at(self, t: float) -> Position:
        m = self._motion
        end = t if m.until is None else min(t, m.until)
        dt = max(0.0, end - m.since)
        p = m.origin
        if m.velocity is not None:
            vp, vt, vz = m.velocity
            return Position(
                _clamp(p.pan + vp * MAX_PAN_SPEED * dt, -1, 1),
                _clamp(p.tilt + vt * MAX_PAN_SPEED * dt, -1, 1),
                _clamp(p.zoom + vz * MAX_ZOOM_SPEED * dt, 0, 1),
            )
        if m.target is not None:
            sp, st, sz = m.speed
            return Position(
                _toward(p.pan, m.target.pan, sp, dt),
                _toward(p.tilt, m.target.tilt, st, dt),
                _toward(p.zoom, m.target.zoom, sz, dt),
            )
        return p

    def log_command(self, op: str, arrived_us: int) -> None:
        with self._lock:
            self.commands.append((op, arrived_us))

    def position(self) -> Position:
        with self._lock:
            return self._position_at(self.clock.monotonic())

    def moving(self) -> bool:
        with self._lock:
            now = self.clock.monotonic()
            return self._position_at(now) != self._position_at(now + 0.05)

    def _restart(self, **kw: object) -> None:
        now = self.clock.monotonic()
        self._motion = _Motion(self._position_at(now), now, **kw)  # type: ignore[arg-type]

    def continuous_move(self, pan: float, tilt: float, zoom: float, timeout: float | None) -> None:
        """Move at a fraction of top speed (-1..1 per axis) until Stop or the timeout."""
        with self._lock:
            until = None if timeout is None else self.clock.monotonic() + timeout
            vel = (_clamp(pan, -1, 1), _clamp(tilt, -1, 1), _clamp(zoom, -1, 1))
            self._restart(velocity=vel, until=until)

    def absolute_move(self, target: Position, speed: float = 1.0) -> None:
        """Drive to a position at ``speed`` (fraction of top speed), like a real head."""
        with self._lock:
            s = _clamp(speed, 0.05, 1.0)
            tgt = Position(
                _clamp(target.pan, -1, 1), _clamp(target.tilt, -1, 1), _clamp(target.zoom, 0, 1)
            )
            self._restart(
                target=tgt, speed=(MAX_PAN_SPEED * s, MAX_PAN_SPEED * s, MAX_ZOOM_SPEED * s)
            )

    def relative_move(self, delta: Position, speed: float = 1.0) -> None:
        here = self.position()
        self.absolute_move(
            Position(here.pan + delta.pan, here.tilt + delta.tilt, here.zoom + delta.zoom), speed
        )

    def stop(self) -> None:
        with self._lock:
            self._restart()

    def set_preset(self, name: str, token: str | None = None) -> str:
        here = self.position()
        with self._lock:
            if token is None:
                token = f"preset{self._next_preset}"
                self._next_preset += 1
            self.presets[token] = (name or token, here)
            return token

    def remove_preset(self, token: str) -> bool:
        with self._lock:
            return self.presets.pop(token, None) is not None


def viewport(pos: Position, scene_w: int, scene_h: int, out_w: int, out_h: int) -> Viewport:
    """The crop of the scene shown at ``pos``: the widest out_w:out_h window at zoom 0,
    MAX_ZOOM times narrower at zoom 1, its centre swept across the scene by pan and tilt."""
    aspect = out_w / out_h
    base_w = min(scene_w, scene_h * aspect)
    mag = 1.0 + _clamp(pos.zoom, 0, 1) * (MAX_ZOOM - 1.0)
    w = max(16, int(base_w / mag)) & ~1
    h = max(16, int(w / aspect)) & ~1
    cx = scene_w / 2 + _clamp(pos.pan, -1, 1) * (scene_w - w) / 2
    cy = scene_h / 2 - _clamp(pos.tilt, -1, 1) * (scene_h - h) / 2
    left = int(_clamp(cx - w / 2, 0, scene_w - w)) & ~1
    top = int(_clamp(cy - h / 2, 0, scene_h - h)) & ~1
    return Viewport(left, top, w, h)
