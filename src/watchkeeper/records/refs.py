"""Incident reference numbers: ``YYYY-NNNNNN``, gap-free within a year, race-free.

The counter row is created if missing (insert that ignores a conflict) and then
bumped with ``UPDATE ... RETURNING``. The update takes the write lock on SQLite and
a row lock on PostgreSQL, so two operators saving at the same instant queue on the
counter instead of getting the same number; a rolled-back save returns its number.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from watchkeeper.records.incident_models import IncidentCounter

__all__ = ["format_ref", "next_seq"]


def format_ref(year: int, seq: int) -> str:
    return f"{year:04d}-{seq:06d}"


def next_seq(s: Session, year: int) -> int:
    """The next sequence number of ``year``; call it first in the transaction."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(
        insert(IncidentCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    bumped = s.execute(
        update(IncidentCounter)
        .where(IncidentCounter.year == year)
        .values(last=IncidentCounter.last + 1)
        .returning(IncidentCounter.last)
    )
    return int(bumped.scalar_one())
