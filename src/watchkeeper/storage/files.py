"""Where playback, snapshots and exports read segment bytes: the local folder or the bucket.

A segment is read from this machine's recordings folder when its file is there, otherwise
from the object store by ranged GETs of the bytes asked for (a read-ahead window of about
a GOP or two, so a seek in a tiered hour fetches what it shows, not the hour). The index's
``location`` says where a segment *lives* (tiering, retention); the reader prefers a local
copy because bytes are the same (the tier checked their SHA-256 before removing it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from watchkeeper.errors import StorageError

if TYPE_CHECKING:  # the object store (boto3) is loaded only where a bucket is configured
    from watchkeeper.storage.s3 import ObjectStore

__all__ = ["SegmentFiles", "SegmentHandle", "as_files"]

READ_AHEAD = 1024 * 1024
_CHUNK = 1024 * 1024


class SegmentHandle(Protocol):
    def pread(self, size: int, offset: int) -> bytes: ...

    def close(self) -> None: ...


class _LocalHandle:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def pread(self, size: int, offset: int) -> bytes:
        return os.pread(self._fd, size, offset)

    def close(self) -> None:
        os.close(self._fd)


class _ObjectHandle:
    """Ranged GETs with one read-ahead window."""

    def __init__(self, store: ObjectStore, key: str) -> None:
        self._store, self._key = store, key
        self._at, self._buf = 0, b""

    def pread(self, size: int, offset: int) -> bytes:
        if not (self._at <= offset and offset + size <= self._at + len(self._buf)):
            self._at = offset
            self._buf = self._store.read_range(self._key, offset, max(size, READ_AHEAD))
        start = offset - self._at
        return self._buf[start : start + size]

    def close(self) -> None:
        self._buf = b""


class SegmentFiles:
    """Opens a segment by its path relative to the recordings root, wherever it is."""

    def __init__(self, root: Path, store: ObjectStore | None = None) -> None:
        self.root = root
        self.store = store

    def open(self, relpath: str) -> SegmentHandle:
        try:
            return _LocalHandle(os.open(self.root / relpath, os.O_RDONLY))
        except FileNotFoundError:
            if self.store is None:
                raise StorageError(f"recording file missing or unreadable: {relpath}") from None
        except OSError as exc:
            raise StorageError(f"recording file missing or unreadable: {relpath}") from exc
        return _ObjectHandle(self.store, relpath)

    @property
    def remove_object(self) -> Callable[[str], None] | None:
        """Retention's way to delete a tiered segment (None without a bucket)."""
        return self.store.delete if self.store is not None else None

    def iter_bytes(self, relpath: str) -> Iterator[bytes]:
        """The whole segment in chunks (an export's master copy)."""
        path = self.root / relpath
        if path.exists() or self.store is None:
            try:
                with path.open("rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        yield chunk
            except FileNotFoundError as exc:
                raise StorageError(f"recording file missing: {relpath}") from exc
            return
        yield from self.store.iter_object(relpath)


def as_files(where: Path | SegmentFiles) -> SegmentFiles:
    """Callers that know only a folder (single machine, tests) pass a ``Path``."""
    return where if isinstance(where, SegmentFiles) else SegmentFiles(where)
