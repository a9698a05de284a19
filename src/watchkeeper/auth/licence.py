"""SIA Public Space Surveillance licence rules.

An operator or supervisor whose licence is expired, suspended or revoked cannot log
in (or take PTZ control); warnings are raised four months and 30 days before expiry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from watchkeeper.auth.roles import LICENSED_ROLES

__all__ = ["LicenceLevel", "LicenceState", "licence_state"]

WARN_EARLY_DAYS = 122
"""About four months."""
WARN_LATE_DAYS = 30


class LicenceLevel(enum.StrEnum):
    NOT_REQUIRED = "not_required"
    VALID = "valid"
    EXPIRES_IN_4_MONTHS = "expires_within_4_months"
    EXPIRES_IN_30_DAYS = "expires_within_30_days"
    MISSING = "missing"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


BLOCKING = {
    LicenceLevel.MISSING,
    LicenceLevel.EXPIRED,
    LicenceLevel.SUSPENDED,
    LicenceLevel.REVOKED,
}


@dataclass(frozen=True)
class LicenceState:
    level: LicenceLevel
    message: str

    @property
    def blocks_login(self) -> bool:
        return self.level in BLOCKING

    @property
    def is_warning(self) -> bool:
        return self.level in {LicenceLevel.EXPIRES_IN_4_MONTHS, LicenceLevel.EXPIRES_IN_30_DAYS}


def licence_state(
    role: str, number: str, expiry: date | None, status: str, today: date
) -> LicenceState:
    """What the licence allows today, with a sentence an administrator can act on."""
    if role not in LICENSED_ROLES:
        return LicenceState(LicenceLevel.NOT_REQUIRED, "")
    if not number or expiry is None:
        return LicenceState(LicenceLevel.MISSING, "no SIA licence number and expiry on record")
    if status == "suspended":
        return LicenceState(LicenceLevel.SUSPENDED, f"SIA licence {number} is suspended")
    if status == "revoked":
        return LicenceState(LicenceLevel.REVOKED, f"SIA licence {number} is revoked")
    if status == "expired" or expiry < today:
        return LicenceState(
            LicenceLevel.EXPIRED, f"SIA licence {number} expired on {expiry.isoformat()}"
        )
    left = (expiry - today).days
    if left <= WARN_LATE_DAYS:
        return LicenceState(
            LicenceLevel.EXPIRES_IN_30_DAYS,
            f"SIA licence {number} expires on {expiry.isoformat()} ({left} days)",
        )
    if left <= WARN_EARLY_DAYS:
        return LicenceState(
            LicenceLevel.EXPIRES_IN_4_MONTHS,
            f"SIA licence {number} expires on {expiry.isoformat()} ({left} days)",
        )
    return LicenceState(LicenceLevel.VALID, f"SIA licence {number} valid to {expiry.isoformat()}")
