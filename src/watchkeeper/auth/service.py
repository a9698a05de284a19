"""Users, log-in, lock-out, sessions and API tokens.

Log-ins, failed log-ins, lock-outs and every change to a user are audited in the
same transaction as the change. Tokens (session cookies and API tokens) are random;
only their SHA-256 is stored, so a copy of the database logs nobody in.

Log-in itself (throttling, one message for every refusal) is :mod:`watchkeeper.auth.login`.
A lock-out stops new log-ins only; sessions and tokens already open keep working.
A password reset by an administrator ends the user's sessions and revokes their tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, object_session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.licence import LicenceState, licence_state
from watchkeeper.auth.login import LOGIN_REFUSED, AuthPolicy, LoginResult, Logins
from watchkeeper.auth.models import ApiToken, User, UserSession
from watchkeeper.auth.passwords import check_password, hash_password
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.errors import (
    Conflict,
    NotFound,
    ValidationError,
)
from watchkeeper.timeutil import US_PER_S, Clock, to_local

__all__ = ["LOGIN_REFUSED", "AuthPolicy", "LoginResult", "UserService", "UserSpec", "hash_token"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        self.logins = Logins(clock, self.policy, self.licence)

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
        ended: dict[str, int] = {}
        if spec.password:
            user.password_hash = hash_password(spec.password)
            ended = self._end_access(s, user)
        after = {
            "role": user.role,
            "client": user.client_id,
            "sia_status": user.sia_status,
            "sia_expiry": str(user.sia_expiry),
            "password_changed": bool(spec.password),
            **ended,
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
            self.logins.forget(s, user)
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

    def reset_password(
        self, s: Session, username: str, password: str, by: Actor, reason: str
    ) -> User:
        """An administrator sets a new password: every session and token of the user ends."""
        if not reason.strip():
            raise ValidationError("give a reason for resetting the password")
        user = self.get(s, username)
        user.password_hash = hash_password(password)
        ended = self._end_access(s, user)
        record(s, by, "user.password_reset", "user", username, reason, ended, clock=self.clock)
        return user

    def change_own_password(
        self, s: Session, who: Principal, current: str, new: str, keep_session: str = ""
    ) -> int:
        """A user changes their own password, giving the current one; their other
        browser sessions end (``keep_session``: the cookie of the one in use). API tokens
        stay: an integration's token is not the person's password. Returns the number of
        sessions ended. A wrong current password is audited and refused."""
        user = self.get(s, who.username)
        if not check_password(user.password_hash, current):
            record(s, who.actor, "user.password_change_refused", "user", who.username,
                   "wrong current password", clock=self.clock)  # fmt: skip
            raise ValidationError("the current password is not right")
        if new == current:
            raise ValidationError("the new password must differ from the current one")
        user.password_hash = hash_password(new)
        others = delete(UserSession).where(UserSession.user_id == user.id)
        if keep_session:
            others = others.where(UserSession.token_hash != hash_token(keep_session))
        ended = int(s.execute(others).rowcount)  # type: ignore[attr-defined]
        record(s, who.actor, "user.password_change", "user", who.username, "",
               {"sessions_ended": ended}, clock=self.clock)  # fmt: skip
        return ended

    def get(self, s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username!r}")
        return user

    def list(self, s: Session) -> list[User]:
        return list(s.scalars(select(User).order_by(User.username)))

    def login_blocker(self, user: User) -> str:
        """Why this user cannot log in now, or '' when they can (shown to administrators)."""
        blocked = self._access_blocker(user)
        if blocked:
            return blocked
        s = object_session(user)
        failures = self.logins.failures(s, user) if s is not None else 0
        if failures >= self.policy.max_failed_logins:
            return (
                f"locked after {failures} failed log-ins "
                f"(for up to {self.policy.lockout_minutes} minutes)"
            )
        return ""

    def _access_blocker(self, user: User) -> str:
        """What ends open sessions and tokens too: disabled, or no valid licence.

        A lock-out is not here: it stops new log-ins, never work already in hand.
        """
        if user.disabled:
            return f"disabled: {user.disabled_reason}"
        state = self.licence(user)
        if state.blocks_login:
            return state.message
        return ""

    def _end_access(self, s: Session, user: User) -> dict[str, int]:
        """End every session and revoke every token of ``user`` (after a password reset)."""
        sessions = s.execute(delete(UserSession).where(UserSession.user_id == user.id))
        tokens = s.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
            .values(revoked=True)
        )
        return {
            "sessions_ended": int(sessions.rowcount),  # type: ignore[attr-defined]
            "tokens_revoked": int(tokens.rowcount),  # type: ignore[attr-defined]
        }

    # --- log-in -----------------------------------------------------------------------

    def authenticate(
        self, s: Session, username: str, password: str, source: str = ""
    ) -> LoginResult:
        """Check a password and audit the attempt (see :mod:`watchkeeper.auth.login`)."""
        return self.logins.authenticate(s, username, password, source)

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
        if self._access_blocker(user):
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
        if self._access_blocker(row.user):
            return None
        return self._principal(row.user, via_token=True)

    def tokens(self, s: Session, username: str) -> Sequence[ApiToken]:
        """A user's API tokens, newest first (their hashes are never shown)."""
        user = self.get(s, username)
        q = select(ApiToken).where(ApiToken.user_id == user.id)
        return list(s.scalars(q.order_by(ApiToken.id.desc())))

    def active_tokens(self, s: Session) -> Sequence[ApiToken]:
        """Every token not revoked, of every user (for the users page)."""
        q = select(ApiToken).where(ApiToken.revoked.is_(False)).order_by(ApiToken.id)
        return list(s.scalars(q))

    def revoke_token(self, s: Session, who: Principal, token_id: int, reason: str = "") -> ApiToken:
        """Revoke one token: one's own, or anyone's with the right to manage users."""
        row = s.get(ApiToken, token_id)
        if row is None or (row.user_id != who.user_id and not who.can(Right.USERS_MANAGE)):
            raise NotFound(f"no token {token_id}")
        if row.revoked:
            raise Conflict(f"token {token_id} is revoked already")
        row.revoked = True
        record(
            s,
            who.actor,
            "token.revoke",
            "user",
            row.user.username,
            reason,
            {"token": row.id, "name": row.name},
            clock=self.clock,
        )
        return row

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
