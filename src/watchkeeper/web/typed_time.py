"""Times as an operator types them into playback: ``now``, ``-5m``, ``20:30``, UK or ISO form.

Everything is Europe/London wall time; a bare ``hh:mm`` is the latest such time not in the
future (``23:50`` typed at 00:10 is last night). Anything else gets one plain sentence
saying what may be typed, never a parser's internal message.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from watchkeeper.errors import ValidationError
from watchkeeper.timeutil import parse_local, to_local

__all__ = ["HOW_TO_TYPE", "parse_typed_time"]

HOW_TO_TYPE = "type a time like 20:30, 25/10/2026 20:30, now or -5m (5 minutes ago)"

_AGO = re.compile(r"^-\s*(\d{1,5})\s*(s|sec|m|min|h|hr|d|day)s?(?:\s+ago)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT_S = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}
_UK_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def _wall(dt: datetime, fold: int | None) -> int:
    try:
        return parse_local(dt.isoformat(), fold=fold)
    except ValueError as exc:  # the skipped or the repeated hour
        shown = dt.strftime("%d/%m/%Y %H:%M")
        if "twice" in str(exc):
            raise ValidationError(f"{shown} happens twice (clocks went back): say which") from exc
        raise ValidationError(f"{shown} does not exist (clocks went forward)") from exc


def parse_typed_time(text: str, now_us: int, fold: int | None = None) -> int:
    """``text`` as UTC microseconds; :class:`ValidationError` in plain words otherwise."""
    t = " ".join(text.strip().lower().split())
    if not t:
        raise ValidationError(f"no time given: {HOW_TO_TYPE}")
    if t == "now":
        return now_us
    if m := _AGO.match(t):
        return now_us - int(m.group(1)) * _UNIT_S[m.group(2)] * 1_000_000
    if m := _CLOCK.match(t):
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h > 23 or mi > 59 or sec > 59:
            raise ValidationError(f"{text.strip()!r} is not a time of day: {HOW_TO_TYPE}")
        today = to_local(now_us).date()
        at = _wall(datetime.combine(today, time(h, mi, sec)), fold)
        if at > now_us:
            at = _wall(datetime.combine(today - timedelta(days=1), time(h, mi, sec)), fold)
        return at
    for fmt in _UK_FORMATS:
        try:
            return _wall(datetime.strptime(t, fmt), fold)
        except ValueError:
            continue
    try:
        iso = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"{text.strip()[:40]!r} is not a time: {HOW_TO_TYPE}") from exc
    if iso.tzinfo is not None:  # an instant that names its own offset needs no wall clock
        return parse_local(text.strip(), fold=fold)
    return _wall(iso, fold)  # the repeated or skipped hour says so in words
