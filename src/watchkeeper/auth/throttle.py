"""Failed log-ins counted per account and per source address, atomically, in a window.

An attempt *reserves* a failure before the password is checked, with one upsert that
raises the counter and returns it (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``
on SQLite and PostgreSQL alike). Parallel attempts therefore each see their own
number and can never overwrite one another; on PostgreSQL the row stays locked until
the attempt's transaction ends. A good password gives the reservation back. A window
opens at the first failure and, once it has passed, counting starts again from one,
so a lock ends by itself and an odd wrong password a shift does not add up.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from watchkeeper.auth.models import LoginThrottle
from watchkeeper.timeutil import Clock

__all__ = ["Throttle", "account_key", "source_key"]


def account_key(username: str) -> str:
    """The key of a typed user name: a hash, so the name itself is not stored."""
    return "user:" + hashlib.sha256(username.casefold().encode()).hexdigest()[:64]


def source_key(source: str) -> str:
    return "addr:" + source[:64]


class Throttle:
    def __init__(self, clock: Clock, window_us: int) -> None:
        self.clock = clock
        self.window_us = window_us

    def reserve(self, s: Session, key: str) -> int:
        """Count one more attempt under ``key``; returns the count in the current window."""
        now = self.clock.now_us()
        expired = LoginThrottle.window_start_us <= now - self.window_us
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(LoginThrottle)
            .values(key=key, window_start_us=now, failures=1)
            .on_conflict_do_update(
                index_elements=[LoginThrottle.key],
                set_={
                    "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
                    "window_start_us": case((expired, now), else_=LoginThrottle.window_start_us),
                },
            )
            .returning(LoginThrottle.failures)
        )
        return int(s.execute(stmt).scalar_one())

    def give_back(self, s: Session, key: str) -> None:
        """Undo one reservation (the attempt was good)."""
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1)
        )

    def clear(self, s: Session, key: str) -> None:
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

    def count(self, s: Session, key: str) -> int:
        """Failures under ``key`` in the current window (0 once it has passed)."""
        row = s.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
        if row is None or row.window_start_us <= self.clock.now_us() - self.window_us:
            return 0
        return row.failures

    def prune(self, s: Session) -> None:
        """Forget windows that have passed (keeps the table small under name spraying)."""
        cutoff = self.clock.now_us() - self.window_us
        s.execute(delete(LoginThrottle).where(LoginThrottle.window_start_us <= cutoff))
