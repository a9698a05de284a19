"""Stream sources: the one place PyAV demuxing meets the recorder, with errors translated.

The supervisor never calls ``av.open`` itself; it calls an injected :data:`Opener`, so tests
and benchmarks feed files (paced in real time or not) and the service feeds RTSP over TCP.
A source yields video packets only (audio is dropped) and raises :class:`MediaError` when the
connection fails or no packet arrives within the read timeout (a stall).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, Protocol

import av

from watchkeeper.cameras.redact import redact_text
from watchkeeper.errors import MediaError
from watchkeeper.timeutil import Clock

__all__ = [
    "FileSource",
    "MediaSource",
    "Opener",
    "PyAvSource",
    "RtspSource",
    "Transport",
    "file_opener",
    "rtsp_opener",
]


class MediaSource(Protocol):
    """An open connection to one stream."""

    @property
    def template(self) -> Any:
        """The PyAV input video stream (codec parameters and time base)."""
        ...

    def packets(self) -> Iterator[av.Packet[Any]]:
        """Video packets in arrival order; ends at end of stream; raises MediaError."""
        ...

    def close(self) -> None: ...


Opener = Callable[[str], MediaSource]
"""URL in, open source out (or :class:`MediaError`)."""


class PyAvSource:
    """A PyAV input container, video stream only, with FFmpeg errors translated."""

    def __init__(self, container: Any) -> None:
        self._c = container
        if not container.streams.video:
            container.close()
            raise MediaError("the stream has no video")
        self._video = container.streams.video[0]

    @property
    def template(self) -> Any:
        return self._video

    def packets(self) -> Iterator[av.Packet[Any]]:
        try:
            for packet in self._c.demux(self._video):
                if packet.size:
                    yield packet
        except av.FFmpegError as exc:
            raise _media_error("stream read failed", exc) from None

    def close(self) -> None:
        with contextlib.suppress(av.FFmpegError):  # a broken connection: nothing to save
            self._c.close()


class RtspSource(PyAvSource):
    """A camera over RTSP: PyAV's packets, with lost frame timestamps restored.

    FFmpeg's RTSP demuxer hands out some access units with neither DTS nor PTS: the first of
    a connection, and the first after a silence (both key frames, as cameras resume on one).
    Dropped for that, each would cost a whole GOP, so such a packet is held until the next
    one and given that packet's DTS less one frame.
    """

    def __init__(self, container: Any, transport: str = "tcp") -> None:
        super().__init__(container)
        self.transport = transport

    def packets(self) -> Iterator[av.Packet[Any]]:
        held: av.Packet[Any] | None = None
        for packet in super().packets():
            if held is not None:
                if packet.dts is not None:
                    held.dts = held.pts = packet.dts - _frame_ticks(self._video)
                yield held
                held = None
            if packet.dts is None and packet.pts is None:
                held = packet
                continue
            yield packet
        if held is not None:
            yield held


def _media_error(what: str, exc: Exception) -> MediaError:
    """FFmpeg's message with any credentials masked; the original is not chained, as its
    text (and so any traceback printed from it) quotes the URL with the password."""
    return MediaError(redact_text(f"{what}: {exc}"))


def _frame_ticks(video: Any) -> int:
    """One frame's duration in the stream's time base (15 fps if the rate is unknown)."""
    rate = video.average_rate or video.guessed_rate or 15
    return max(1, int(1 / (Fraction(rate) * Fraction(video.time_base))))


Transport = Literal["tcp", "udp", "auto"]
"""RTP over the RTSP connection, over UDP, or TCP falling back to UDP (camera register)."""

# FFmpeg's answer when a camera refuses RTP over TCP (RTSP 461 Unsupported transport)
_TCP_REFUSED = ("Protocol not supported", "461", "Unsupported transport")
_UDP_BUFFER = str(4 * 1024 * 1024)  # socket buffer: a 1080p key frame is ~200 datagrams


def rtsp_opener(
    open_timeout_s: float = 10.0, read_timeout_s: float = 10.0, transport: Transport | str = "tcp"
) -> Opener:
    """Opens RTSP with connect and read timeouts (a read timeout is a stall).

    ``transport`` is the camera's (register field ``rtsp_transport``): ``tcp`` interleaves
    RTP in the RTSP connection (no loss, no reordering); ``udp`` is for cameras that offer
    nothing else, with a large socket buffer and FFmpeg's reorder queue; ``auto`` tries TCP
    and, if the camera refuses it ("Protocol not supported", RTSP 461), UDP, and keeps to
    what worked for the reconnects that follow.

    Probing is cut to the first packet: the SDP's parameter sets (or the key frame's own)
    describe the stream, and FFmpeg's default probe would hold back ~2 s of video before the
    first packet is returned (with ``fflags=nobuffer`` it would throw those packets away, so
    every reconnect lost a GOP or more). A camera that describes itself in neither place is
    probed again the slow way.
    """
    if transport not in ("tcp", "udp", "auto"):
        raise ValueError(f"RTSP transport must be tcp, udp or auto, not {transport!r}")
    chosen: list[str] = [] if transport == "auto" else [transport]

    def _connect(url: str, probe: dict[str, str], lower: str) -> RtspSource:
        options = {"rtsp_transport": lower, "timeout": str(int(read_timeout_s * 1_000_000))}
        if lower == "udp":
            options["buffer_size"] = _UDP_BUFFER
        try:
            container = av.open(
                url, options=options | probe, timeout=(open_timeout_s, read_timeout_s)
            )
        except av.FFmpegError as exc:
            raise _media_error(f"cannot open stream ({lower})", exc) from None
        return RtspSource(container, lower)

    def _open_with(url: str, lower: str) -> MediaSource:
        source = _connect(url, {"probesize": "32", "analyzeduration": "0"}, lower)
        if source.template.codec_context.width:
            return source
        source.close()
        return _connect(url, {}, lower)

    def _open(url: str) -> MediaSource:
        if chosen:
            return _open_with(url, chosen[0])
        try:
            source = _open_with(url, "tcp")
        except MediaError as exc:
            if not any(s in str(exc) for s in _TCP_REFUSED):
                raise
            source = _open_with(url, "udp")
            chosen.append("udp")
            return source
        chosen.append("tcp")
        return source

    return _open


class FileSource(PyAvSource):
    """A media file played as if it were a camera: paced in real time, optionally looped.

    Looping keeps timestamps increasing, as a camera's would. ``sleep`` is injected so tests
    on a fake clock can advance it instead of waiting.
    """

    def __init__(
        self,
        path: Path,
        clock: Clock | None = None,
        realtime: bool = False,
        loops: int = 1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            container = av.open(str(path))
        except av.FFmpegError as exc:
            raise MediaError(f"cannot open {path.name}: {exc}") from exc
        super().__init__(container)
        self._path = path
        self._clock = clock
        self._realtime = realtime and clock is not None
        self._loops = loops
        self._sleep = sleep

    def packets(self) -> Iterator[av.Packet[Any]]:
        tb = self._video.time_base
        offset = 0
        start_mono = self._clock.monotonic() if self._clock is not None else 0.0
        first: int | None = None
        for n in range(self._loops):
            if n:
                try:
                    self._c.seek(0, stream=self._video)
                except av.FFmpegError as exc:
                    raise MediaError(f"cannot rewind {self._path.name}: {exc}") from exc
            last = 0
            step = 1
            for packet in super().packets():
                if packet.dts is None:
                    yield packet
                    continue
                if first is None:
                    first = packet.dts
                packet.dts += offset
                if packet.pts is not None:
                    packet.pts += offset
                step = max(1, packet.dts - last) if last else step
                last = packet.dts
                if self._realtime and self._clock is not None:
                    due = start_mono + float((packet.dts - first) * tb)
                    wait = due - self._clock.monotonic()
                    if wait > 0:
                        self._sleep(wait)
                yield packet
            offset = last + step - (first or 0)


def file_opener(
    clock: Clock | None = None,
    realtime: bool = False,
    loops: int = 1,
    sleep: Callable[[float], None] = time.sleep,
) -> Opener:
    """An opener that treats the URL as a file path (tests, benchmarks, demos)."""

    def _open(url: str) -> MediaSource:
        return FileSource(Path(url), clock, realtime, loops, sleep)

    return _open
