"""From index rows to a playable layout: runs of fragments on one continuous media timeline.

Playback never re-encodes and never reads a whole file to find an instant: the per-fragment
index of each segment row says where every GOP lies (byte offset and size) and when it starts.
A *run* is a stretch of fragments that can share one init segment and one media timeline:
a new run begins where the codec configuration changes, where the recorder marked a
discontinuity, or where a gap lies between segments. Each run becomes one virtual fMP4 file
(see ``vmp4``), and in an HLS playlist each run is preceded by ``EXT-X-DISCONTINUITY``.

The functions here are pure over rows, so they are tested without files or a database;
:func:`load_rows` is the one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.errors import NotFound
from watchkeeper.recording.fmp4 import unpack_index
from watchkeeper.recording.models import Segment, live_overlapping

__all__ = [
    "GAP_TOLERANCE_US",
    "FragmentRef",
    "Run",
    "SegmentRow",
    "build_runs",
    "load_rows",
]

GAP_TOLERANCE_US = 500_000
"""Segments closer than this are one continuous recording (the recorder's own tolerance)."""


@dataclass(frozen=True, slots=True)
class SegmentRow:
    """The columns of a segment row playback needs (no ORM object leaves the query)."""

    id: int
    start_us: int
    end_us: int
    media_duration_us: int
    discontinuity: bool
    init_id: int
    path: str
    fragment_index: bytes


@dataclass(frozen=True, slots=True)
class FragmentRef:
    """One GOP: where its ``moof``+``mdat`` lies and when it plays (wall time, UTC µs)."""

    path: str
    offset: int
    size: int
    start_us: int
    duration_us: int


@dataclass(frozen=True, slots=True)
class Run:
    """Fragments sharing one init and one timeline; media time 0 is ``start_us``."""

    init_id: int
    fragments: tuple[FragmentRef, ...]

    @property
    def start_us(self) -> int:
        return self.fragments[0].start_us

    @property
    def end_us(self) -> int:
        last = self.fragments[-1]
        return last.start_us + last.duration_us


def load_rows(
    s: Session, camera_id: str, stream: str, start_us: int, end_us: int
) -> list[SegmentRow]:
    """Live segment rows of one stream overlapping ``[start_us, end_us)``, in time order."""
    rows = s.execute(
        select(
            Segment.id,
            Segment.start_us,
            Segment.end_us,
            Segment.media_duration_us,
            Segment.discontinuity,
            Segment.init_id,
            Segment.path,
            Segment.fragment_index,
        )
        .where(*live_overlapping(camera_id, stream, start_us, end_us))
        .order_by(Segment.start_us)
    ).all()
    return [SegmentRow(*r) for r in rows]


def _fragments(row: SegmentRow) -> list[FragmentRef]:
    entries = unpack_index(row.fragment_index)
    out = []
    for i, (offset, size, rel_us, _key) in enumerate(entries):
        nxt = entries[i + 1][2] if i + 1 < len(entries) else row.media_duration_us
        out.append(FragmentRef(row.path, offset, size, row.start_us + rel_us, max(1, nxt - rel_us)))
    return out


def build_runs(
    rows: list[SegmentRow], start_us: int, end_us: int, split_gaps: bool = True
) -> list[Run]:
    """Runs covering ``[start_us, end_us)``, starting at the keyframe at or before ``start_us``.

    Every fragment begins with a keyframe (the recorder cuts one per GOP), so the first
    fragment overlapping ``start_us`` is the keyframe before it. With ``split_gaps`` off, a
    gap does not start a new run (one downloadable file holds the whole range; players
    hold the last picture across the gap); a change of init always does.
    """
    if end_us <= start_us:
        raise NotFound("empty time range")
    runs: list[Run] = []
    current: list[FragmentRef] = []
    init: int | None = None
    prev_end: int | None = None
    for row in rows:
        gap = prev_end is not None and row.start_us - prev_end > GAP_TOLERANCE_US
        if current and (row.init_id != init or (split_gaps and (row.discontinuity or gap))):
            runs.append(Run(init or row.init_id, tuple(current)))
            current = []
        init = row.init_id
        prev_end = row.end_us
        for f in _fragments(row):
            if f.start_us + f.duration_us <= start_us or f.start_us >= end_us:
                continue
            current.append(f)
    if current and init is not None:
        runs.append(Run(init, tuple(current)))
    return [r for r in runs if r.fragments]
