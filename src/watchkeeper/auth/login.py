"""Checking a password at log-in: throttled, uniform, audited.

A refused log-in looks the same whatever the cause (no such user, wrong password,
account or address locked): one message, and one argon2 verification, against a
dummy hash when there is no real one to check. Failures are counted per account and
per source address (:mod:`watchkeeper.auth.throttle`); a lock stops new log-ins
only. A typed user name that matches no user is recorded nowhere: it may be a
password typed into the wrong box. A good password whose hash was made with other
parameters than today's is re-hashed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.licence import LicenceState
from watchkeeper.auth.models import User
from watchkeeper.auth.passwords import check_password, dummy_hash, hash_password, needs_rehash
from watchkeeper.auth.throttle import Throttle, account_key, source_key
from watchkeeper.errors import AuthError, LicenceInvalid
from watchkeeper.timeutil import US_PER_S, Clock

__all__ = ["LOGIN_REFUSED", "AuthPolicy", "LoginResult", "Logins"]

LOGIN_REFUSED = (
    "wrong user name or password, or too many attempts: "
    "try again in a few minutes or ask a supervisor"
)


@dataclass(frozen=True)
class AuthPolicy:
    max_failed_logins: int = 5
    max_failed_per_source: int = 20
    lockout_minutes: int = 15
    session_hours: float = 12.0


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: AuthError | None

    def user_or_raise(self) -> User:
        if self.error is not None:
            raise self.error
        assert self.user is not None
        return self.user


class Logins:
    def __init__(
        self, clock: Clock, policy: AuthPolicy, licence: Callable[[User], LicenceState]
    ) -> None:
        self.clock = clock
        self.policy = policy
        self.licence = licence
        self.throttle = Throttle(clock, policy.lockout_minutes * 60 * US_PER_S)

    def failures(self, s: Session, user: User) -> int:
        """Failed log-ins on ``user``'s account in the current window."""
        return self.throttle.count(s, account_key(user.username))

    def forget(self, s: Session, user: User) -> None:
        """Clear the account's count (an administrator enabled the user)."""
        self.throttle.clear(s, account_key(user.username))

    def authenticate(
        self, s: Session, username: str, password: str, source: str = ""
    ) -> LoginResult:
        """Check a password and audit the attempt, refused or not.

        A refusal is returned, not raised, so that the caller's transaction still
        commits the failure count and its audit row; ``LoginResult.user_or_raise``
        raises it afterwards. Unknown user and wrong password read the same.
        """
        try:
            return LoginResult(self._authenticate(s, username, password, source), None)
        except AuthError as exc:
            return LoginResult(None, exc)

    def _authenticate(self, s: Session, username: str, password: str, source: str) -> User:
        policy = self.policy
        user_key, addr_key = account_key(username), source_key(source)
        # Reserve first: the upserts are the transaction's first statements, so on SQLite
        # it takes the write lock before reading anything, and on PostgreSQL the counter
        # rows stay locked while the password is checked.
        n_user = self.throttle.reserve(s, user_key)
        n_addr = self.throttle.reserve(s, addr_key)
        user = s.scalar(select(User).where(User.username == username))
        locked = n_user > policy.max_failed_logins or n_addr > policy.max_failed_per_source
        stored = user.password_hash if user is not None and not locked else dummy_hash()
        good = check_password(stored, password) and user is not None and not locked
        detail: dict[str, object] = {"source": source}
        if user is None:
            # The typed name is not recorded: it may be a password typed in the wrong box.
            record(
                s,
                Actor(None, "?"),
                "login.failed",
                "user",
                "",
                "unknown user name",
                detail,
                clock=self.clock,
            )
            raise AuthError(LOGIN_REFUSED)
        actor = Actor(user.id, user.username)
        if locked:
            why = (
                f"account locked: {n_user - 1} failed log-ins"
                if n_user > policy.max_failed_logins
                else f"source address refused: {n_addr - 1} failed log-ins"
            )
            record(s, actor, "login.refused", "user", username, why, detail, clock=self.clock)
            raise AuthError(LOGIN_REFUSED)
        if not good:
            reason = "wrong password"
            if n_user == policy.max_failed_logins:
                reason += f"; locked for up to {policy.lockout_minutes} minutes"
            record(
                s,
                actor,
                "login.failed",
                "user",
                username,
                reason,
                {**detail, "failures": n_user},
                clock=self.clock,
            )
            raise AuthError(LOGIN_REFUSED)
        self.throttle.clear(s, user_key)
        self.throttle.give_back(s, addr_key)
        self.throttle.prune(s)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password, check_length=False)
            detail["password_rehashed"] = True
        if user.disabled:
            record(
                s,
                actor,
                "login.refused",
                "user",
                username,
                "account disabled",
                detail,
                clock=self.clock,
            )
            raise AuthError("this account is disabled")
        state = self.licence(user)
        if state.blocks_login:
            record(
                s, actor, "login.refused", "user", username, state.message, detail, clock=self.clock
            )
            raise LicenceInvalid(f"log-in refused: {state.message}")
        user.last_login_us = self.clock.now_us()
        record(s, actor, "login", "user", username, "", detail, clock=self.clock)
        return user
