"""Statutory clocks across month ends, leap years, bank holidays, pauses and extensions."""

from __future__ import annotations

from datetime import date

import pytest

from watchkeeper.errors import ValidationError
from watchkeeper.evidence.deadlines import (
    Pause,
    Urgency,
    add_months,
    foi_due,
    is_working_day,
    next_working_day,
    sar_due,
    urgency,
    validate_extension,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
    ],
)
def test_corresponding_day_or_last_day_of_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_sar_one_calendar_month_to_the_next_working_day() -> None:
    assert sar_due(date(2026, 9, 3)) == date(2026, 10, 5)  # 3 Oct is a Saturday
    assert sar_due(date(2026, 6, 10)) == date(2026, 7, 10)  # a Friday: unchanged
    assert sar_due(date(2026, 1, 31)) == date(2026, 3, 2)  # 28 Feb is a Saturday
    assert sar_due(date(2028, 1, 31)) == date(2028, 2, 29)  # leap year, a Tuesday


def test_sar_due_on_bank_holidays_moves_on() -> None:
    # 25 Dec 2026 Friday, 26-27 weekend, 28 Dec Boxing Day (observed)
    assert sar_due(date(2026, 11, 25)) == date(2026, 12, 29)
    # 3 Apr 2026 Good Friday, 6 Apr Easter Monday
    assert sar_due(date(2026, 3, 3)) == date(2026, 4, 7)
    # Scotland's 2 Jan is not a working-day break for England and Wales
    assert sar_due(date(2026, 12, 4)) == date(2027, 1, 4)  # 4 Jan 2027 Monday (ENG works)


def test_identity_starts_the_clock_and_pauses_add_their_days() -> None:
    assert sar_due(date(2026, 1, 30), identity_received=date(2026, 2, 9)) == date(2026, 3, 9)
    paused = [Pause(date(2026, 6, 15), date(2026, 6, 25))]
    assert sar_due(date(2026, 6, 10), pauses=paused) == date(2026, 7, 20)
    two = [*paused, Pause(date(2026, 7, 1), date(2026, 7, 4))]
    assert sar_due(date(2026, 6, 10), pauses=two) == date(2026, 7, 23)
    with pytest.raises(ValidationError):
        sar_due(date(2026, 6, 10), identity_received=date(2026, 6, 1))


def test_extension_by_up_to_two_months_told_within_the_first() -> None:
    assert sar_due(date(2026, 1, 31), extension_months=2) == date(2026, 4, 30)
    assert sar_due(date(2025, 11, 30), extension_months=2) == date(2026, 3, 2)  # 28 Feb Sat
    with pytest.raises(ValidationError):
        sar_due(date(2026, 1, 31), extension_months=3)
    validate_extension(date(2026, 1, 31), told_on=date(2026, 3, 2))
    with pytest.raises(ValidationError, match="within the first month"):
        validate_extension(date(2026, 1, 31), told_on=date(2026, 3, 3))


def test_foi_twenty_working_days_excluding_any_uk_bank_holiday() -> None:
    assert foi_due(date(2026, 9, 7)) == date(2026, 10, 5)  # no holidays: four weeks
    # Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr are skipped
    assert foi_due(date(2026, 3, 27)) == date(2026, 4, 28)
    # Christmas and New Year, and Scotland's 2 Jan (observed Monday 4 Jan 2027)
    assert foi_due(date(2026, 12, 18)) == date(2027, 1, 21)
    assert foi_due(date(2026, 3, 16)) == date(2026, 4, 16)  # St Patrick's Day 17 Mar (NI)


def test_working_days_and_urgency() -> None:
    assert not is_working_day(date(2026, 5, 25))  # Spring bank holiday
    assert next_working_day(date(2026, 5, 23)) == date(2026, 5, 26)
    due = date(2026, 7, 10)
    assert urgency(due, date(2026, 6, 30)) is Urgency.ON_TIME
    assert urgency(due, date(2026, 7, 3)) is Urgency.DUE_SOON
    assert urgency(due, date(2026, 7, 10)) is Urgency.DUE_SOON
    assert urgency(due, date(2026, 7, 11)) is Urgency.OVERDUE
