"""Statutory clocks for requests: subject access and FOI. Pure: dates in, dates out.

Deadlines are always computed from the dates the request records (received, identity
received, pauses, extension), never typed by a person. Sources and rules:
``docs/design/evidence.md`` (Deadlines).

- **Subject access** (UK GDPR Art 12(3); ICO right-of-access guidance): the clock starts on
  the day the request is received, or on the day identity is confirmed when it was asked
  for. The response is due on the corresponding day of the following month, or its last day
  when the month has no such day; an extension of up to two further months counts the same
  way from the start. Days paused awaiting clarification are added. A due date on a weekend
  or a bank holiday (England and Wales) moves to the next working day.
- **FOI** (FOIA s.10(1), s.10(6)): the twentieth working day after the day of receipt, where
  a working day is not a Saturday, Sunday, Christmas Day, Good Friday or a bank holiday *in
  any part of the United Kingdom* (so Scottish and Northern Irish holidays count too).
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from watchkeeper.errors import ValidationError

__all__ = [
    "DUE_SOON_DAYS",
    "FOI_WORKING_DAYS",
    "Pause",
    "Urgency",
    "add_months",
    "foi_due",
    "is_working_day",
    "next_working_day",
    "sar_due",
    "urgency",
    "validate_extension",
]

FOI_WORKING_DAYS = 20
DUE_SOON_DAYS = 7
"""A request is due soon this many calendar days before its deadline."""

ENGLAND_AND_WALES = ("ENG", "WLS")
WHOLE_UK = ("ENG", "WLS", "SCT", "NIR")


@dataclass(frozen=True, slots=True)
class Pause:
    """Days the clock stood still, from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days)


class Urgency(enum.StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@lru_cache(maxsize=64)
def _bank_holidays(year: int, regions: tuple[str, ...]) -> frozenset[date]:
    import holidays  # a fifth of a second to import: only when a deadline is counted

    days: set[date] = set()
    for region in regions:
        days |= set(holidays.country_holidays("GB", subdiv=region, years=year))
    return frozenset(days)


def is_working_day(d: date, regions: tuple[str, ...] = ENGLAND_AND_WALES) -> bool:
    return d.weekday() < 5 and d not in _bank_holidays(d.year, regions)


def next_working_day(d: date, regions: tuple[str, ...] = ENGLAND_AND_WALES) -> date:
    """``d`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(d, regions):
        d += timedelta(days=1)
    return d


def add_months(d: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day when it has none."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def sar_due(
    received: date,
    identity_received: date | None = None,
    pauses: Sequence[Pause] = (),
    extension_months: int = 0,
) -> date:
    """Due date of a subject access request (see the module docstring)."""
    if extension_months not in (0, 1, 2):
        raise ValidationError("a subject access request may be extended by one or two months")
    start = received
    if identity_received is not None:
        if identity_received < received:
            raise ValidationError("identity cannot be confirmed before the request arrived")
        start = identity_received
    raw = add_months(start, 1 + extension_months) + timedelta(days=sum(p.days for p in pauses))
    return next_working_day(raw)


def validate_extension(
    received: date,
    told_on: date,
    identity_received: date | None = None,
    pauses: Sequence[Pause] = (),
) -> None:
    """An extension must be told to the requester within the first (unextended) period."""
    if told_on > sar_due(received, identity_received, pauses):
        raise ValidationError(
            "too late to extend: the requester must be told within the first month"
        )


def foi_due(received: date, working_days: int = FOI_WORKING_DAYS) -> date:
    """The ``working_days``-th working day after the day of receipt (FOIA s.10)."""
    d = received
    counted = 0
    while counted < working_days:
        d += timedelta(days=1)
        if is_working_day(d, WHOLE_UK):
            counted += 1
    return d


def urgency(due: date, today: date, soon_days: int = DUE_SOON_DAYS) -> Urgency:
    if today > due:
        return Urgency.OVERDUE
    if (due - today).days <= soon_days:
        return Urgency.DUE_SOON
    return Urgency.ON_TIME
