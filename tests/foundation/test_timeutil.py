from datetime import UTC, datetime

import pytest

from watchkeeper.timeutil import FakeClock, format_local, format_utc, from_datetime, parse_local


def us(*args: int) -> int:
    return from_datetime(datetime(*args, tzinfo=UTC))  # type: ignore[misc]


def test_repeated_hour_when_clocks_go_back_is_shown_unambiguously() -> None:
    # 2026-10-25: 01:00-02:00 BST happens, then 01:00-02:00 GMT happens again.
    first = us(2026, 10, 25, 0, 30)
    second = us(2026, 10, 25, 1, 30)
    assert format_local(first) == "2026-10-25 01:30:00 BST"
    assert format_local(second) == "2026-10-25 01:30:00 GMT"


def test_parse_local_refuses_ambiguous_and_missing_times() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_local("2026-10-25T01:30:00")
    assert parse_local("2026-10-25T01:30:00", fold=0) == us(2026, 10, 25, 0, 30)
    assert parse_local("2026-10-25T01:30:00", fold=1) == us(2026, 10, 25, 1, 30)
    with pytest.raises(ValueError, match="does not exist"):
        parse_local("2026-03-29T01:30:00")
    assert parse_local("2026-07-01T12:00:00") == us(2026, 7, 1, 11, 0)
    assert parse_local("2026-07-01T12:00:00Z") == us(2026, 7, 1, 12, 0)


def test_utc_format_and_fake_clock() -> None:
    clock = FakeClock(us(2026, 1, 1))
    clock.advance(1.5)
    assert format_utc(clock.now_us()) == "2026-01-01T00:00:01.500Z"
    with pytest.raises(ValueError):
        from_datetime(datetime(2026, 1, 1))
