"""Who controls which camera: one holder per camera, priority, take-over, locks, idling.

Pure bookkeeping on an injected clock; no I/O. The control service asks it before every
take and reports every end, so its rules are the whole of the session rules of
docs/design/ptz.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watchkeeper.auth.roles import POLICE_ROLES, Role
from watchkeeper.errors import Conflict
from watchkeeper.timeutil import Clock

__all__ = [
    "DEFAULT_PRIORITY",
    "IDLE_TIMEOUT_S",
    "POLICE_PRIORITY",
    "ControlSession",
    "Ended",
    "Holder",
    "SessionBook",
    "priority_of",
]

DEFAULT_PRIORITY: dict[Role, int] = {Role.OPERATOR: 10, Role.SUPERVISOR: 20, Role.MANAGER: 30}
IDLE_TIMEOUT_S = 60.0
POLICE_PRIORITY = 0
"""A police account steering under a share's PTZ grant: below every council role that may
steer at all (those have a priority of 1 or more), whatever a camera's overrides say."""


def priority_of(role: Role, overrides: dict[str, int]) -> int:
    """The role's control priority on a camera: the camera's override, else the default."""
    if role in POLICE_ROLES:
        return POLICE_PRIORITY
    if role.value in overrides:
        return int(overrides[role.value])
    return DEFAULT_PRIORITY.get(role, 0)


@dataclass(frozen=True)
class Holder:
    user_id: int
    username: str
    role: Role
    priority: int


@dataclass
class ControlSession:
    camera_id: str
    holder: Holder
    started_us: int
    last_command: float
    """Monotonic time of the holder's last command (heartbeats do not count)."""
    presets: list[str] = field(default_factory=list)
    commands: int = 0
    dead_man_stops: int = 0


@dataclass(frozen=True)
class Ended:
    """A session that has ended, and why: what the audit entry records."""

    session: ControlSession
    ended_us: int
    reason: str
    by: str = ""


@dataclass
class _Lock:
    to_username: str
    by: Holder


class SessionBook:
    def __init__(self, clock: Clock, idle_timeout_s: float = IDLE_TIMEOUT_S) -> None:
        self.clock = clock
        self.idle_timeout_s = idle_timeout_s
        self._sessions: dict[str, ControlSession] = {}
        self._locks: dict[str, _Lock] = {}

    def session(self, camera_id: str) -> ControlSession | None:
        return self._sessions.get(camera_id)

    def locked_to(self, camera_id: str) -> str | None:
        lock = self._locks.get(camera_id)
        return None if lock is None else lock.to_username

    def _idle(self, s: ControlSession) -> bool:
        return self.clock.monotonic() - s.last_command > self.idle_timeout_s

    def take(self, camera_id: str, who: Holder) -> tuple[ControlSession, Ended | None]:
        """Give ``who`` control; returns the new session and the one it ended, if any.

        Refused (Conflict) when the camera is held by someone of equal or higher priority
        who is not idle, or locked to someone else by a higher priority.
        """
        lock = self._locks.get(camera_id)
        if (
            lock is not None
            and lock.to_username != who.username
            and who.priority <= lock.by.priority
        ):
            raise Conflict(
                f"camera {camera_id} is locked to {lock.to_username} by {lock.by.username}"
            )
        current = self._sessions.get(camera_id)
        ended = None
        if current is not None and current.holder.username == who.username:
            current.last_command = self.clock.monotonic()
            return current, None
        if current is not None:
            if self._idle(current):
                ended = self._end(camera_id, "idle")
            elif who.priority > current.holder.priority:
                ended = self._end(camera_id, "taken over", by=who.username)
            else:
                h = current.holder
                raise Conflict(
                    f"camera {camera_id} is held by {h.username} ({h.role.value}); "
                    "only a higher priority can take it over"
                )
        session = ControlSession(camera_id, who, self.clock.now_us(), self.clock.monotonic())
        self._sessions[camera_id] = session
        return session, ended

    def check_holder(self, camera_id: str, username: str) -> ControlSession:
        s = self._sessions.get(camera_id)
        if s is None or s.holder.username != username:
            who = "nobody" if s is None else s.holder.username
            raise Conflict(f"camera {camera_id} is held by {who}; take control first")
        return s

    def release(self, camera_id: str, username: str, reason: str = "released") -> Ended | None:
        s = self._sessions.get(camera_id)
        if s is None or s.holder.username != username:
            return None
        return self._end(camera_id, reason)

    def end(self, camera_id: str, reason: str, by: str = "") -> Ended | None:
        """End whoever holds the camera (licence lost, camera removed...)."""
        if camera_id not in self._sessions:
            return None
        return self._end(camera_id, reason, by)

    def expire_idle(self) -> list[Ended]:
        return [self._end(c, "idle") for c, s in list(self._sessions.items()) if self._idle(s)]

    def lock(self, camera_id: str, by: Holder, to_username: str) -> None:
        current = self._locks.get(camera_id)
        if current is not None and current.by.priority > by.priority:
            raise Conflict(f"camera {camera_id} is locked by {current.by.username}")
        self._locks[camera_id] = _Lock(to_username, by)

    def unlock(self, camera_id: str, by: Holder) -> None:
        current = self._locks.get(camera_id)
        if current is not None and current.by.priority > by.priority:
            raise Conflict(f"camera {camera_id} is locked by {current.by.username}")
        self._locks.pop(camera_id, None)

    def _end(self, camera_id: str, reason: str, by: str = "") -> Ended:
        s = self._sessions.pop(camera_id)
        return Ended(s, self.clock.now_us(), reason, by)
