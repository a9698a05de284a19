"""One representation of time: integer microseconds since the epoch, UTC.

Everything inside Watchkeeper (database columns, index rows, events) carries time as
``int`` microseconds. Conversion to a zone happens only at the edges, for display
(Europe/London by default) and for evidence, which carries both UTC and local time.
The repeated hour when the clocks go back is shown with its zone abbreviation and
offset, so 01:30 BST and 01:30 GMT on the last Sunday of October never look alike.

Clocks are injected (:class:`Clock`) so that services and tests can run on fake time.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from watchkeeper.errors import ValidationError

__all__ = [
    "LONDON",
    "MAX_US",
    "MIN_US",
    "US_PER_DAY",
    "US_PER_S",
    "Clock",
    "FakeClock",
    "SystemClock",
    "check_us",
    "date_to_us",
    "format_local",
    "format_utc",
    "from_datetime",
    "parse_local",
    "to_datetime",
    "to_local",
]

US_PER_S = 1_000_000
US_PER_DAY = 86_400 * US_PER_S
LONDON = ZoneInfo("Europe/London")
MIN_US = 946_684_800_000_000
"""2000-01-01 00:00 UTC: no time a person gives may be earlier."""
MAX_US = 4_102_444_800_000_000
"""2100-01-01 00:00 UTC: nor later. Both bounds keep every stored time showable."""


def check_us(value: int, what: str = "time") -> int:
    """``value`` if it lies in [MIN_US, MAX_US], else a :class:`ValidationError`.

    Services call this on every time a person gives, so a typo cannot store a time
    that no page can show afterwards.
    """
    if not MIN_US <= value <= MAX_US:
        raise ValidationError(f"{what} must lie between 2000-01-01 and 2100-01-01 (UTC)")
    return value


class Clock(Protocol):
    """Source of the current time."""

    def now_us(self) -> int:
        """Microseconds since the epoch, UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for timeouts and rates)."""
        ...


class SystemClock:
    """The real clocks of this machine."""

    def now_us(self) -> int:
        return time.time_ns() // 1000

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to, for tests."""

    def __init__(self, start_us: int = 1_767_225_600_000_000) -> None:
        self._now = start_us
        self._mono = 1000.0

    def now_us(self) -> int:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += int(seconds * US_PER_S)
        self._mono += seconds

    def set(self, us: int) -> None:
        self._mono += (us - self._now) / US_PER_S
        self._now = us


def to_datetime(us: int) -> datetime:
    """An aware UTC datetime for integer microseconds."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def from_datetime(dt: datetime) -> int:
    """Integer microseconds for an aware datetime; naive datetimes are refused."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    delta = dt.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US_PER_S + delta.microseconds


def date_to_us(d: date, tz: ZoneInfo = LONDON) -> int:
    """Start of a local calendar day, in microseconds."""
    return from_datetime(datetime(d.year, d.month, d.day, tzinfo=tz))


def to_local(us: int, tz: ZoneInfo = LONDON) -> datetime:
    return to_datetime(us).astimezone(tz)


def format_local(us: int | None, tz: ZoneInfo = LONDON, seconds: bool = True) -> str:
    """Local time with zone abbreviation, e.g. ``2026-10-25 01:30:00 GMT``."""
    if us is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return to_local(us, tz).strftime(fmt)


def format_utc(us: int | None) -> str:
    """ISO 8601 UTC with millisecond precision and a ``Z``."""
    if us is None:
        return ""
    return to_datetime(us).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_local(text: str, tz: ZoneInfo = LONDON, fold: int | None = None) -> int:
    """Parse a local wall-clock time (ISO form) into microseconds.

    An explicit offset in the text wins. Without one, a time in the repeated hour
    (clocks going back) is ambiguous: ``fold`` must then be 0 (the first, summer
    time) or 1 (the second, winter time), or :class:`ValueError` is raised. A time
    in the skipped hour (clocks going forward) does not exist and is refused.
    """
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if dt.tzinfo is not None:
        return from_datetime(dt)
    first = dt.replace(tzinfo=tz, fold=0)
    second = dt.replace(tzinfo=tz, fold=1)
    exists = [
        c for c in (first, second) if c.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == dt
    ]
    if not exists:
        raise ValueError(f"{text} does not exist in {tz.key} (clocks went forward)")
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise ValueError(f"{text} happens twice in {tz.key}; say which (BST or GMT)")
        chosen = first if fold == 0 else second
    else:
        chosen = first
    return from_datetime(chosen)
