"""HLS live, the fallback for clients that cannot take fMP4 over a WebSocket into MSE.

Per stream, one feed (not one per viewer: HLS clients poll, so they can share) subscribes to
the recorder's fan-out and remuxes, without decoding, into one fMP4 fragment per GOP; the
last few fragments are kept in memory as the playlist's window. A feed starts on the first
request and stops when nobody has asked for ``idle_s``. Latency is a GOP or two plus the
player's buffer, several seconds: that is why it is only the fallback.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

import av

from watchkeeper.errors import MediaError, NotFound
from watchkeeper.live.streamer import LiveMuxer
from watchkeeper.playback.hls import LiveSegment, live_playlist
from watchkeeper.recording.supervisor import LivePacket, StreamSupervisor
from watchkeeper.timeutil import Clock

__all__ = ["HlsFeed", "LiveHls"]

log = logging.getLogger(__name__)

KEEP = 6
GOP_MUX = {"movflags": "empty_moov+default_base_moof+frag_keyframe", "flush_packets": "1"}


@dataclass(frozen=True, slots=True)
class _Segment:
    sequence: int
    start_us: int
    duration_us: int
    data: bytes
    discontinuity: bool


class HlsFeed:
    """The rolling window of one stream; a thread fills it while anyone is watching."""

    def __init__(self, supervisor: StreamSupervisor, clock: Clock, idle_s: float = 30.0) -> None:
        self._sup = supervisor
        self._clock = clock
        self._idle_s = idle_s
        self._segments: deque[_Segment] = deque(maxlen=KEEP)
        self._cond = threading.Condition()
        self.init = b""
        self._seq = 0
        self._touched = clock.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"hls-{supervisor.key}", daemon=True)
        self.stopped = False
        self._thread.start()

    def touch(self) -> None:
        self._touched = self._clock.monotonic()

    def _run(self) -> None:
        sub = self._sup.fanout.subscribe(256)
        mux: LiveMuxer | None = None
        gop_start: LivePacket | None = None
        new_init = False
        try:
            while self._clock.monotonic() - self._touched < self._idle_s:
                lp = sub.get(0.5)
                if lp is None:
                    if sub.closed:
                        break
                    continue
                template = self._sup.template
                if mux is None or (
                    lp.keyframe
                    and (template is not mux.template or lp.run_start_us != mux.run_start_us)
                ):
                    if not lp.keyframe or template is None:
                        continue
                    if mux is not None:
                        mux.close()
                    mux = LiveMuxer(template, lp, GOP_MUX)
                    with self._cond:
                        self.init = mux.init
                    gop_start, new_init = lp, True
                    mux.push(lp)
                    continue
                data = mux.push(lp)
                if data and gop_start is not None:
                    self._add(gop_start, lp.wall_us - gop_start.wall_us, data, new_init)
                    new_init = False
                if lp.keyframe:
                    gop_start = lp
        except (MediaError, av.FFmpegError) as exc:
            log.warning("HLS live feed of %s ended: %s", self._sup.key, exc)
        finally:
            self._sup.fanout.unsubscribe(sub)
            if mux is not None:
                mux.close()
            with self._cond:
                self.stopped = True
                self._cond.notify_all()

    def _add(self, start: LivePacket, duration_us: int, data: bytes, disc: bool) -> None:
        with self._cond:
            self._segments.append(
                _Segment(
                    self._seq, start.wall_us, max(1, duration_us), data, disc and self._seq > 0
                )
            )
            self._seq += 1
            self._cond.notify_all()

    def playlist(self, base_url: str, query: str = "", wait_s: float = 8.0) -> str:
        """The current window; waits for the first GOP of a fresh feed."""
        self.touch()
        with self._cond:
            self._cond.wait_for(lambda: bool(self._segments) or self.stopped, wait_s)
            segs = [
                LiveSegment(s.sequence, s.start_us, s.duration_us, s.discontinuity)
                for s in self._segments
            ]
        if not segs:
            raise NotFound("no live video from this camera yet")
        return live_playlist(
            segs, f"{base_url}/init.mp4{query}", lambda n: f"{base_url}/{n}.m4s{query}"
        )

    def segment(self, sequence: int) -> bytes:
        self.touch()
        with self._cond:
            for s in self._segments:
                if s.sequence == sequence:
                    return s.data
        raise NotFound(f"live segment {sequence} is no longer (or not yet) available")


class LiveHls:
    """Feeds by stream, created on demand and forgotten once stopped."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._feeds: dict[str, HlsFeed] = {}
        self._lock = threading.Lock()

    def feed(self, supervisor: StreamSupervisor) -> HlsFeed:
        key = str(supervisor.key)
        with self._lock:
            feed = self._feeds.get(key)
            if feed is None or feed.stopped:
                feed = self._feeds[key] = HlsFeed(supervisor, self._clock)
            return feed
