"""The segment file as the muxer writes it: hashed and scanned on the way, room made when full.

Split from ``segments`` (the writer): this is the byte-level half, the one place segment
bytes meet the disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from watchkeeper.recording.fmp4 import BoxScanner

__all__ = ["HashingFile", "MakeRoom", "Write", "no_room"]

Write = Callable[[int, memoryview], int]
"""``os.write``'s shape; injected so tests can make a disk fill up on any filesystem."""
MakeRoom = Callable[[bool], bool]
"""``make_room(urgent)``: free space now (retention's oldest unheld footage); ``True`` if any."""


def no_room(_urgent: bool) -> bool:
    return False


class HashingFile:
    """A write-only, non-seekable file object for the muxer: hashes and scans as it writes.

    Having no ``seek`` makes FFmpeg treat it as a pipe, so bytes are written once, in order,
    and the running SHA-256 is the hash of the file.
    """

    def __init__(
        self,
        path: Path,
        fsync_fragments: bool,
        write: Write = os.write,
        make_room: MakeRoom = no_room,
    ) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        self.sha = hashlib.sha256()
        self.scanner = BoxScanner()
        self._fsync = fsync_fragments
        self._write = write
        self._make_room = make_room

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            try:
                n = self._write(self._fd, view)
            except OSError as exc:
                # A full disk: retention frees the oldest unheld footage at once and the
                # write goes on where it stopped (nothing written twice, nothing lost).
                if exc.errno != errno.ENOSPC or not self._make_room(True):
                    raise
                continue
            view = view[n:]
        self.sha.update(data)
        if self.scanner.feed(data) and self._fsync:
            os.fdatasync(self._fd)
        return len(data)

    def finish(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1

    def abandon(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
