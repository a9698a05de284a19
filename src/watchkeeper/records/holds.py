"""What the occurrence log needs from footage holds, and nothing more.

Holds belong to the recording engine (``watchkeeper.recording.holds``); the incident
service only asks for one to be placed when an operator marks camera spans and for
one to be released when a supervisor says so. The composition root injects the
recording engine's implementation (``recording.holds.RecordingHolds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor

__all__ = ["HoldPlacer"]


class HoldPlacer(Protocol):
    """Places and releases footage holds in the caller's transaction."""

    def place(
        self,
        session: Session,
        actor: Actor,
        camera_ids: Sequence[str],
        start_us: int,
        end_us: int,
        reference: str,
        reason: str,
        expires_us: int,
    ) -> str:
        """Hold the footage of ``camera_ids`` from ``start_us`` to ``end_us``; the hold's id."""
        ...

    def release(self, session: Session, actor: Actor, hold_id: str, reason: str) -> None:
        """Release one hold (the caller has checked the actor may)."""
        ...
