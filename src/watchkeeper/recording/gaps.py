"""Recorded spans and gaps of one camera over one local day, with the reason where known.

Reasons come from stream events: the state the stream was in when the gap began (stalled,
offline, connecting, recorder stopped). A gap with no event around it means the recorder was
not running and did not stop cleanly (a crash or power cut).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.recording.models import Segment, SegmentState, StreamEvent, StreamState
from watchkeeper.timeutil import US_PER_S, date_to_us

__all__ = ["GAP_REASONS", "DayReport", "Gap", "Span", "day_report", "explain_gap"]

GAP_REASONS = {
    StreamState.STALLED.value: "stream stalled",
    StreamState.OFFLINE.value: "camera offline",
    StreamState.CONNECTING.value: "reconnecting",
    StreamState.STOPPED.value: "recorder stopped",
}


@dataclass(frozen=True, slots=True)
class Span:
    start_us: int
    end_us: int


@dataclass(frozen=True, slots=True)
class Gap:
    start_us: int
    end_us: int
    reason: str


@dataclass(frozen=True, slots=True)
class DayReport:
    camera_id: str
    stream: str
    start_us: int
    end_us: int
    spans: list[Span]
    gaps: list[Gap]

    @property
    def recorded_us(self) -> int:
        return sum(s.end_us - s.start_us for s in self.spans)


def explain_gap(events: Sequence[tuple[int, str, str]], start: int, end: int) -> str:
    """Why nothing was recorded in ``[start, end)``, from (at, state, reason) stream events.

    The day report and the playback timeline both ask this, and must answer alike.
    """
    before = [e for e in events if e[0] <= start]
    inside = [e for e in events if start < e[0] < end and e[1] != StreamState.STREAMING.value]
    if not before:
        return "not recorded (recorder not running)"
    if before[-1][1] != StreamState.STREAMING.value:
        chosen = before[-1]
    elif inside:
        chosen = inside[0]
    else:
        return "recorder interrupted while streaming (crash or power cut?)"
    label = GAP_REASONS.get(chosen[1], chosen[1])
    return f"{label}: {chosen[2]}" if chosen[2] else label


def _reason(events: list[StreamEvent], start: int, end: int) -> str:
    return explain_gap([(e.at_us, e.state, e.reason) for e in events], start, end)


def day_report(
    session: Session,
    camera_id: str,
    day: date,
    stream: str = "main",
    now_us: int | None = None,
    tolerance_us: int = US_PER_S // 2,
) -> DayReport:
    """Spans of footage and explained gaps within the local day ``day``."""
    start = date_to_us(day)
    end = date_to_us(day + timedelta(days=1))
    if now_us is not None:
        end = max(start, min(end, now_us))
    rows = session.execute(
        select(Segment.start_us, Segment.end_us)
        .where(
            Segment.camera_id == camera_id,
            Segment.stream == stream,
            Segment.state == SegmentState.LIVE.value,
            Segment.start_us < end,
            Segment.end_us > start,
        )
        .order_by(Segment.start_us)
    ).all()
    spans: list[Span] = []
    for s0, s1 in rows:
        s0, s1 = max(s0, start), min(s1, end)
        if spans and s0 - spans[-1].end_us <= tolerance_us:
            spans[-1] = Span(spans[-1].start_us, max(spans[-1].end_us, s1))
        else:
            spans.append(Span(s0, s1))
    events = list(
        session.execute(
            select(StreamEvent)
            .where(
                StreamEvent.camera_id == camera_id,
                StreamEvent.stream == stream,
                StreamEvent.at_us < end,
            )
            .order_by(StreamEvent.at_us, StreamEvent.id)
        ).scalars()
    )
    gaps: list[Gap] = []
    cursor = start
    for span in [*spans, Span(end, end)]:
        if span.start_us - cursor > tolerance_us:
            gaps.append(Gap(cursor, span.start_us, _reason(events, cursor, span.start_us)))
        cursor = max(cursor, span.end_us)
    return DayReport(camera_id, stream, start, end, spans, gaps)
