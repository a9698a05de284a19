"""Dates and times as a UK control room reads and types them: dd/mm/yyyy, 24-hour, London.

The browser's locale plays no part: pages print with these filters and forms take text
fields parsed here, so an operator on a US-locale machine still sees and types UK form.
"""

from __future__ import annotations

from datetime import date, datetime

from watchkeeper.errors import ValidationError
from watchkeeper.timeutil import parse_local, to_local

__all__ = [
    "format_uk",
    "format_uk_date",
    "format_uk_duration",
    "parse_uk_date",
    "parse_uk_time",
]

_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def format_uk(us: int | None, seconds: bool = False) -> str:
    """``25/10/2026 01:30 GMT`` (the zone shows which of a repeated hour)."""
    if us is None:
        return ""
    fmt = "%d/%m/%Y %H:%M:%S %Z" if seconds else "%d/%m/%Y %H:%M %Z"
    return to_local(us).strftime(fmt)


def format_uk_date(d: date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def format_uk_duration(us: int | None) -> str:
    """A span of time for people: ``3 d 4 h``, ``2 h 05 min``, ``40 min``."""
    if us is None:
        return ""
    minutes = max(0, us) // 60_000_000
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def parse_uk_date(text: str) -> date:
    """``dd/mm/yyyy`` (also ``d/m/yyyy``); a clear error for anything else."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise ValidationError(f"{text.strip()!r} is not a date: use dd/mm/yyyy") from exc


def parse_uk_time(text: str) -> int:
    """``dd/mm/yyyy hh:mm[:ss]`` or ``dd/mm/yyyy`` (midnight), London time, in microseconds."""
    cleaned = " ".join(text.split())
    for fmt in _TIME_FORMATS:
        try:
            wall = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        try:
            return parse_local(wall.isoformat(), fold=0)
        except ValueError as exc:
            raise ValidationError(f"{cleaned!r}: {exc}") from exc
    raise ValidationError(f"{cleaned!r} is not a time: use dd/mm/yyyy hh:mm (24-hour)")
