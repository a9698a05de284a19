"""Police accounts: the force and collar number behind a police user."""

from __future__ import annotations

from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.models import User
from watchkeeper.auth.roles import POLICE_ROLES, Role
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.police.models import PoliceAccount
from watchkeeper.timeutil import Clock

__all__ = ["account_of", "set_account"]


def set_account(
    s: Session, actor: Actor, user: User, force: str, collar_number: str, clock: Clock
) -> PoliceAccount:
    """Give a police user their force and collar number (audited, as any user change)."""
    if Role(user.role) not in POLICE_ROLES:
        raise ValidationError(f"{user.username} is not a police account ({user.role})")
    if not force.strip() or not collar_number.strip():
        raise ValidationError("a police account needs its force and the officer's collar number")
    acct = s.get(PoliceAccount, user.id) or PoliceAccount(user_id=user.id)
    acct.force, acct.collar_number = force.strip(), collar_number.strip()
    s.add(acct)
    record(s, actor, "user.police_account", "user", user.username, "police account set",
           {"force": acct.force, "collar_number": acct.collar_number}, clock=clock)  # fmt: skip
    return acct


def account_of(s: Session, user_id: int) -> PoliceAccount:
    acct = s.get(PoliceAccount, user_id)
    if acct is None:
        raise NotFound("this account has no force or collar number; ask the council to set them")
    return acct
