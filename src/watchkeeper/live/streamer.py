"""Live video for one viewer: the recorder's packets remuxed into fMP4, one fragment a frame.

The camera is never opened a second time: a viewer subscribes to the recorder's fan-out for
the stream (``StreamSupervisor.fanout``) and gets the very packets being recorded. They are
remuxed, not decoded, by a PyAV mp4 muxer writing into memory with
``empty_moov+default_base_moof+frag_every_frame``: the init segment first, then a
``moof``+``mdat`` per frame, which the browser appends to a Media Source Extensions buffer.
FFmpeg closes a frame's fragment when the next frame arrives, so the muxer adds one frame
interval (67 ms at 15 fps) of latency; a per-GOP fragment would add the whole GOP.

A new connection to the camera (new template, possibly another resolution) or a new run
(timestamps restarted) starts a new muxer: the viewer gets a fresh init and resets its
buffer. A viewer that falls behind is skipped to the next keyframe by the fan-out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import av

from watchkeeper.errors import MediaError
from watchkeeper.recording.fmp4 import iter_boxes, parse_init
from watchkeeper.recording.supervisor import LivePacket, StreamSupervisor

__all__ = ["LIVE_MUX_OPTIONS", "Chunk", "LiveMuxer", "LiveViewer", "mime_of"]

LIVE_MUX_OPTIONS = {
    "movflags": "empty_moov+default_base_moof+frag_every_frame",
    "flush_packets": "1",
}


def _find_box(data: bytes, kind: bytes) -> int:
    """Offset of the payload of the first box of ``kind`` (a crude search is enough here)."""
    at = data.find(kind)
    return -1 if at < 4 else at + 4


def mime_of(init: bytes) -> str:
    """The MSE type string, e.g. ``video/mp4; codecs="avc1.640028"``, from an init segment."""
    at = _find_box(init, b"avcC")
    if at >= 0 and at + 4 <= len(init):
        profile, compat, level = init[at + 1], init[at + 2], init[at + 3]
        return f'video/mp4; codecs="avc1.{profile:02x}{compat:02x}{level:02x}"'
    if _find_box(init, b"hvcC") >= 0:
        return 'video/mp4; codecs="hvc1.1.6.L120.90"'
    return 'video/mp4; codecs="avc1.640028"'


class _Sink:
    def __init__(self) -> None:
        self.buf = bytearray()

    def write(self, data: bytes) -> int:
        self.buf += data
        return len(data)

    def take(self) -> bytes:
        out = bytes(self.buf)
        self.buf.clear()
        return out


class LiveMuxer:
    """fMP4 for one run of one connection: :attr:`init`, then :meth:`push` per packet."""

    def __init__(
        self, template: Any, first: LivePacket, options: dict[str, str] | None = None
    ) -> None:
        self._sink = _Sink()
        self.template = template
        self.run_start_us = first.run_start_us
        self._base = first.dts
        self._tb = template.time_base
        try:
            self._out = av.open(self._sink, "w", format="mp4", options=options or LIVE_MUX_OPTIONS)
            self._stream = self._out.add_stream_from_template(template)
            self._out.start_encoding()
        except av.FFmpegError as exc:
            raise MediaError(f"cannot start live muxer: {exc}") from exc
        self.init = self._sink.take()
        info = parse_init(self.init)
        self.width, self.height = info.width, info.height
        self.mime = mime_of(self.init)

    def push(self, lp: LivePacket) -> bytes:
        """Bytes produced by muxing one packet (the previous frame's fragment)."""
        packet = av.Packet(bytes(lp.packet))
        packet.dts = lp.dts - self._base
        packet.pts = (lp.pts if lp.pts is not None else lp.dts) - self._base
        packet.time_base = self._tb
        packet.is_keyframe = lp.keyframe
        packet.stream = self._stream
        try:
            self._out.mux(packet)
        except av.FFmpegError as exc:
            raise MediaError(f"live muxer refused a packet: {exc}") from exc
        return self._sink.take()

    def close(self) -> None:
        with contextlib.suppress(av.FFmpegError):  # a viewer leaving: nothing to keep
            self._out.close()


@dataclass(frozen=True, slots=True)
class Chunk:
    """What the socket sends: a new init (``reset``) or media bytes, with capture time."""

    data: bytes
    reset: bool
    wall_us: int
    mime: str = ""
    width: int = 0
    height: int = 0


class LiveViewer:
    """One viewer's subscription and muxer, driven from the event loop: no thread per viewer.

    The fan-out calls ``wake`` from the recorder's thread when the viewer's queue stops
    being empty (or is closed); ``wake`` only schedules (``loop.call_soon_threadsafe``), so
    the recorder never waits for a viewer. :meth:`drain` then muxes what is queued: a remux
    of a few packets, no decode, cheap enough for the loop. A viewer that cannot keep up is
    skipped to the next keyframe by the fan-out, and closed after repeated overruns.
    """

    def __init__(
        self, supervisor: StreamSupervisor, wake: Callable[[], None], queue: int = 90
    ) -> None:
        self._sup = supervisor
        self._sub = supervisor.fanout.subscribe(queue, waker=wake)
        self._mux: LiveMuxer | None = None

    def drain(self, most: int = 30) -> list[Chunk]:
        """Chunks for up to ``most`` queued packets; MediaError once the fan-out dropped us."""
        out: list[Chunk] = []
        for _ in range(most):
            lp = self._sub.get_nowait()
            if lp is None:
                if self._sub.closed and not out:
                    raise MediaError("live viewer fell too far behind")
                break
            out += self._mux_one(lp)
        return out

    @property
    def pending(self) -> bool:
        """Packets are queued (more than one :meth:`drain` held)."""
        return bool(self._sub.qsize())

    def _mux_one(self, lp: LivePacket) -> list[Chunk]:
        out: list[Chunk] = []
        m = self._mux
        template = self._sup.template
        if m is None or (
            lp.keyframe and (template is not m.template or lp.run_start_us != m.run_start_us)
        ):
            if not lp.keyframe or template is None:
                return []
            self.close_muxer()
            m = self._mux = LiveMuxer(template, lp)
            out.append(Chunk(m.init, True, lp.wall_us, m.mime, m.width, m.height))
        data = m.push(lp)
        if data:
            out.append(Chunk(data, False, lp.wall_us))
        return out

    def close_muxer(self) -> None:
        if self._mux is not None:
            self._mux.close()
            self._mux = None

    def close(self) -> None:
        self._sup.fanout.unsubscribe(self._sub)
        self.close_muxer()


def fragments_of(data: bytes) -> int:
    """How many complete ``moof`` boxes ``data`` holds (for tests and counters)."""
    return sum(1 for kind, _o, _s in iter_boxes(data) if kind == b"moof")
