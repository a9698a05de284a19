"""The timeline of one camera over any range, aggregated server-side to the zoom asked for.

A browser dragging a month-wide timeline cannot take 44,000 segment rows per camera per
frame. The caller says how many pixels (``buckets``) the range is drawn on; spans closer than
one pixel are merged and gaps shorter than one pixel are dropped, so the reply has at most a
few entries per pixel whatever the zoom. Only two integer columns are read per segment,
from the covering index ``ix_recording_segment_span``, so a month of one camera (44,640
rows) reads no table page, and at coarse zoom the database groups them by pixel.
So the ``state`` column is not consulted: a segment in phase 1 of its two-phase deletion
(normally milliseconds; until startup after a crash between phases) still shows as recorded
here, while playback, which reads the rows, already skips it.
Gaps are explained from the recorder's stream events, as the gap report does.
Holds show who holds the footage only to those who may see holds (``HOLDS_VIEW``): a client
viewer or police liaison sees that footage is held, not the council's incident number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.playback.layout import GAP_TOLERANCE_US
from watchkeeper.recording.gaps import Gap as TimelineGap
from watchkeeper.recording.gaps import Span as TimelineSpan
from watchkeeper.recording.gaps import gap_context
from watchkeeper.recording.holds import active_holds
from watchkeeper.recording.models import Segment

HIDDEN_REFERENCE = "held"
"""What a viewer without ``HOLDS_VIEW`` sees in place of a hold's reference."""
COARSE_US = 60_000_000
"""Above this many microseconds per pixel the database groups segments by pixel."""

__all__ = [
    "HIDDEN_REFERENCE",
    "Timeline",
    "TimelineGap",
    "TimelineHold",
    "TimelineSpan",
    "build_timeline",
    "visible_holds",
]


@dataclass(frozen=True, slots=True)
class TimelineHold:
    id: int
    start_us: int
    end_us: int
    reference: str


@dataclass(frozen=True, slots=True)
class Timeline:
    camera_id: str
    stream: str
    start_us: int
    end_us: int
    resolution_us: int
    spans: list[TimelineSpan]
    gaps: list[TimelineGap]
    holds: list[TimelineHold]


def merge_spans(
    pairs: list[tuple[int, int]], start_us: int, end_us: int, tolerance_us: int
) -> list[TimelineSpan]:
    """Clip to the range and merge spans separated by no more than ``tolerance_us``."""
    out: list[TimelineSpan] = []
    for s0, s1 in pairs:
        s0, s1 = max(s0, start_us), min(s1, end_us)
        if s1 <= s0:
            continue
        if out and s0 - out[-1].end_us <= tolerance_us:
            out[-1] = TimelineSpan(out[-1].start_us, max(out[-1].end_us, s1))
        else:
            out.append(TimelineSpan(s0, s1))
    return out


def _segment_spans(
    s: Session, camera_id: str, stream: str, start_us: int, end_us: int, resolution: int
) -> list[tuple[int, int]]:
    """(start, end) of segments, or per pixel when a pixel holds more than a segment.

    At coarse zoom the database groups segments by pixel (``GROUP BY`` over the covering
    index), so a month of one camera comes back as at most ``buckets`` rows instead of
    44,640; a gap wider than a pixel still shows between the groups either side of it.
    """
    where = (
        Segment.camera_id == camera_id,
        Segment.stream == stream,
        Segment.start_us < end_us,
        Segment.end_us > start_us,
    )
    if resolution < COARSE_US:
        q = select(Segment.start_us, Segment.end_us).where(*where).order_by(Segment.start_us)
        return [(a, b) for a, b in s.execute(q)]
    bucket = ((Segment.start_us - start_us) // resolution).label("bucket")
    grouped = (
        select(bucket, func.min(Segment.start_us), func.max(Segment.end_us))
        .where(*where)
        .group_by(bucket)
        .order_by(bucket)
    )
    return [(a, b) for _k, a, b in s.execute(grouped)]


def build_timeline(
    s: Session,
    camera_id: str,
    start_us: int,
    end_us: int,
    buckets: int = 1000,
    stream: str = "main",
    now_us: int | None = None,
    who: Principal | None = None,
) -> Timeline:
    """Spans, explained gaps and holds of a camera within ``[start_us, end_us)``.

    Give ``who`` (the viewer) so that hold references are shown only to those who may.
    """
    buckets = max(10, min(buckets, 10_000))
    resolution = max(1, (end_us - start_us) // buckets)
    tolerance = max(GAP_TOLERANCE_US, resolution)
    upto = end_us if now_us is None else max(start_us, min(end_us, now_us))
    pairs = _segment_spans(s, camera_id, stream, start_us, end_us, resolution)
    spans = merge_spans(pairs, start_us, end_us, tolerance)
    gaps: list[TimelineGap] = []
    holes = []
    cursor = start_us
    for span in [*spans, TimelineSpan(upto, upto)]:
        if span.start_us - cursor > tolerance:
            holes.append((cursor, span.start_us))
        cursor = max(cursor, span.end_us)
    if holes:
        # One query for events, bounded by the holes; not one per hole.
        ctx = gap_context(s, camera_id, stream, upto, now_us)
        gaps = [TimelineGap(a, b, ctx.explain(a, b)) for a, b in holes]
    holds = [
        TimelineHold(h.id, max(h.start_us, start_us), min(h.end_us, end_us), h.reference)
        for h in active_holds(s, now_us if now_us is not None else end_us, camera_id)
        if h.start_us < end_us and h.end_us > start_us
    ]
    if who is not None:
        holds = visible_holds(who, holds)
    return Timeline(camera_id, stream, start_us, end_us, resolution, spans, gaps, holds)


def visible_holds(who: Principal, holds: list[TimelineHold]) -> list[TimelineHold]:
    """The holds as ``who`` may see them: spans always, references only with HOLDS_VIEW."""
    if who.can(Right.HOLDS_VIEW):
        return holds
    return [TimelineHold(0, h.start_us, h.end_us, HIDDEN_REFERENCE) for h in holds]
