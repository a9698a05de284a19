"""One supervisor per stream: connect, record, detect stalls, reconnect for ever, report.

The supervisor owns the stream's state (connecting, streaming, stalled, offline, stopped) and
writes every change as a stream event with its reason, so an operator is told when a camera
goes quiet and the gap report can say why. Reconnection starts fast and backs off to a short
cap; the back-off resets once a connection has been stable, so a camera that flaps is not
punished for ever. Clock, sleep, opener and sinks are injected: tests run on fake time.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from watchkeeper.cameras.redact import redact_text
from watchkeeper.errors import MediaError, StorageError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fanout import Fanout
from watchkeeper.recording.ingest import Opener
from watchkeeper.recording.models import StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
from watchkeeper.timeutil import US_PER_S, Clock, format_local

__all__ = [
    "EventSink",
    "Health",
    "LivePacket",
    "StreamSupervisor",
    "in_band_parameter_sets",
    "in_band_sps",
]

log = logging.getLogger(__name__)

EventSink = Callable[[StreamKey, StreamState, int, str], None]


@dataclass(frozen=True, slots=True)
class LivePacket:
    """What subscribers receive. The packet's own timestamps belong to the recorder."""

    packet: Any
    dts: int
    pts: int | None
    keyframe: bool
    wall_us: int
    run_start_us: int


@dataclass(frozen=True, slots=True)
class Health:
    state: StreamState
    since_us: int
    reason: str
    fps: float
    bitrate_bps: float
    last_keyframe_us: int | None
    reconnects: int
    clock_offset_us: int | None
    segments_written: int
    transport: str = ""
    """RTP transport of the current connection (``tcp``, ``udp``; empty if not RTSP)."""
    lost_frames: int = 0
    """Frames missing between received ones (DTS steps over 1.5 frames inside a run)."""
    reordered: int = 0
    """Packets that arrived after a later one (dropped: their DTS did not increase)."""
    corrupt: int = 0
    """Packets the demuxer flagged corrupt (FFmpeg marks a frame with missing RTP data)."""
    last_frame_us: int | None = None
    """Wall time of the latest frame received, over every connection (``None``: none yet)."""


_H264_SETS = {7, 8}  # SPS, PPS
_HEVC_SETS = {32, 33, 34}  # VPS, SPS, PPS


def _nal_units(head: bytes, codec: str) -> list[tuple[int, bytes]]:
    """(type, bytes) of the Annex B NAL units that start within ``head``."""
    out = []
    pos = head.find(b"\x00\x00\x01")
    while pos >= 0:
        start = pos + 3
        if start >= len(head):
            break
        nal = head[start]
        kind = nal & 0x1F if codec == "h264" else (nal >> 1) & 0x3F
        nxt = head.find(b"\x00\x00\x01", start)
        out.append((kind, head[start : nxt if nxt >= 0 else len(head)].rstrip(b"\x00")))
        pos = nxt
    return out


def in_band_sps(head: bytes, codec: str) -> bytes | None:
    """The sequence parameter set at the start of an Annex B keyframe, if there is one."""
    sps = 7 if codec == "h264" else 33
    return next((data for kind, data in _nal_units(head, codec) if kind == sps), None)


def in_band_parameter_sets(head: bytes, codec: str) -> bytes | None:
    """The parameter sets (H.264 SPS+PPS, HEVC VPS+SPS+PPS) at the start of an Annex B
    keyframe, joined, if there are any.

    A changed SPS means new resolution or coding parameters, and a changed PPS new entropy
    coding or quantiser settings (the SPS may stay the same): either way the connection is
    reopened so the new configuration gets its own init segment (and the segment is a
    discontinuity); muxed under the old one, the pictures would not decode.
    """
    wanted = _H264_SETS if codec == "h264" else _HEVC_SETS
    # the same set can come twice (a packetiser inserting its own copy); order is no change
    sets = {b"\x00\x00\x01" + data for kind, data in _nal_units(head, codec) if kind in wanted}
    return b"".join(sorted(sets)) or None


def _wait(seconds: float, stop: threading.Event) -> None:
    stop.wait(seconds)


class StreamSupervisor:
    """Runs one stream until ``stop`` is set. Call :meth:`run` in its own thread."""

    def __init__(
        self,
        key: StreamKey,
        url: str,
        opener: Opener,
        writer: SegmentWriter,
        events: EventSink,
        config: RecorderConfig,
        clock: Clock,
        sleep: Callable[[float, threading.Event], None] | None = None,
    ) -> None:
        self.key = key
        self._url = url
        self._open = opener
        self._writer = writer
        self._events = events
        self._cfg = config
        self._clock = clock
        self._sleep = sleep or _wait
        self.fanout: Fanout[LivePacket] = Fanout(lambda p: p.keyframe, config.fanout_queue)
        self.clock_offset_us: int | None = None
        self.template: Any = None
        """The current connection's input stream (codec parameters, time base) for live."""
        self._state = StreamState.STOPPED
        self._since = clock.now_us()
        self._reason = "not started"
        self._reconnects = 0
        self._window: deque[tuple[float, int]] = deque()
        self._last_key_us: int | None = None
        self._last_streaming_mono = clock.monotonic()
        self._last_wall_us: int | None = None
        self._last_frame_us: int | None = None
        self._reconnect_now = False
        self.finished_at_stop = False
        """Whether the stop found a segment open (and so finished and indexed it)."""
        self._transport = ""
        self._lost = self._reordered = self._corrupt = 0
        self._failed = 0  # connection attempts failed since the stream last streamed
        self._failed_since_us = 0
        self._failed_traced_mono: float | None = None

    # -- state -----------------------------------------------------------------------------
    def _set(self, state: StreamState, reason: str, at_us: int | None = None) -> None:
        if state is self._state:
            return
        at = self._clock.now_us() if at_us is None else at_us
        reason = redact_text(reason)  # the media boundary masks; this is the last guard
        self._state, self._since, self._reason = state, at, reason
        log.info("%s %s: %s", self.key, state.value, reason)
        try:
            self._events(self.key, state, at, reason)
        except StorageError:
            log.exception("%s: could not record state %s", self.key, state.value)

    def _connect_failed(self, reason: str) -> None:
        """Leave a trace of refused attempts: the first at once, then one a while at most
        (counted), written under the current state so the gap report can tell why."""
        now = self._clock.monotonic()
        if not self._failed:
            self._failed_since_us = self._clock.now_us()
        self._failed += 1
        last = self._failed_traced_mono
        if last is not None and now - last < self._cfg.attempt_event_interval_s:
            return
        self._failed_traced_mono = now
        if self._failed > 1:
            since = format_local(self._failed_since_us)
            reason = f"{reason} ({self._failed} attempts failed since {since})"
        reason = redact_text(reason)
        self._reason = reason
        log.warning("%s %s: %s", self.key, self._state.value, reason)
        try:
            self._events(self.key, self._state, self._clock.now_us(), reason)
        except StorageError:
            log.exception("%s: could not record a failed attempt", self.key)

    def health(self) -> Health:
        now = self._clock.monotonic()
        window = [(t, n) for t, n in list(self._window) if now - t <= 5.0]
        span = max(1e-6, min(5.0, now - window[0][0])) if window else 1.0
        return Health(
            self._state,
            self._since,
            self._reason,
            len(window) / span if window else 0.0,
            sum(n for _, n in window) * 8 / span if window else 0.0,
            self._last_key_us,
            self._reconnects,
            self.clock_offset_us,
            self._writer.segments_written,
            self._transport,
            self._lost,
            self._reordered,
            self._corrupt,
            self._last_frame_us,
        )

    # -- main loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Connect, stream, reconnect, until ``stop``; always leaves the files indexed."""
        backoff = self._cfg.backoff_initial_s
        self._last_streaming_mono = self._clock.monotonic()
        first = True
        try:
            while not stop.is_set():
                if not first:
                    self._reconnects += 1
                first = False
                if self._state is not StreamState.OFFLINE:
                    self._set(StreamState.CONNECTING, "opening stream")
                started = self._clock.monotonic()
                try:
                    reason = self._session(stop)
                except Exception as exc:  # a dead thread would be a camera never recorded again
                    reason = redact_text(f"internal error: {exc!r}")
                    stack = "".join(traceback.format_tb(exc.__traceback__))  # no message text
                    log.error("%s: %s; reconnecting\n%s", self.key, reason, stack)
                if stop.is_set():
                    break
                if reason.startswith("connect failed"):
                    self._connect_failed(reason)
                uptime = self._clock.monotonic() - started
                if uptime >= self._cfg.stable_uptime_s:
                    backoff = self._cfg.backoff_initial_s
                quiet = self._clock.monotonic() - self._last_streaming_mono
                if quiet >= self._cfg.offline_after_s:
                    self._set(StreamState.OFFLINE, f"no video for {quiet:.0f} s: {reason}")
                elif self._state is StreamState.STREAMING:
                    self._set(StreamState.STALLED, reason)
                if self._reconnect_now:  # our own decision, not the camera failing
                    self._reconnect_now = False
                    continue
                self._sleep(backoff, stop)
                backoff = min(self._cfg.backoff_max_s, max(backoff * 2, 0.1))
        finally:
            self._close_writer()
            self._set(StreamState.STOPPED, "recorder stopped")

    def _close_writer(self) -> None:
        try:
            self._writer.close()
        except (StorageError, MediaError):
            log.exception("%s: could not finish the last segment", self.key)

    def _session(self, stop: threading.Event) -> str:
        """One connection; returns why it ended."""
        # A stall is a silence within one connection; the time spent reconnecting is already
        # told by the connecting/offline events, and must not read as a stall afterwards.
        self._last_wall_us = None
        try:
            source = self._open(self._url)
        except MediaError as exc:
            return f"connect failed: {exc}"
        try:
            self.template = source.template
            tb = source.template.time_base
            validator = TimestampValidator(
                Fraction(tb.numerator, tb.denominator),
                self._cfg.max_gap_s,
                self._cfg.stall_seconds,
                self._cfg.max_missing_dts,
                self._cfg.max_drift_ms * 1000,
                self._cfg.max_ahead_ms * 1000,
                int(self._cfg.slow_clock_window_s * US_PER_S),
            )
            self._writer.start_connection(source.template)
            self._transport = str(getattr(source, "transport", ""))
            rate = source.template.average_rate or source.template.guessed_rate or 15
            frame_ticks = max(1, int(1 / (Fraction(rate) * Fraction(tb.numerator, tb.denominator))))
            last_dts: int | None = None
            codec = source.template.codec_context.name
            sps: bytes | None = None
            for packet in source.packets():
                if stop.is_set():
                    return "stopping"
                if packet.is_keyframe:
                    found = in_band_parameter_sets(bytes(memoryview(packet)[:512]), codec)
                    if found is not None and sps is not None and found != sps:
                        self._reconnect_now = True
                        what = (
                            "SPS" if in_band_sps(found, codec) != in_band_sps(sps, codec) else "PPS"
                        )
                        return f"codec configuration changed (new {what}); reconnecting for it"
                    sps = found or sps
                now = self._clock.now_us()
                stamp = validator.check(PacketInfo(packet.dts, packet.pts, packet.is_keyframe, now))
                if packet.is_corrupt:
                    self._corrupt += 1
                if stamp.action is Action.RECONNECT:
                    return stamp.reason
                if stamp.shift:  # a jump carried on to the next key frame (time model)
                    packet.dts = int(packet.dts or 0) + stamp.shift
                    if packet.pts is not None:
                        packet.pts += stamp.shift
                if stamp.action is Action.DROP or stamp.wall_us is None:
                    if stamp.reason == "DTS did not increase":
                        self._reordered += 1
                    continue
                if stamp.action is Action.ACCEPT and last_dts is not None:
                    step = int(packet.dts or 0) - last_dts
                    if step * 2 > frame_ticks * 3:  # over 1.5 frames: some never came
                        self._lost += (step + frame_ticks // 2) // frame_ticks - 1
                last_dts = packet.dts
                if stamp.action is Action.NEW_RUN and self._last_wall_us is not None:
                    log.info("%s: new run: %s", self.key, stamp.reason)
                    # A run that breaks after a silence, or mid-GOP (video is lost until the
                    # next key frame), leaves a gap; the event, dated inside or just before
                    # it, lets the gap report say why. The silence is measured from the last
                    # frame's place in time, as a frame held back by the demuxer can arrive
                    # late, just before the new run.
                    quiet = now - self._last_wall_us
                    if quiet > US_PER_S or not packet.is_keyframe:
                        stall_us = int(self._cfg.stall_seconds * US_PER_S)
                        at = self._last_wall_us + (stall_us if quiet > stall_us else quiet // 2)
                        self._set(StreamState.STALLED, stamp.reason, at)
                self._last_wall_us = self._last_frame_us = stamp.wall_us
                self._on_packet(packet, stamp.wall_us, stamp.run_start_us or stamp.wall_us)
                self._writer.write(packet, stamp)
            return "stream ended"
        except MediaError as exc:
            return str(exc)
        except StorageError as exc:  # logged once, as the state change it causes
            return f"storage error: {str(exc).removeprefix(f'{self.key}: ')}"
        finally:
            # The writer first: flushing its held packet may open a segment from the
            # template, which belongs to the source (closing the source first crashed).
            if stop.is_set() and self._writer.busy:
                self.finished_at_stop = True
            self._close_writer()
            source.close()

    def _on_packet(self, packet: Any, wall_us: int, run_start_us: int) -> None:
        mono = self._clock.monotonic()
        self._last_streaming_mono = mono
        if self._state is not StreamState.STREAMING and packet.is_keyframe:
            # recording starts (again) at a key frame: until then the gap goes on
            self._set(StreamState.STREAMING, "receiving video")
            self._failed, self._failed_traced_mono = 0, None
        self._window.append((mono, packet.size))
        while self._window and mono - self._window[0][0] > 5.0:
            self._window.popleft()
        if packet.is_keyframe:
            self._last_key_us = wall_us
        if self.fanout.subscribers:
            self.fanout.publish(
                LivePacket(
                    packet, packet.dts, packet.pts, packet.is_keyframe, wall_us, run_start_us
                )
            )
