"""Declarative base shared by every domain's models.

Times are ``BigInteger`` microseconds UTC (see ``timeutil``); a constraint naming
convention keeps Alembic migrations identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Micros", "micros"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


Micros = Mapped[int]
"""A time column: integer microseconds since the epoch, UTC."""


def micros(nullable: bool = False, index: bool = False, comment: str | None = None) -> Mapped[int]:
    """A ``BigInteger`` column holding UTC microseconds."""
    return mapped_column(BigInteger, nullable=nullable, index=index, comment=comment)
