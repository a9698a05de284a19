"""Recorded spans and gaps of one camera over one local day, with the reason where known.

Reasons come from the records, in this order: footage that was recorded and later deleted is
explained by its ``recording_deletion`` row (rule, when, why); otherwise by stream events: the
state the stream was in when the gap began (stalled, offline, connecting, recorder stopped),
and for a camera that never connected, the reason each attempt failed ("camera unreachable").
Before a camera's first event the recorder was not running; a gap with no event around it
after streaming means the recorder did not stop cleanly (a crash or power cut).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.recording.models import (
    DeletionRule,
    RecordingDeletion,
    Segment,
    StreamEvent,
    StreamState,
    live_overlapping,
)
from watchkeeper.timeutil import US_PER_S, date_to_us, format_local

__all__ = [
    "GAP_REASONS",
    "DayReport",
    "Gap",
    "GapContext",
    "Span",
    "day_report",
    "explain_gap",
    "gap_context",
]

GAP_REASONS = {
    StreamState.STALLED.value: "stream stalled",
    StreamState.OFFLINE.value: "camera offline",
    StreamState.CONNECTING.value: "reconnecting",
    StreamState.STOPPED.value: "recorder stopped",
}


NOT_RUNNING = "not recorded (recorder not running)"
OPENING = "opening stream"  # the supervisor's reason when it starts a connection
DELETED = {
    DeletionRule.RETENTION.value: "footage deleted under the retention period",
    DeletionRule.DISK_PRESSURE.value: "footage deleted to free disk space",
    DeletionRule.REPAIR.value: "file found missing; index row removed by check --repair",
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
    if before and before[-1][1] != StreamState.STREAMING.value:
        candidates = [before[-1], *inside]
    elif inside:
        candidates = inside
    elif not before:
        return NOT_RUNNING
    else:
        return "recorder interrupted while streaming (crash or power cut?)"
    # "opening stream" says only that an attempt began; the next event says how it went
    chosen = next((e for e in candidates if e[2] and e[2] != OPENING), candidates[0])
    label = GAP_REASONS.get(chosen[1], chosen[1])
    streamed = any(e[1] == StreamState.STREAMING.value and e[0] <= start for e in events)
    waiting = chosen[1] == StreamState.CONNECTING.value or not streamed
    if waiting and chosen[1] in _TRYING and "connect failed" in chosen[2]:
        label = "camera unreachable"
    return f"{label}: {chosen[2]}" if chosen[2] else label


_TRYING = (StreamState.CONNECTING.value, StreamState.OFFLINE.value)


def _deleted_parts(gap: Gap, deletions: Sequence[RecordingDeletion]) -> list[Gap]:
    """Split a gap where deletion records cover it; the rest keeps its stream reason."""
    out: list[Gap] = []
    cursor = gap.start_us
    for d in deletions:
        a, b = max(d.start_us, cursor), min(d.end_us, gap.end_us)
        if b <= a:
            continue
        if a > cursor:
            out.append(Gap(cursor, a, gap.reason))
        why = f"{DELETED.get(d.rule, d.rule)} at {format_local(d.at_us)}"
        why += f": {d.detail}" if d.detail else ""
        if out and out[-1].reason == why and out[-1].end_us == a:
            out[-1] = Gap(out[-1].start_us, b, why)
        else:
            out.append(Gap(a, b, why))
        cursor = b
    if cursor < gap.end_us:
        out.append(Gap(cursor, gap.end_us, gap.reason))
    return out


@dataclass(frozen=True, slots=True)
class GapContext:
    """Stream events for explaining the gaps of one window.

    A gap that runs to the window's end (a day report's midnight, an export's last second) is
    explained as the whole gap, up to the next footage or now: the event that says why often
    comes after the window's end (a stall is declared seconds after the last frame).
    """

    events: list[tuple[int, str, str]]
    window_end_us: int
    horizon_us: int

    def explain(self, start: int, end: int) -> str:
        upto = max(end, self.horizon_us) if end >= self.window_end_us else end
        return explain_gap(self.events, start, upto)


def gap_context(
    session: Session, camera_id: str, stream: str, window_end_us: int, now_us: int | None = None
) -> GapContext:
    """Events up to the end of the gap that reaches ``window_end_us`` (see GapContext)."""
    nxt = session.execute(
        select(func.min(Segment.start_us)).where(
            *live_overlapping(camera_id, stream, window_end_us, 2**62)
        )
    ).scalar()
    horizon = nxt if nxt is not None else now_us if now_us is not None else 2**62
    horizon = max(horizon, window_end_us)
    if now_us is not None:
        horizon = min(horizon, max(now_us, window_end_us))
    events = [
        (at, state, reason)
        for at, state, reason in session.execute(
            select(StreamEvent.at_us, StreamEvent.state, StreamEvent.reason)
            .where(
                StreamEvent.camera_id == camera_id,
                StreamEvent.stream == stream,
                StreamEvent.at_us < horizon,
            )
            .order_by(StreamEvent.at_us, StreamEvent.id)
        )
    ]
    return GapContext(events, window_end_us, horizon)


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
        .where(*live_overlapping(camera_id, stream, start, end))
        .order_by(Segment.start_us)
    ).all()
    spans: list[Span] = []
    for s0, s1 in rows:
        s0, s1 = max(s0, start), min(s1, end)
        if spans and s0 - spans[-1].end_us <= tolerance_us:
            spans[-1] = Span(spans[-1].start_us, max(spans[-1].end_us, s1))
        else:
            spans.append(Span(s0, s1))
    ctx = gap_context(session, camera_id, stream, end, now_us)
    deletions = list(
        session.execute(
            select(RecordingDeletion)
            .where(
                RecordingDeletion.camera_id == camera_id,
                RecordingDeletion.stream == stream,
                RecordingDeletion.start_us < end,
                RecordingDeletion.end_us > start,
            )
            .order_by(RecordingDeletion.start_us)
        ).scalars()
    )
    gaps: list[Gap] = []
    cursor = start
    for span in [*spans, Span(end, end)]:
        if span.start_us - cursor > tolerance_us:
            a, b = cursor, span.start_us
            first = next((e[0] for e in ctx.events if e[0] >= a), None)
            if first is not None and a < first < b and not any(e[0] <= a for e in ctx.events):
                # before the camera's first event the recorder was not running at all
                gaps.append(Gap(a, first, NOT_RUNNING))
                a = first
            gaps.extend(_deleted_parts(Gap(a, b, ctx.explain(a, b)), deletions))
        cursor = max(cursor, span.end_us)
    return DayReport(camera_id, stream, start, end, spans, gaps)
