"""A fragmented MP4 assembled on request from the index: init, then GOPs copied from files.

No sample is decoded or re-encoded. The file is the run's init segment (``ftyp``+``moov`` as
the recorder stored it) followed by each fragment's ``moof``+``mdat`` bytes copied from its
segment file. Because the recorder writes ``default_base_moof``, sample offsets are relative
to each ``moof`` and the bytes stay valid wherever they land. Two fields are rewritten in
each ``moof``: ``mfhd`` (sequence number) and ``tfdt`` (decode time). The run becomes one
timeline with wall-clock spacing, starting at 0 at its first keyframe; for the runs of a
playlist, at the playlist's first keyframe, so timestamps never go back across runs. Sizes
never change, so the layout (and any byte range) is known before a byte is read: HTTP Range
requests and HLS byte ranges are served from the same object.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from watchkeeper.errors import MediaError, StorageError
from watchkeeper.playback.layout import FragmentRef, Run
from watchkeeper.recording.fmp4 import iter_boxes
from watchkeeper.storage.files import SegmentFiles, SegmentHandle, as_files
from watchkeeper.timeutil import US_PER_S

__all__ = ["CHUNK", "VirtualMp4", "patch_moof"]

CHUNK = 256 * 1024


def patch_moof(moof: bytes, decode_time: int, sequence: int) -> bytes:
    """``moof`` with its ``tfdt`` and ``mfhd`` rewritten in place (same size)."""
    buf = bytearray(moof)
    found = False
    for kind, off, size in iter_boxes(moof, 8, len(moof)):
        if kind == b"mfhd":
            struct.pack_into(">I", buf, off + 12, sequence)
        elif kind == b"traf":
            for k2, o2, _s2 in iter_boxes(moof, off + 8, off + size):
                if k2 == b"tfdt":
                    if buf[o2 + 8] == 1:
                        struct.pack_into(">Q", buf, o2 + 12, decode_time)
                    else:
                        struct.pack_into(">I", buf, o2 + 12, decode_time & 0xFFFFFFFF)
                    found = True
    if not found:
        raise MediaError("fragment has no tfdt box")
    return bytes(buf)


@dataclass(frozen=True, slots=True)
class _Part:
    start: int
    fragment: FragmentRef
    sequence: int


class VirtualMp4:
    """One run as a file: ``size`` bytes, readable at any byte range."""

    def __init__(
        self,
        run: Run,
        init: bytes,
        timescale: int,
        root: Path | SegmentFiles,
        base_us: int | None = None,
    ) -> None:
        self.run = run
        self.base_us = run.start_us if base_us is None else min(base_us, run.start_us)
        self.init = init
        self.timescale = timescale
        self.root = root
        self._files = as_files(root)  # local folder, or the object tier too (scale-out.md)
        parts = []
        pos = len(init)
        for i, f in enumerate(run.fragments):
            parts.append(_Part(pos, f, i + 1))
            pos += f.size
        self._parts = parts
        self.size = pos

    @property
    def start_us(self) -> int:
        """Wall time of media time 0: the first keyframe, or the playlist's start."""
        return self.base_us

    def ranges(self) -> list[tuple[int, int, FragmentRef]]:
        """(offset, size, fragment) of each fragment in the virtual file (HLS byte ranges)."""
        return [(p.start, p.fragment.size, p.fragment) for p in self._parts]

    def decode_time(self, f: FragmentRef) -> int:
        return (f.start_us - self.base_us) * self.timescale // US_PER_S

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes ``[start, end)`` in chunks; opens each segment file once."""
        end = self.size if end is None else min(end, self.size)
        if start < len(self.init):
            yield self.init[start : min(end, len(self.init))]
        handles: dict[str, SegmentHandle] = {}
        try:
            for p in self._parts:
                f = p.fragment
                a, b = max(start, p.start), min(end, p.start + f.size)
                if a >= b:
                    continue
                fd = handles.get(f.path)
                if fd is None:
                    for old in handles.values():
                        old.close()
                    handles.clear()
                    fd = handles[f.path] = self._open(f.path)
                yield from self._fragment_bytes(fd, p, a - p.start, b - p.start)
        finally:
            for fd in handles.values():
                fd.close()

    def _open(self, relpath: str) -> SegmentHandle:
        return self._files.open(relpath)

    def _fragment_bytes(self, fd: SegmentHandle, p: _Part, a: int, b: int) -> Iterator[bytes]:
        f = p.fragment
        head = fd.pread(8, f.offset)
        if len(head) < 8 or head[4:8] != b"moof":
            raise StorageError(f"{f.path}: no fragment at byte {f.offset}; run check")
        moof_size = struct.unpack(">I", head[:4])[0]
        if a < moof_size:
            moof = patch_moof(fd.pread(moof_size, f.offset), self.decode_time(f), p.sequence)
            yield moof[a : min(b, moof_size)]
            a = moof_size
        while a < b:
            n = min(CHUNK, b - a)
            data = fd.pread(n, f.offset + a)
            if len(data) < n:
                raise StorageError(f"{f.path}: file shorter than its index; run check")
            yield data
            a += n
