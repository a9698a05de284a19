"""Tables of users, their log-in sessions, API tokens and failed log-in counters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watchkeeper.db.base import Base, micros

__all__ = ["ApiToken", "LoginThrottle", "User", "UserSession"]


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32), comment="One of auth.roles.Role")
    password_hash: Mapped[str] = mapped_column(Text, comment="argon2id")
    client_id: Mapped[str | None] = mapped_column(
        ForeignKey("client.id"), comment="Client viewers only: the client whose cameras they see"
    )
    partner_member_ref: Mapped[str] = mapped_column(
        String(100), default="", comment="Partner members only: the scheme member they act for"
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    last_login_us: Mapped[int | None] = micros(nullable=True)
    created_us: Mapped[int] = micros()
    sia_number: Mapped[str] = mapped_column(
        String(32), default="", comment="SIA PSS licence number"
    )
    sia_expiry: Mapped[date | None] = mapped_column(Date)
    sia_status: Mapped[str] = mapped_column(
        String(16), default="", comment="active, expired, suspended, revoked or empty"
    )
    sia_checked_on: Mapped[date | None] = mapped_column(
        Date, comment="Last check on the SIA register"
    )


class UserSession(Base):
    """A browser log-in; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()
    expires_us: Mapped[int] = micros()
    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A bearer token for an integration; shown once, stored as SHA-256."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_us: Mapped[int] = micros()
    expires_us: Mapped[int | None] = micros(nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed log-ins counted per account and per source address, in a window.

    One row per key; the counter is raised by a single upsert so that parallel
    attempts never overwrite each other, and it starts again from one once the window
    has passed. The key of an account is a hash of the typed name, so a password typed
    into the name box is not kept here either.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(
        String(80),
        primary_key=True,
        comment="'user:' + SHA-256 of the typed name, or 'addr:' + the source address",
    )
    window_start_us: Mapped[int] = micros(comment="When the current counting window opened")
    failures: Mapped[int] = mapped_column(
        Integer, comment="Attempts not (yet) known good in the window"
    )
