"""One camera's analyser: fan-out subscription → decode → motion → spans, tamper.

Runs on its own thread and never touches the recorder beyond its subscription (invariants
1 and 2 in analytics.md). What it finds goes to an :class:`Outbox`, never to the database
directly: the writer is another thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import av

from watchkeeper.analytics.decode import FrameDecoder
from watchkeeper.analytics.detectpool import DetectJob, DetectorPool
from watchkeeper.analytics.motion import MotionConfig, MotionDetector
from watchkeeper.analytics.rules import Presence
from watchkeeper.analytics.spans import MotionSpan, SpanTracker
from watchkeeper.analytics.tamper import TamperConfig, TamperEvent, TamperWatch
from watchkeeper.analytics.zones import Zone
from watchkeeper.errors import MediaError
from watchkeeper.recording.fanout import Fanout, Subscription
from watchkeeper.recording.supervisor import LivePacket
from watchkeeper.timeutil import Clock

__all__ = ["AnalyserConfig", "AnalyserStats", "CameraAnalyser", "Outbox", "Source"]

log = logging.getLogger(__name__)
_NEVER = 2**62  # the fan-out never lets go of analytics: it drops and counts instead


class Source(Protocol):
    """What the analyser needs of a stream supervisor (the recorder's, or a test's)."""

    fanout: Fanout[LivePacket]
    template: Any


class Outbox(Protocol):
    def span_opened(self, span: MotionSpan) -> None: ...
    def span_closed(self, span: MotionSpan, zones: list[Zone]) -> None: ...
    def presence(self, p: Presence) -> None: ...
    def tamper(self, camera_id: str, event: TamperEvent) -> None: ...


@dataclass(frozen=True, slots=True)
class AnalyserConfig:
    fps: float = 5.0
    width: int = 160
    queue: int = 64
    """Fan-out subscription size in packets; when full, oldest work is dropped (counted)."""
    min_frames: int = 2
    quiet_s: float = 3.0
    max_span_s: float = 60.0
    video_loss_s: float = 15.0
    presence_every_s: float = 1.0
    detect_every_s: float = 1.0
    """At most one detector job per camera this often, and only while there is motion."""
    motion: MotionConfig = field(default_factory=MotionConfig)
    tamper: TamperConfig = field(default_factory=TamperConfig)


@dataclass
class AnalyserStats:
    packets: int = 0
    frames: int = 0
    decode_errors: int = 0
    resubscribed: int = 0
    spans: int = 0

    dropped_before: int = 0


class CameraAnalyser:
    def __init__(
        self,
        camera_id: str,
        source: Source,
        zones: list[Zone],
        outbox: Outbox,
        clock: Clock,
        config: AnalyserConfig | None = None,
        on_frame: Callable[[int], None] | None = None,
        detectors: DetectorPool | None = None,
    ) -> None:
        self.camera_id = camera_id
        self._source = source
        self._zones = zones
        self._out = outbox
        self._clock = clock
        self.config = cfg = config or AnalyserConfig()
        self.motion = MotionDetector(zones, cfg.motion)
        interval = int(1_000_000 / cfg.fps)
        self.spans = SpanTracker(camera_id, interval, cfg.min_frames, cfg.quiet_s, cfg.max_span_s)
        self.tamper = TamperWatch(cfg.tamper)
        self.stats = AnalyserStats()
        self._sub: Subscription[LivePacket] | None = None
        self._decoder: FrameDecoder | None = None
        self._template: Any = None
        self._last_frame_us = clock.now_us()
        self._last_presence: dict[str, int] = {}
        self._on_frame = on_frame
        self._detectors = detectors
        self._last_detect_us = 0

    def set_zones(self, zones: list[Zone]) -> None:
        """Swap the motion model for one with these zones (from another thread: the
        analyser reads ``self.motion`` once per frame, so it sees the old or the new)."""
        self._zones = zones
        self.motion = MotionDetector(zones, self.config.motion)

    @property
    def dropped(self) -> int:
        """Packets the bounded subscription threw away because analysis fell behind."""
        return self.stats.dropped_before + (self._sub.skipped if self._sub else 0)

    def run(self, stop: threading.Event) -> None:
        self._sub = self._source.fanout.subscribe(self.config.queue, max_skips=_NEVER)
        try:
            while not stop.is_set():
                lp = self._sub.get(0.5)
                if lp is None:
                    if self._sub.closed:  # fell behind repeatedly: the fan-out let go of us
                        self.stats.dropped_before += self._sub.skipped
                        self._source.fanout.unsubscribe(self._sub)
                        self._sub = self._source.fanout.subscribe(
                            self.config.queue, max_skips=_NEVER
                        )
                        self.stats.resubscribed += 1
                    self._check_loss()
                    continue
                try:
                    self._packet(lp)
                except MediaError as exc:
                    self.stats.decode_errors += 1
                    log.warning("%s analytics: %s; decoder reset", self.camera_id, exc)
                    self._decoder = None
        finally:
            self._source.fanout.unsubscribe(self._sub)
            for span in self.spans.close_all():
                self._out.span_closed(span, self._zones)

    def _check_loss(self) -> None:
        event = self.tamper.video_lost(
            self._last_frame_us, self._clock.now_us(), self.config.video_loss_s
        )
        if event is not None:
            for span in self.spans.close_all():
                self._out.span_closed(span, self._zones)
            self._out.tamper(self.camera_id, event)

    def _packet(self, lp: LivePacket) -> None:
        self.stats.packets += 1
        template = self._source.template
        if template is not self._template or self._decoder is None:
            if not lp.keyframe or template is None:
                return  # a new decoder starts at a key frame
            self._template = template
            self._decoder = FrameDecoder(template, self.config.fps, self.config.width)
        frames = self._decoder.decode(av.Packet(bytes(lp.packet)), lp.wall_us)
        for f in frames:
            self._frame(f.wall_us, f.grey, f.source)

    def _frame(self, wall_us: int, grey: Any, source: Any) -> None:
        self.stats.frames += 1
        self._last_frame_us = self._clock.now_us()
        self.tamper.video_back()
        result = self.motion.feed(grey)
        opened, closed = self.spans.feed(wall_us, result.fractions, result.active, source)
        for span in opened:
            self._out.span_opened(span)
        for span in closed:
            self.stats.spans += 1
            self._out.span_closed(span, self._zones)
        every = int(self.config.presence_every_s * 1_000_000)
        for span_now in self.spans.open_spans():
            zone = span_now.zone
            if wall_us - self._last_presence.get(zone, 0) >= every:
                self._last_presence[zone] = wall_us
                self._out.presence(
                    Presence(self.camera_id, zone, "motion", span_now.start_us, wall_us)
                )
        if (
            self._detectors is not None
            and result.boxes
            and source is not None
            and wall_us - self._last_detect_us >= self.config.detect_every_s * 1_000_000
        ):
            self._last_detect_us = wall_us
            self._detectors.submit(
                DetectJob(self.camera_id, wall_us, source, result.boxes, self._zones)
            )
        for event in self.tamper.feed(self.motion.masked(grey), wall_us):
            self._out.tamper(self.camera_id, event)
        if self._on_frame is not None:
            self._on_frame(wall_us)
