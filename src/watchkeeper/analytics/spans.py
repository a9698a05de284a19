"""Per-zone motion spans from per-frame results: open after a few frames, close when quiet.

A span opens at the first of ``min_frames`` consecutive active frames and closes once no
frame has been active for ``quiet_s``; its end is the last active frame plus one analysis
interval. Spans of one zone therefore never overlap (invariant 5 in analytics.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MotionSpan", "SpanTracker"]


@dataclass(slots=True)
class MotionSpan:
    camera_id: str
    zone: str
    start_us: int
    end_us: int
    peak: float
    peak_us: int
    thumbnail: Any = None
    """The frame with most motion (a PyAV frame), encoded when the span is stored."""


@dataclass(slots=True)
class _ZoneState:
    run: int = 0
    run_start_us: int = 0
    open: MotionSpan | None = None
    last_active_us: int = 0


@dataclass
class SpanTracker:
    camera_id: str
    interval_us: int = 200_000
    min_frames: int = 2
    quiet_s: float = 3.0
    max_span_s: float = 60.0
    """A span longer than this is closed and a new one started where it ended, so a busy
    scene is stored (and searchable) as it happens, not when it finally goes quiet."""
    _zones: dict[str, _ZoneState] = field(default_factory=dict)

    def feed(
        self, wall_us: int, fractions: dict[str, float], active: frozenset[str], frame: Any = None
    ) -> tuple[list[MotionSpan], list[MotionSpan]]:
        """(spans opened, spans closed) by this frame."""
        opened: list[MotionSpan] = []
        closed: list[MotionSpan] = []
        quiet_us = int(self.quiet_s * 1_000_000)
        for zone in set(fractions) | set(self._zones):
            st = self._zones.setdefault(zone, _ZoneState())
            if zone in active:
                if st.run == 0:
                    st.run_start_us = wall_us
                st.run += 1
                st.last_active_us = wall_us
                frac = fractions.get(zone, 0.0)
                if st.open is None and st.run >= self.min_frames:
                    st.open = MotionSpan(
                        self.camera_id,
                        zone,
                        st.run_start_us,
                        wall_us + self.interval_us,
                        frac,
                        wall_us,
                        frame,
                    )
                    opened.append(st.open)
                elif st.open is not None and wall_us - st.open.start_us >= self.max_span_s * 1e6:
                    st.open.end_us = wall_us
                    closed.append(st.open)
                    st.open = MotionSpan(
                        self.camera_id,
                        zone,
                        wall_us,
                        wall_us + self.interval_us,
                        frac,
                        wall_us,
                        frame,
                    )
                elif st.open is not None:
                    st.open.end_us = wall_us + self.interval_us
                    if frac > st.open.peak:
                        st.open.peak, st.open.peak_us, st.open.thumbnail = frac, wall_us, frame
            else:
                st.run = 0
                if st.open is not None and wall_us - st.last_active_us >= quiet_us:
                    closed.append(st.open)
                    st.open = None
        return opened, closed

    def open_spans(self) -> list[MotionSpan]:
        return [st.open for st in self._zones.values() if st.open is not None]

    def close_all(self) -> list[MotionSpan]:
        """Close open spans at their last active frame (stop, codec change, video loss)."""
        out = []
        for st in self._zones.values():
            if st.open is not None:
                out.append(st.open)
                st.open = None
            st.run = 0
        return out
