"""Pure helpers for ISO BMFF (fragmented MP4) boxes: scan, parse init and fragments.

The segment writer follows the byte stream the muxer produces with :class:`BoxScanner` to
build the fragment index from what was actually written; crash recovery and ``check`` use
:func:`scan_file` to find the last complete fragment of a file.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BoxScanner",
    "FileScan",
    "Fragment",
    "InitInfo",
    "iter_boxes",
    "pack_index",
    "parse_init",
    "parse_moof",
    "scan_file",
    "unpack_index",
]

_HEADER = struct.Struct(">I4s")
_INDEX = struct.Struct("<QIQB")
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"mvex"}
_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc"}


@dataclass(frozen=True, slots=True)
class InitInfo:
    timescale: int
    codec: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Fragment:
    """One ``moof``+``mdat``: byte range in the file and time in the track's timescale."""

    offset: int
    size: int
    decode_time: int
    duration: int
    samples: int
    keyframe: bool


def iter_boxes(
    buf: bytes, start: int = 0, end: int | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset, size) of each complete box in ``buf[start:end]``."""
    end = len(buf) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = _HEADER.unpack_from(buf, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            header = 16
        if size < header or pos + size > end:
            return
        yield kind, pos, size
        pos += size


def _find(buf: bytes, start: int, end: int, path: list[bytes]) -> tuple[int, int] | None:
    for kind, off, size in iter_boxes(buf, start, end):
        if kind == path[0]:
            if len(path) == 1:
                return off, size
            return _find(buf, off + 8, off + size, path[1:])
    return None


def parse_init(data: bytes) -> InitInfo:
    """Timescale, codec and picture size from an ``ftyp``+``moov`` (first video track)."""
    moov = _find(data, 0, len(data), [b"moov"])
    if moov is None:
        raise ValueError("no moov box")
    mdhd = _find(data, moov[0] + 8, moov[0] + moov[1], [b"trak", b"mdia", b"mdhd"])
    stsd = _find(
        data, moov[0] + 8, moov[0] + moov[1], [b"trak", b"mdia", b"minf", b"stbl", b"stsd"]
    )
    if mdhd is None or stsd is None:
        raise ValueError("moov has no video track")
    version = data[mdhd[0] + 8]
    ts_at = mdhd[0] + 8 + 4 + (16 if version == 1 else 8)
    timescale = struct.unpack_from(">I", data, ts_at)[0]
    entry = stsd[0] + 16  # box header, version+flags, entry count
    kind = data[entry + 4 : entry + 8]
    width, height = struct.unpack_from(">HH", data, entry + 8 + 24)
    return InitInfo(timescale, _CODECS.get(kind, kind.decode("latin-1")), width, height)


def parse_moof(data: bytes, offset: int, size: int) -> tuple[int, int, int, bool]:
    """(decode time, duration, samples, first sample is a keyframe) of one ``moof``."""
    traf = _find(data, offset + 8, offset + size, [b"traf"])
    if traf is None:
        raise ValueError("moof without traf")
    t0, t1 = traf[0] + 8, traf[0] + traf[1]
    default_duration = 0
    default_flags = 0
    decode_time = 0
    duration = samples = 0
    keyframe = False
    for kind, off, _sz in iter_boxes(data, t0, t1):
        body = off + 8
        flags = int.from_bytes(data[body + 1 : body + 4], "big")
        if kind == b"tfhd":
            pos = body + 8
            pos += 8 if flags & 0x1 else 0
            pos += 4 if flags & 0x2 else 0
            if flags & 0x8:
                default_duration = struct.unpack_from(">I", data, pos)[0]
                pos += 4
            pos += 4 if flags & 0x10 else 0
            if flags & 0x20:
                default_flags = struct.unpack_from(">I", data, pos)[0]
        elif kind == b"tfdt":
            wide = data[body] == 1
            decode_time = struct.unpack_from(">Q" if wide else ">I", data, body + 4)[0]
        elif kind == b"trun":
            count = struct.unpack_from(">I", data, body + 4)[0]
            pos = body + 8 + (4 if flags & 0x1 else 0)
            first_flags = None
            if flags & 0x4:
                first_flags = struct.unpack_from(">I", data, pos)[0]
                pos += 4
            for i in range(count):
                d = default_duration
                if flags & 0x100:
                    d = struct.unpack_from(">I", data, pos)[0]
                    pos += 4
                pos += 4 if flags & 0x200 else 0
                sflags = default_flags
                if flags & 0x400:
                    sflags = struct.unpack_from(">I", data, pos)[0]
                    pos += 4
                pos += 4 if flags & 0x800 else 0
                if i == 0:
                    sflags = first_flags if first_flags is not None else sflags
                    keyframe = not (sflags >> 16) & 0x1
                duration += d
            samples += count
    return decode_time, duration, samples, keyframe


class BoxScanner:
    """Follows a byte stream and reports each finished fragment, without buffering media.

    Only ``ftyp``/``moov`` (the init) and ``moof`` boxes are kept in memory; ``mdat`` payloads
    are counted and forgotten.
    """

    def __init__(self) -> None:
        self.offset = 0
        self.init = b""
        self.fragments: list[Fragment] = []
        self._pending = bytearray()
        self._skip = 0
        self._moof: tuple[int, bytes] | None = None
        self._init_done = False

    def feed(self, data: bytes | memoryview) -> list[Fragment]:
        """Consume written bytes; return fragments completed by them."""
        done: list[Fragment] = []
        view = memoryview(data)
        while view:
            if self._skip:
                n = min(self._skip, len(view))
                self._skip -= n
                self.offset += n
                view = view[n:]
                if not self._skip and self._moof is not None:
                    done.append(self._finish_mdat())
                continue
            self._pending += view
            self.offset += len(view)
            view = view[len(view) :]
            done.extend(self._drain())
        self.fragments.extend(done)
        return done

    def _drain(self) -> list[Fragment]:
        out: list[Fragment] = []
        while len(self._pending) >= 8:
            size, kind = _HEADER.unpack_from(self._pending, 0)
            box_start = self.offset - len(self._pending)
            if kind == b"mdat":
                self._mdat_start = box_start
                self._mdat_size = size
                have = len(self._pending)
                if have >= size:
                    del self._pending[:size]
                    out.append(self._finish_mdat())
                    continue
                self._skip = size - have
                self._pending.clear()
                return out
            if len(self._pending) < size:
                return out
            box = bytes(self._pending[:size])
            del self._pending[:size]
            if kind in (b"ftyp", b"moov"):
                self.init += box
            elif kind == b"moof":
                self._moof = (box_start, box)
        return out

    def _finish_mdat(self) -> Fragment:
        assert self._moof is not None
        start, moof = self._moof
        self._moof = None
        decode_time, duration, samples, key = parse_moof(moof, 0, len(moof))
        return Fragment(
            start, self._mdat_start + self._mdat_size - start, decode_time, duration, samples, key
        )


@dataclass(frozen=True, slots=True)
class FileScan:
    init: bytes
    fragments: list[Fragment]
    valid_end: int
    size: int


def scan_file(path: Path) -> FileScan:
    """Read a segment file and find where its last complete fragment ends."""
    data = path.read_bytes()
    scanner = BoxScanner()
    scanner.feed(data)
    frags = scanner.fragments
    init_end = len(scanner.init)
    valid_end = frags[-1].offset + frags[-1].size if frags else init_end
    return FileScan(scanner.init, frags, valid_end, len(data))


def pack_index(entries: list[tuple[int, int, int, bool]]) -> bytes:
    """Compact fragment index: (offset, size, start µs from segment start, keyframe)."""
    return b"".join(_INDEX.pack(o, s, t, 1 if k else 0) for o, s, t, k in entries)


def unpack_index(blob: bytes) -> list[tuple[int, int, int, bool]]:
    return [(o, s, t, bool(k)) for o, s, t, k in _INDEX.iter_unpack(blob)]
