"""A control session is one audit entry: who, which camera, from, to, how it ended."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.roles import POLICE_ROLES
from watchkeeper.db.engine import Database
from watchkeeper.police.models import PoliceAccount
from watchkeeper.ptz.sessions import Ended
from watchkeeper.timeutil import Clock

__all__ = ["SESSION_ACTION", "record_session"]

SESSION_ACTION = "ptz.session"


def record_session(db: Database, clock: Clock, ended: Ended, detail: str = "") -> None:
    """Append the entry for ``ended``; the reason says how it ended (released, idle, taken
    over, licence, disconnected, too many commands...), ``taken_over_by`` by whom. A police
    holder's entry names their force and collar number too."""
    s, h = ended.session, ended.session.holder
    details: dict[str, Any] = {
        "from_us": s.started_us,
        "to_us": ended.ended_us,
        "taken_over_by": ended.by,
        "presets": s.presets,
        "commands": s.commands,
        "dead_man_stops": s.dead_man_stops,
        "detail": detail,
    }
    with db.session() as session:
        if h.role in POLICE_ROLES:
            acct = session.get(PoliceAccount, h.user_id)
            details["police"] = True
            details["force"] = acct.force if acct else ""
            details["collar_number"] = acct.collar_number if acct else ""
        record(
            session,
            Actor(h.user_id, h.username),
            SESSION_ACTION,
            "camera",
            s.camera_id,
            ended.reason,
            details,
            clock=clock,
        )
