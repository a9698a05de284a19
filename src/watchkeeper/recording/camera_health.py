"""Per camera and stream health, as the health page and its JSON API show it.

Invariants:
- Every figure comes from where it is measured, with nothing guessed: a recorder running in
  this process gives its live figures (state, fps, bitrate, last frame, losses); otherwise
  the state is the stream's latest event and fps, bitrate and last frame are those of its
  latest indexed segment (``source`` says which). A recorder on another node is thus read
  from the database, like the daily check's counts (``recording/health.py``).
- Recorded hours per day are the span of indexed segments inside each Europe/London
  day (a segment across midnight is split at midnight); uptime % is that span over the
  part of the day gone by. The index is the truth: a span deleted by retention or by disk
  pressure no longer counts.
- "Reconnects today" counts the stream falling back to connecting from streaming or
  stalled since local midnight (a recorder restart is not a reconnect).
- An active camera whose main stream is not streaming, or that has no segment ending in
  the last ``recent_seconds``, is flagged "not recording" with the reason. Nothing is
  flagged while no recorder has ever reported on any camera (nothing to judge by).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.ptz.models import PtzCamera
from watchkeeper.recording.models import Segment, SegmentState, StreamEvent, StreamState
from watchkeeper.recording.supervisor import Health
from watchkeeper.timeutil import US_PER_S, Clock, date_to_us, to_local

__all__ = [
    "CameraHealth",
    "CameraHealthReport",
    "DayUptime",
    "StreamHealth",
    "day_edges",
]

DAYS = 7
_Uptime = tuple[float, tuple[int, ...], dict[tuple[str, str], list[int]], frozenset[Any]]
"""(monotonic time read, day edges, recorded µs per stream per day, streams asked for)"""
RECONNECT_FROM = {StreamState.STREAMING.value, StreamState.STALLED.value}


@dataclass(frozen=True, slots=True)
class DayUptime:
    day: date
    recorded_us: int
    percent: float
    """Recorded span over the part of the day gone by, 0-100."""


@dataclass(frozen=True, slots=True)
class StreamHealth:
    stream: str
    state: str
    """connecting, streaming, stalled, offline, stopped, or ``unknown`` (never reported)."""
    since_us: int | None
    reason: str
    fps: float | None
    bitrate_bps: float | None
    last_frame_us: int | None
    reconnects_today: int
    source: str
    """``recorder``: live figures from this process; ``index``: from the latest segment."""
    transport: str = ""
    lost_frames: int | None = None
    corrupt: int | None = None
    days: list[DayUptime] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CameraHealth:
    camera_id: str
    name: str
    site: str
    area: str
    status: str
    recording: bool
    flag: str
    """Why an active camera is counted as not recording ('' when it is, or not active)."""
    clock_offset_us: int | None
    clock_checked_us: int | None
    streams: list[StreamHealth]

    @property
    def main(self) -> StreamHealth:
        return self.streams[0]


def day_edges(today: date, now_us: int, days: int = DAYS) -> list[int]:
    """Local midnights of the last ``days`` days, oldest first, then ``now_us``."""
    return [date_to_us(today - timedelta(days=days - 1 - i)) for i in range(days)] + [now_us]


class CameraHealthReport:
    """Builds :class:`CameraHealth` rows; today's uptime is cached for ``uptime_ttl_s``,
    the days before for ``past_ttl_s``."""

    def __init__(
        self,
        clock: Clock,
        recent_seconds: int = 300,
        uptime_ttl_s: float = 60.0,
        past_ttl_s: float = 600.0,
    ) -> None:
        self.clock = clock
        self.recent_us = recent_seconds * US_PER_S
        self.uptime_ttl_s = uptime_ttl_s
        self._lock = threading.Lock()
        self.past_ttl_s = past_ttl_s
        self._today: _Uptime | None = None
        self._past: _Uptime | None = None

    def build(
        self,
        s: Session,
        cameras: Sequence[Camera],
        live: Mapping[str, Health] | None = None,
    ) -> list[CameraHealth]:
        """Health of ``cameras`` (already narrowed to what the caller may see)."""
        live = live or {}
        now = self.clock.now_us()
        today = to_local(now).date()
        edges = day_edges(today, now)
        keys = [(c.id, st) for c in cameras for st in self._streams(c, live)]
        latest_seg = _latest_segments(s, keys)
        latest_event = _latest_events(s, keys)
        reconnects = _reconnects(s, edges[-2])
        uptime = self._uptimes(s, edges, keys)
        offsets = {
            r.camera_id: (r.clock_offset_us, r.clock_checked_us)
            for r in s.scalars(select(PtzCamera).where(PtzCamera.clock_offset_us.is_not(None)))
        }
        ever_reported = bool(latest_event) or bool(live)
        rows = []
        for cam in cameras:
            streams = [
                self._stream(
                    key,
                    live.get(f"{key[0]}/{key[1]}"),
                    latest_event.get(key),
                    latest_seg.get(key),
                    reconnects.get(key, 0),
                    uptime.get(key, [0] * DAYS),
                    edges,
                )
                for key in ((cam.id, st) for st in self._streams(cam, live))
            ]
            why_not = self._not_recording(streams[0], latest_seg.get((cam.id, "main")), now)
            flag = why_not if ever_reported and cam.status is CameraStatus.ACTIVE else ""
            offset, checked = offsets.get(cam.id, (None, None))
            if offset is None:
                seg = latest_seg.get((cam.id, "main"))
                offset = seg.clock_offset_us if seg is not None else None
                checked = seg.end_us if seg is not None and offset is not None else None
            rows.append(
                CameraHealth(
                    camera_id=cam.id,
                    name=cam.name,
                    site=cam.area.site.name,
                    area=cam.area.name,
                    status=cam.status.value,
                    recording=not why_not,
                    flag=flag,
                    clock_offset_us=offset,
                    clock_checked_us=checked,
                    streams=streams,
                )
            )
        return rows

    @staticmethod
    def _streams(cam: Camera, live: Mapping[str, Health]) -> list[str]:
        """The main stream, and the sub-stream if the camera has one or it is recorded."""
        return ["main", "sub"] if cam.sub_url or f"{cam.id}/sub" in live else ["main"]

    def _not_recording(self, main: StreamHealth, seg: Segment | None, now: int) -> str:
        """Why the main stream is not recording now ('' when it is)."""
        if main.state == "unknown":
            return "main stream never reported by a recorder"
        if main.state != StreamState.STREAMING.value:
            return f"main stream {main.state}" + (f": {main.reason}" if main.reason else "")
        if seg is None or seg.end_us < now - self.recent_us:
            minutes = self.recent_us // (60 * US_PER_S)
            return f"streaming, but no footage indexed in the last {minutes} minutes"
        return ""

    @staticmethod
    def _stream(
        key: tuple[str, str],
        live: Health | None,
        event: StreamEvent | None,
        seg: Segment | None,
        reconnects: int,
        recorded: list[int],
        edges: list[int],
    ) -> StreamHealth:
        days = [
            DayUptime(
                to_local(edges[i]).date(),
                recorded[i],
                min(100.0, 100.0 * recorded[i] / max(1, edges[i + 1] - edges[i])),
            )
            for i in range(DAYS)
        ]
        if live is not None:
            return StreamHealth(
                stream=key[1],
                state=live.state.value,
                since_us=live.since_us,
                reason=live.reason,
                fps=live.fps,
                bitrate_bps=live.bitrate_bps,
                last_frame_us=live.last_frame_us or (seg.end_us if seg else None),
                reconnects_today=reconnects,
                source="recorder",
                transport=live.transport,
                lost_frames=live.lost_frames,
                corrupt=live.corrupt,
                days=days,
            )
        fps = bitrate = None
        if seg is not None:
            seconds = seg.media_duration_us / US_PER_S
            fps = seg.frames / seconds
            bitrate = seg.size_bytes * 8 / seconds
        return StreamHealth(
            stream=key[1],
            state=event.state if event else "unknown",
            since_us=event.at_us if event else None,
            reason=event.reason if event else "",
            fps=fps,
            bitrate_bps=bitrate,
            last_frame_us=seg.end_us if seg else None,
            reconnects_today=reconnects,
            source="index",
            days=days,
        )

    def _uptimes(
        self, s: Session, edges: list[int], keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], list[int]]:
        """Recorded µs per (camera, stream) per day. Today is read again after
        ``uptime_ttl_s``; the days before only after ``past_ttl_s`` (they change only when
        footage is deleted), each for the same days and streams."""
        mono = self.clock.monotonic()
        past_edges, want = tuple(edges[:-1]), frozenset(keys)
        with self._lock:
            today, past = self._today, self._past
        if not (today and today[1] == past_edges and want <= today[3]
                and mono - today[0] < self.uptime_ttl_s):  # fmt: skip
            if not (past and past[1] == past_edges and want <= past[3]
                    and mono - past[0] < self.past_ttl_s):  # fmt: skip
                past = (mono, past_edges, recorded_per_day(s, list(past_edges), keys), want)
            now = recorded_per_day(s, edges[-2:], keys)
            merged = {
                k: [*past[2].get(k, [0] * (len(edges) - 2)), now.get(k, [0])[0]]
                for k in set(past[2]) | set(now)
            }
            today = (mono, past_edges, merged, want)
            with self._lock:
                self._today, self._past = today, past
        return today[2]


def recorded_per_day(
    s: Session, edges: list[int], keys: Iterable[tuple[str, str]] | None = None
) -> dict[tuple[str, str], list[int]]:
    """Indexed footage per (camera, stream) in each ``[edges[i], edges[i+1])``.

    One statement per stream, read from the span index alone (camera, stream, start, end:
    no table row is touched): the length of the segments that start in each day, and the
    end of the last segment that starts before each edge; a segment across an edge gives
    the part after it to the day it runs into. Segments are far shorter than a day.
    Segments being deleted (phase one, a moment) still count until their row goes.
    ``keys`` defaults to every stream with a segment.
    """
    days = len(edges) - 1
    cam: BindParameter[str] = bindparam("cam")
    stream: BindParameter[str] = bindparam("stream")
    mine = (Segment.camera_id == cam, Segment.stream == stream)
    sums = [
        select(func.coalesce(func.sum(Segment.end_us - Segment.start_us), 0))
        .where(*mine, Segment.start_us >= edges[i], Segment.start_us < edges[i + 1])
        .scalar_subquery()
        for i in range(days)
    ]
    ends = [
        select(Segment.end_us)
        .where(*mine, Segment.start_us < edge)
        .order_by(Segment.start_us.desc())
        .limit(1)
        .scalar_subquery()
        for edge in edges
    ]
    statement = select(*sums, *ends)
    if keys is None:
        listed = s.execute(select(Segment.camera_id, Segment.stream).distinct())
        keys = [(c, st) for c, st in listed]
    found: dict[tuple[str, str], list[int]] = {}
    for key in keys:
        row = s.execute(statement, {"cam": key[0], "stream": key[1]}).one()
        spill = [max(0, int(end or 0) - edge) for end, edge in zip(row[days:], edges, strict=True)]
        per = [int(row[i]) + spill[i] - spill[i + 1] for i in range(days)]
        if any(per):
            found[key] = per
    return found


def _latest_segments(s: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Segment]:
    """The latest live segment of each stream (one index seek per stream)."""
    found = {}
    for cam, stream in keys:
        seg = s.scalar(
            select(Segment)
            .where(
                Segment.camera_id == cam,
                Segment.stream == stream,
                Segment.state == SegmentState.LIVE.value,
            )
            .order_by(Segment.start_us.desc())
            .limit(1)
        )
        if seg is not None:
            found[(cam, stream)] = seg
    return found


def _latest_events(
    s: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], StreamEvent]:
    found = {}
    for cam, stream in keys:
        ev = s.scalar(
            select(StreamEvent)
            .where(StreamEvent.camera_id == cam, StreamEvent.stream == stream)
            .order_by(StreamEvent.at_us.desc(), StreamEvent.id.desc())
            .limit(1)
        )
        if ev is not None:
            found[(cam, stream)] = ev
    return found


def _reconnects(s: Session, since_us: int) -> dict[tuple[str, str], int]:
    """Falls from streaming or stalled back to connecting since ``since_us``, per stream."""
    events = s.execute(
        select(StreamEvent.camera_id, StreamEvent.stream, StreamEvent.state)
        .where(StreamEvent.at_us >= since_us)
        .order_by(StreamEvent.at_us, StreamEvent.id)
    ).all()
    before: dict[tuple[str, str], str] = {}
    counts: dict[tuple[str, str], int] = {}
    for cam, stream, state in events:
        key = (cam, stream)
        if key not in before:
            prior = s.scalar(
                select(StreamEvent.state)
                .where(
                    StreamEvent.camera_id == cam,
                    StreamEvent.stream == stream,
                    StreamEvent.at_us < since_us,
                )
                .order_by(StreamEvent.at_us.desc(), StreamEvent.id.desc())
                .limit(1)
            )
            before[key] = prior or ""
        if state == StreamState.CONNECTING.value and before[key] in RECONNECT_FROM:
            counts[key] = counts.get(key, 0) + 1
        before[key] = state
    return counts
