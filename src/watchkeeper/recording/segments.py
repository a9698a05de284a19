"""The segment writer: packets in, durable fMP4 segment files and their index rows out.

One writer per stream. Packets are remuxed (never decoded) by PyAV into fragmented MP4, one
fragment per GOP, into ``<start_us>.mp4.part``; the file is hashed as it is written, cut at the
first keyframe after the target length, fsynced, renamed, its directory fsynced, and only then
handed to the index (invariant 2). See ``docs/design/recording.md``.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from watchkeeper.errors import MediaError, StorageError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fmp4 import Fragment, pack_index, parse_init
from watchkeeper.recording.hashfile import HashingFile, MakeRoom, Write, no_room
from watchkeeper.recording.paths import PART, StreamKey, fsync_dir, segment_relpath
from watchkeeper.recording.store import FinishedSegment
from watchkeeper.recording.timestamps import Action, Stamp
from watchkeeper.timeutil import US_PER_S

__all__ = ["MUX_OPTIONS", "SegmentWriter"]

log = logging.getLogger(__name__)

MUX_OPTIONS = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof+skip_trailer",
    "flush_packets": "1",
}


@dataclass
class _Open:
    """The segment being written."""

    out: Any
    stream: Any
    file: HashingFile
    relpath: str
    start_us: int
    base_dts: int
    run_start_us: int
    discontinuity: bool
    floor_us: int  # where the segment before it ended: this one may not start earlier
    frames: int = 0


class SegmentWriter:
    """Writes one stream's packets into segment files; hands finished ones to ``index``."""

    def __init__(
        self,
        root: Path,
        key: StreamKey,
        config: RecorderConfig,
        index: Callable[[FinishedSegment], Any],
        clock_offset: Callable[[], int | None] = lambda: None,
        make_room: MakeRoom = no_room,
        write: Write = os.write,
    ) -> None:
        self._root = root
        self._make_room = make_room
        self._write = write
        self._key = key
        self._cfg = config
        self._index = index
        self._clock_offset = clock_offset
        self._template: Any = None
        self._seg: _Open | None = None
        self._held: tuple[av.Packet[Any], int] | None = None
        self._tb = Fraction(1, 90_000)
        self._frame_ticks = 6000
        self._last_end_us = 0
        self._run_start_us = 0
        self._new_run = True
        self._target_us = self._first_target()
        self._unindexed: list[FinishedSegment] = []
        self.segments_written = 0
        self.dropped_before_keyframe = 0

    @property
    def busy(self) -> bool:
        """A segment is open (or a frame held for one)."""
        return self._seg is not None or self._held is not None

    def _first_target(self) -> int:
        full = int(self._cfg.segment_seconds * US_PER_S)
        if not self._cfg.stagger:
            return full
        share = zlib.crc32(str(self._key).encode()) % 1000
        return max(US_PER_S, full * (200 + share * 8 // 10) // 1000)

    def _ticks_to_us(self, ticks: int) -> int:
        return ticks * self._tb.numerator * US_PER_S // self._tb.denominator

    def start_connection(self, template: Any) -> None:
        """A new connection: its input stream is the template for the output stream."""
        self.end_run()
        self._template = template
        tb = template.time_base
        self._tb = Fraction(tb.numerator, tb.denominator)
        rate = template.average_rate or template.guessed_rate or 15
        self._frame_ticks = max(1, int(1 / (Fraction(rate) * self._tb)))

    def write(self, packet: av.Packet[Any], stamp: Stamp) -> None:
        """Take one validated packet (``stamp.wall_us`` set) in arrival order."""
        assert stamp.wall_us is not None and packet.dts is not None
        if stamp.action is Action.NEW_RUN:
            # A run re-anchored back in time (its clock had run ahead of arrival) ends
            # where the next begins, so the timeline neither overlaps nor runs ahead.
            self.end_run(before_us=stamp.wall_us)
            self._run_start_us = stamp.run_start_us or stamp.wall_us
            self._new_run = True
            self._target_us = self._first_target()
        held = self._held
        if held is not None:
            prev, prev_wall = held
            step = packet.dts - prev.dts  # type: ignore[operator]
            if step > 0:
                self._frame_ticks = step
            prev.duration = self._frame_ticks
            cut = (
                packet.is_keyframe
                and self._seg is not None
                and stamp.wall_us - self._seg.start_us >= self._target_us
            )
            self._held = None  # if muxing fails, neither packet is tried again
            self._mux(prev, prev_wall)
            if cut:
                self._finish()
                self._target_us = int(self._cfg.segment_seconds * US_PER_S)
        self._held = (packet, stamp.wall_us)

    def end_run(self, before_us: int | None = None) -> None:
        """The run ended (disconnect, new run, stop): flush the last frame and finish."""
        if self._held is not None:
            prev, wall = self._held
            prev.duration = self._frame_ticks
            self._held = None
            self._mux(prev, wall)
            if self._seg is not None:
                self._finish(before_us)
        self._new_run = True

    def _mux(self, packet: av.Packet[Any], wall: int) -> None:
        if self._seg is None:
            if not packet.is_keyframe:
                self.dropped_before_keyframe += 1
                return
            self._open(packet, wall)
        seg = self._seg
        assert seg is not None
        packet.dts -= seg.base_dts  # type: ignore[operator]
        if packet.pts is not None:
            packet.pts -= seg.base_dts
        packet.stream = seg.stream
        try:
            seg.out.mux(packet)
        except OSError as exc:
            self._abandon()
            raise StorageError(f"{self._key}: cannot write {seg.relpath}: {exc}") from exc
        except av.FFmpegError as exc:
            self._abandon()
            raise MediaError(f"{self._key}: muxer refused a packet: {exc}") from exc
        seg.frames += 1

    def _open(self, packet: av.Packet[Any], wall_us: int) -> None:
        if self._template is None:
            raise MediaError(f"{self._key}: no stream template; call start_connection first")
        start = max(wall_us, self._last_end_us)
        relpath = segment_relpath(self._key, start)
        path = self._root / (relpath + PART)
        self._make_room(False)  # keep the reserve, so a full disk is the exception
        for attempt in (1, 2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fobj = HashingFile(
                    path, self._cfg.fsync_each_fragment, self._write, self._make_room
                )
                break
            except OSError as exc:
                if attempt == 1 and exc.errno == errno.ENOSPC and self._make_room(True):
                    continue
                raise StorageError(f"{self._key}: cannot create {path.name}: {exc}") from exc
        try:
            out = av.open(fobj, "w", format="mp4", options=MUX_OPTIONS)
            stream = out.add_stream_from_template(self._template)
        except (av.FFmpegError, OSError) as exc:
            fobj.abandon()
            path.unlink(missing_ok=True)  # nothing in it yet: no empty .part left behind
            raise MediaError(f"{self._key}: cannot start muxer: {exc}") from exc
        self._seg = _Open(
            out,
            stream,
            fobj,
            relpath,
            start,
            packet.dts or 0,
            self._run_start_us or start,
            self._new_run,
            self._last_end_us,
        )
        self._new_run = False

    def _abandon(self, seg: _Open | None = None) -> None:
        """A write failed: keep the complete fragments (indexed now), remove the rest."""
        seg = seg or self._seg
        if seg is None:
            return
        self._seg = None
        seg.file.abandon()
        try:
            self._salvage(seg)
        except (OSError, StorageError) as exc:
            # startup recovery or the housekeeping check indexes it later
            log.error("%s: left %s for recovery: %s", self._key, seg.relpath, exc)

    def _salvage(self, seg: _Open) -> None:
        """Cut the ``.part`` after its last complete fragment, hash it by reading (the running
        hash saw the failed bytes), make it durable and index it; or remove it if empty."""
        part = seg.file.path
        frags = seg.file.scanner.fragments
        if not frags or not seg.file.scanner.init:
            part.unlink(missing_ok=True)
            fsync_dir(part.parent)
            return
        end = frags[-1].offset + frags[-1].size
        os.truncate(part, end)
        sha = hashlib.sha256()
        with part.open("rb") as f:
            while chunk := f.read(1 << 20):
                sha.update(chunk)
            os.fsync(f.fileno())
        final = part.with_name(part.name.removesuffix(PART))
        os.replace(part, final)
        fsync_dir(final.parent)
        timescale = parse_init(seg.file.scanner.init).timescale
        duration = max(1, media_us(frags, timescale))
        self._last_end_us = max(self._last_end_us, seg.start_us + duration)
        self._unindexed.append(
            FinishedSegment(
                key=self._key,
                start_us=seg.start_us,
                end_us=seg.start_us + duration,
                media_duration_us=duration,
                run_start_us=seg.run_start_us,
                discontinuity=seg.discontinuity,
                frames=sum(f.samples for f in frags),
                size_bytes=end,
                sha256=sha.hexdigest(),
                init=seg.file.scanner.init,
                relpath=seg.relpath,
                fragment_index=index_blob(frags, timescale),
                clock_offset_us=self._clock_offset(),
            )
        )
        self._flush_index()
        self.segments_written += 1

    def _finish(self, before_us: int | None = None) -> None:
        """Close, make durable and index the open segment.

        Its indexed span is its media duration (the camera's own timing), ending no later
        than ``before_us`` when the next run starts earlier than that.
        """
        seg = self._seg
        assert seg is not None
        self._seg = None
        f = seg.file
        try:
            seg.out.close()
            f.finish()
        except (OSError, av.FFmpegError) as exc:
            self._abandon(seg)
            raise StorageError(f"{self._key}: cannot close {seg.relpath}: {exc}") from exc
        part = f.path
        frags = f.scanner.fragments
        if not frags:
            part.unlink(missing_ok=True)
            return
        final = part.with_name(part.name.removesuffix(PART))
        try:
            os.replace(part, final)
            fsync_dir(final.parent)
        except OSError as exc:
            raise StorageError(f"{self._key}: cannot rename {seg.relpath}: {exc}") from exc
        timescale = parse_init(f.scanner.init).timescale
        duration = max(1, media_us(frags, timescale))
        start_us = seg.start_us
        if before_us is not None and start_us + duration > before_us:
            # The next run starts earlier than this one's clock ends it (the run's clock ran
            # ahead of arrival): move the segment back by as much, which keeps its span;
            # only when the segment before leaves no room is it shortened instead.
            start_us = max(seg.floor_us, before_us - duration, seg.start_us - duration + 1)
        end_us = start_us + duration
        if before_us is not None:
            end_us = max(start_us + 1, min(end_us, before_us))
        self._last_end_us = end_us
        finished = FinishedSegment(
            key=self._key,
            start_us=start_us,
            end_us=end_us,
            media_duration_us=duration,
            run_start_us=min(seg.run_start_us, start_us),
            discontinuity=seg.discontinuity,
            frames=seg.frames,
            size_bytes=f.scanner.offset,
            sha256=f.sha.hexdigest(),
            init=f.scanner.init,
            relpath=seg.relpath,
            fragment_index=index_blob(frags, timescale),
            clock_offset_us=self._clock_offset(),
        )
        self._unindexed.append(finished)
        self._flush_index()
        self.segments_written += 1

    def _flush_index(self) -> None:
        """Index finished files; if the database is unavailable, keep them and retry later.

        Recording goes on meanwhile; a file still unindexed at a crash is found and indexed
        by the startup check (it is a durable ``.mp4`` without a row).
        """
        while self._unindexed:
            try:
                self._index(self._unindexed[0])
            except StorageError as exc:
                log.error("%s: %s; will retry at the next segment", self._key, exc)
                return
            self._unindexed.pop(0)

    def close(self) -> None:
        """Stop: finish the open segment so nothing received is left unindexed."""
        self.end_run()


def media_us(frags: list[Fragment], timescale: int) -> int:
    return sum(f.duration for f in frags) * US_PER_S // timescale


def index_blob(frags: list[Fragment], timescale: int) -> bytes:
    base = frags[0].decode_time if frags else 0
    return pack_index(
        [
            (f.offset, f.size, (f.decode_time - base) * US_PER_S // timescale, f.keyframe)
            for f in frags
        ]
    )
