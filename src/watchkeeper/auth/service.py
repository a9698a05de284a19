"""Users, log-in, lock-out, sessions and API tokens.

Log-ins, failed log-ins, lock-outs and every change to a user are audited in the
same transaction as the change. Tokens (session cookies and API tokens) are random;
only their SHA-256 is stored, so a copy of the database logs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.licence import LicenceState, licence_state
from watchkeeper.auth.models import ApiToken, User, UserSession
from watchkeeper.auth.passwords import check_password, hash_password
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import (
    AccountLocked,
    AuthError,
    Conflict,
    LicenceInvalid,
    NotFound,
    ValidationError,
)
from watchkeeper.timeutil import US_PER_S, Clock, to_local

__all__ = ["AuthPolicy", "LoginResult", "UserService", "UserSpec", "hash_token"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AuthPolicy:
    max_failed_logins: int = 5
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


@dataclass
class UserSpec:
    """What an administrator gives to create or change a user."""

    username: str
    role: str
    full_name: str = ""
    password: str | None = None
    client_id: str | None = None
    partner_member_ref: str = ""
    sia_number: str = ""
    sia_expiry: date | None = None
    sia_status: str = ""
    sia_checked_on: date | None = None


SIA_STATUSES = {"", "active", "expired", "suspended", "revoked"}


class UserService:
    def __init__(self, clock: Clock, policy: AuthPolicy | None = None) -> None:
        self.clock = clock
        self.policy = policy or AuthPolicy()

    def today(self) -> date:
        return to_local(self.clock.now_us()).date()

    def licence(self, user: User) -> LicenceState:
        return licence_state(
            user.role, user.sia_number, user.sia_expiry, user.sia_status, self.today()
        )

    # --- administration -------------------------------------------------------------

    def _check_spec(self, s: Session, spec: UserSpec) -> None:
        try:
            role = Role(spec.role)
        except ValueError:
            raise ValidationError(
                f"unknown role {spec.role!r}; roles: {', '.join(r.value for r in Role)}"
            ) from None
        if not spec.username or len(spec.username) > 64 or not spec.username.isprintable():
            raise ValidationError("username must be 1-64 printable characters")
        if role is Role.CLIENT_VIEWER and not spec.client_id:
            raise ValidationError("a client viewer needs the client whose cameras they see")
        if role is not Role.CLIENT_VIEWER and spec.client_id:
            raise ValidationError("only client viewers belong to a client")
        if spec.sia_status not in SIA_STATUSES:
            raise ValidationError(f"SIA status must be one of {sorted(SIA_STATUSES - {''})}")
        if spec.client_id:
            from watchkeeper.cameras.models import Client

            if s.get(Client, spec.client_id) is None:
                raise ValidationError(f"no client {spec.client_id!r}")

    def create(self, s: Session, spec: UserSpec, by: Actor, reason: str = "") -> User:
        self._check_spec(s, spec)
        if spec.password is None:
            raise ValidationError("a new user needs a password")
        if s.scalar(select(User.id).where(User.username == spec.username)) is not None:
            raise Conflict(f"user {spec.username!r} exists already")
        user = User(
            username=spec.username,
            full_name=spec.full_name,
            role=spec.role,
            password_hash=hash_password(spec.password),
            client_id=spec.client_id,
            partner_member_ref=spec.partner_member_ref,
            sia_number=spec.sia_number,
            sia_expiry=spec.sia_expiry,
            sia_status=spec.sia_status,
            sia_checked_on=spec.sia_checked_on,
            created_us=self.clock.now_us(),
            disabled=False,
            disabled_reason="",
            failed_logins=0,
        )
        s.add(user)
        s.flush()
        record(
            s,
            by,
            "user.create",
            "user",
            spec.username,
            reason,
            {"role": spec.role, "client": spec.client_id, "sia_number": spec.sia_number},
            clock=self.clock,
        )
        return user

    def update(
        self, s: Session, username: str, spec: UserSpec, by: Actor, reason: str = ""
    ) -> User:
        user = self.get(s, username)
        self._check_spec(s, spec)
        before = {
            "role": user.role,
            "client": user.client_id,
            "sia_status": user.sia_status,
            "sia_expiry": str(user.sia_expiry),
        }
        user.full_name = spec.full_name
        user.role = spec.role
        user.client_id = spec.client_id
        user.partner_member_ref = spec.partner_member_ref
        user.sia_number = spec.sia_number
        user.sia_expiry = spec.sia_expiry
        user.sia_status = spec.sia_status
        user.sia_checked_on = spec.sia_checked_on
        if spec.password:
            user.password_hash = hash_password(spec.password)
        after = {
            "role": user.role,
            "client": user.client_id,
            "sia_status": user.sia_status,
            "sia_expiry": str(user.sia_expiry),
            "password_changed": bool(spec.password),
        }
        action = "user.role_change" if before["role"] != user.role else "user.update"
        record(
            s,
            by,
            action,
            "user",
            username,
            reason,
            {"before": before, "after": after},
            clock=self.clock,
        )
        return user

    def set_disabled(
        self, s: Session, username: str, disabled: bool, by: Actor, reason: str
    ) -> User:
        if disabled and not reason.strip():
            raise ValidationError("give a reason for disabling the user")
        user = self.get(s, username)
        user.disabled = disabled
        user.disabled_reason = reason if disabled else ""
        if not disabled:
            user.failed_logins = 0
            user.locked_until_us = None
        s.execute(delete(UserSession).where(UserSession.user_id == user.id))
        record(
            s,
            by,
            "user.disable" if disabled else "user.enable",
            "user",
            username,
            reason,
            clock=self.clock,
        )
        return user

    def get(self, s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username!r}")
        return user

    def list(self, s: Session) -> list[User]:
        return list(s.scalars(select(User).order_by(User.username)))

    def login_blocker(self, user: User) -> str:
        """Why this user cannot log in now, or '' when they can (shown to administrators)."""
        if user.disabled:
            return f"disabled: {user.disabled_reason}"
        now = self.clock.now_us()
        if user.locked_until_us and user.locked_until_us > now:
            return f"locked after {user.failed_logins} failed log-ins"
        state = self.licence(user)
        if state.blocks_login:
            return state.message
        return ""

    # --- log-in -----------------------------------------------------------------------

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
        now = self.clock.now_us()
        user = s.scalar(select(User).where(User.username == username))
        detail = {"source": source}
        if user is None:
            record(
                s,
                Actor(None, username[:64]),
                "login.failed",
                "user",
                username[:64],
                "unknown user",
                detail,
                clock=self.clock,
            )
            raise AuthError("wrong user name or password")
        actor = Actor(user.id, user.username)
        if user.locked_until_us and user.locked_until_us > now:
            record(
                s,
                actor,
                "login.refused",
                "user",
                username,
                "account locked",
                detail,
                clock=self.clock,
            )
            raise AccountLocked("too many failed log-ins; try again later or ask a supervisor")
        if not check_password(user.password_hash, password):
            user.failed_logins += 1
            reason = "wrong password"
            if user.failed_logins >= self.policy.max_failed_logins:
                user.locked_until_us = now + self.policy.lockout_minutes * 60 * US_PER_S
                reason = f"wrong password; locked for {self.policy.lockout_minutes} minutes"
            record(
                s,
                actor,
                "login.failed",
                "user",
                username,
                reason,
                {**detail, "failures": user.failed_logins},
                clock=self.clock,
            )
            raise AuthError("wrong user name or password")
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
        user.failed_logins = 0
        user.locked_until_us = None
        user.last_login_us = now
        record(s, actor, "login", "user", username, "", detail, clock=self.clock)
        return user

    def open_session(self, s: Session, user: User) -> str:
        """Create a browser session; returns the cookie value (shown nowhere else)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now_us()
        s.add(
            UserSession(
                token_hash=hash_token(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(24),
                created_us=now,
                expires_us=now + int(self.policy.session_hours * 3600 * US_PER_S),
            )
        )
        return token

    def close_session(self, s: Session, token: str) -> None:
        s.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))

    def principal_for_session(self, s: Session, token: str) -> Principal | None:
        row = s.get(UserSession, hash_token(token))
        if row is None or row.expires_us <= self.clock.now_us():
            return None
        user = row.user
        if self.login_blocker(user):
            return None
        return self._principal(user, csrf=row.csrf_token)

    def issue_token(
        self, s: Session, username: str, name: str, by: Actor, days: int | None = None
    ) -> str:
        user = self.get(s, username)
        token = "wk_" + secrets.token_urlsafe(32)
        now = self.clock.now_us()
        expires = now + days * 86_400 * US_PER_S if days else None
        s.add(
            ApiToken(
                token_hash=hash_token(token),
                user_id=user.id,
                name=name,
                created_us=now,
                expires_us=expires,
                revoked=False,
            )
        )
        record(s, by, "token.issue", "user", username, name, {"days": days}, clock=self.clock)
        return token

    def principal_for_token(self, s: Session, token: str) -> Principal | None:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        if row is None or row.revoked:
            return None
        if row.expires_us is not None and row.expires_us <= self.clock.now_us():
            return None
        if self.login_blocker(row.user):
            return None
        return self._principal(row.user, via_token=True)

    @staticmethod
    def _principal(user: User, csrf: str = "", via_token: bool = False) -> Principal:
        return Principal(
            user_id=user.id,
            username=user.username,
            role=Role(user.role),
            client_id=user.client_id,
            partner_member_ref=user.partner_member_ref,
            csrf_token=csrf,
            via_token=via_token,
        )
