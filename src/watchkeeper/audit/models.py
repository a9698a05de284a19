"""Tables of the audit log: entries chained by hash, and the chain's head."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["AuditEntry", "AuditHead"]


class AuditEntry(Base):
    """One audited action. Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
        comment="1, 2, 3 ... with no gaps",
    )
    at_us: Mapped[int] = micros(index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64), comment="As it was at the time")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(128), default="", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}", comment="Canonical JSON")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), comment="SHA-256 over prev_hash and the fields")


class AuditHead(Base):
    """A single row holding the chain's last sequence number and hash.

    Every append updates it first, which serialises writers on both databases and
    lets ``verify`` notice rows cut off the end of the log. ``mac`` anchors the head
    outside the database: without the system key nobody can move it to a rebuilt chain.
    Triggers refuse deleting it, or moving it anywhere but onto the entry just appended.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(
        String(64),
        default="",
        server_default="",
        comment="HMAC-SHA256 of seq and hash under the system key",
    )
