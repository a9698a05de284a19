"""Bounded types for request parameters and bodies.

Every integer a client sends is bounded, so nothing reaches the database that it
cannot store (SQLite and PostgreSQL both stop at 2^63 - 1), and every time lies
between 2000 and 2100, so nothing is stored that no page can show. Out of range is a
422 naming the field, like any other validation error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

from watchkeeper.timeutil import MAX_US, MIN_US

__all__ = ["BIG", "Cursor", "RowId", "SmallInt", "TimeQuery", "TimeUs"]

BIG = 2**63 - 1
ROW_MAX = 2**31 - 1

TimeUs = Annotated[
    int, Field(ge=MIN_US, le=MAX_US, description="UTC microseconds, 2000-01-01 to 2100-01-01")
]
TimeQuery = Annotated[
    int | None,
    Query(ge=MIN_US, le=MAX_US, description="UTC microseconds, 2000-01-01 to 2100-01-01"),
]
RowId = Annotated[int, Path(ge=1, le=ROW_MAX)]
Cursor = Annotated[int | None, Query(ge=1, le=BIG)]
SmallInt = Annotated[int, Field(ge=-100_000, le=100_000)]
