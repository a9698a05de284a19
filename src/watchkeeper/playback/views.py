"""Reasons for viewing recorded video: asked once, audited once per sitting.

Every view of recorded footage is audited with the reason the viewer gave (DPA 2018 s.62,
DESIGN.md invariant 5). An operator scrubbing back and forth would otherwise write hundreds
of identical rows, burying the ones that matter; so, as Milestone does, repeated views of the
same footage by the same user within one sitting merge into the first row. A view of footage
the sitting has not covered yet, or a different reason, writes a new row.

A *grant* is what the viewer gets back: an unguessable token naming user, camera and time
range. Every playlist, media file and snapshot request carries it and is checked against
it, so no recorded frame is served without an audited reason. Grants live in memory: after a
restart the viewer is asked again (and a new row is written), which errs on the side of audit.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.errors import Forbidden, ValidationError
from watchkeeper.timeutil import US_PER_S, Clock, check_us, format_utc

__all__ = ["EDGE_SLACK_US", "MAX_REASON", "SITTING_S", "ViewGrant", "ViewLedger"]

MAX_REASON = 500
"""A viewing reason lands in the permanent audit log: a sentence or two, not a file."""

SITTING_S = 30 * 60
"""Idle time after which a sitting ends and the next view is audited afresh."""

EDGE_SLACK_US = 10 * US_PER_S
"""How far a served file may reach past its grant: to the keyframe before the first instant
(a GOP, usually 1-4 s) and to the end of the last frame."""


@dataclass
class ViewGrant:
    token: str
    user_id: int
    camera_id: str
    start_us: int
    end_us: int
    reason: str
    audit_seq: int
    last_used: float = field(default=0.0)

    def covers(self, start_us: int, end_us: int, slack_us: int = 0) -> bool:
        return self.start_us - slack_us <= start_us and end_us <= self.end_us + slack_us


class ViewLedger:
    """Grants of the running process, keyed by token; thread-safe."""

    def __init__(self, clock: Clock, sitting_s: float = SITTING_S) -> None:
        self._clock = clock
        self._sitting = sitting_s
        self._grants: dict[str, ViewGrant] = {}
        self._lock = threading.Lock()

    def _live(self, g: ViewGrant) -> bool:
        return self._clock.monotonic() - g.last_used <= self._sitting

    def open(
        self, s: Session, who: Principal, camera_id: str, start_us: int, end_us: int, reason: str
    ) -> tuple[ViewGrant, bool]:
        """A grant for this view; ``True`` when a new audit row was written.

        The caller has checked the right and the camera's visibility; the audit row is
        written in the caller's transaction.
        """
        reason = reason.strip()
        if len(reason) < 3:
            raise ValidationError("give a reason for viewing recorded video")
        if len(reason) > MAX_REASON:
            raise ValidationError(f"keep the reason to {MAX_REASON} characters")
        check_us(start_us, "start")
        check_us(end_us, "end")
        if end_us <= start_us:
            raise ValidationError("the time range is empty")
        now = self._clock.monotonic()
        with self._lock:
            self._grants = {t: g for t, g in self._grants.items() if self._live(g)}
            for g in self._grants.values():
                if (
                    g.user_id == who.user_id
                    and g.camera_id == camera_id
                    and g.reason == reason
                    and g.covers(start_us, end_us)
                ):
                    g.last_used = now
                    return g, False
        entry = record(
            s,
            who.actor,
            "video.playback",
            "camera",
            camera_id,
            reason,
            {
                "start": format_utc(start_us),
                "end": format_utc(end_us),
                "seconds": (end_us - start_us) // US_PER_S,
            },
            self._clock,
        )
        grant = ViewGrant(
            secrets.token_urlsafe(18),
            who.user_id,
            camera_id,
            start_us,
            end_us,
            reason,
            entry.seq,
            now,
        )
        with self._lock:
            self._grants[grant.token] = grant
        return grant, True

    def check(
        self, token: str, who: Principal, camera_id: str, start_us: int, end_us: int
    ) -> ViewGrant:
        """The grant behind ``token`` if it lets ``who`` see this footage, else Forbidden."""
        with self._lock:
            g = self._grants.get(token)
            if (
                g is None
                or not self._live(g)
                or g.user_id != who.user_id
                or g.camera_id != camera_id
                or not g.covers(start_us, end_us, EDGE_SLACK_US)
            ):
                raise Forbidden("give a reason to view this recorded video first")
            g.last_used = self._clock.monotonic()
            return g
