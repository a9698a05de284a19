"""Times typed into playback: now, minutes ago, a time of day, UK and ISO forms; errors in
plain words (never a parser's own message)."""

from __future__ import annotations

import pytest

from watchkeeper.errors import ValidationError
from watchkeeper.timeutil import parse_local
from watchkeeper.web.typed_time import parse_typed_time

NOW = parse_local("2026-12-02T00:10:00")  # ten past midnight, GMT


def test_now_and_times_ago() -> None:
    assert parse_typed_time("now", NOW) == NOW
    assert parse_typed_time(" NOW ", NOW) == NOW
    assert parse_typed_time("-5m", NOW) == NOW - 300_000_000
    assert parse_typed_time("-90s", NOW) == NOW - 90_000_000
    assert parse_typed_time("-2h", NOW) == NOW - 7_200_000_000
    assert parse_typed_time("-1 min ago", NOW) == NOW - 60_000_000


def test_a_time_of_day_is_the_latest_one_not_in_the_future() -> None:
    assert parse_typed_time("00:05", NOW) == parse_local("2026-12-02T00:05:00")
    assert parse_typed_time("20:30", NOW) == parse_local("2026-12-01T20:30:00")  # last night
    assert parse_typed_time("23:59:30", NOW) == parse_local("2026-12-01T23:59:30")


def test_uk_and_iso_forms() -> None:
    assert parse_typed_time("01/12/2026 20:30", NOW) == parse_local("2026-12-01T20:30:00")
    assert parse_typed_time("01/12/2026 20:30:15", NOW) == parse_local("2026-12-01T20:30:15")
    assert parse_typed_time("2026-12-01 20:30:00.400", NOW) == parse_local(
        "2026-12-01T20:30:00.400"
    )


def test_the_repeated_hour_asks_which_and_the_skipped_hour_is_refused() -> None:
    with pytest.raises(ValidationError, match="happens twice"):
        parse_typed_time("25/10/2026 01:30", NOW)
    first = parse_typed_time("25/10/2026 01:30", NOW, fold=0)
    assert parse_typed_time("25/10/2026 01:30", NOW, fold=1) - first == 3_600_000_000
    with pytest.raises(ValidationError, match="does not exist"):
        parse_typed_time("29/03/2026 01:30", NOW)


@pytest.mark.parametrize("text", ["", "soon", "25:00", "32/13/2026 10:00", "-5 parsecs"])
def test_nonsense_gets_plain_words(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_typed_time(text, NOW)
    message = str(err.value)
    assert "isoformat" not in message and ("type a time like" in message or "no time" in message)
