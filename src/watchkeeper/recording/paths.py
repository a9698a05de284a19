"""Where segment files live, and how a file's name gives back its camera, stream and start."""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass
from pathlib import Path

from watchkeeper.cameras.schemas import ID_PATTERN
from watchkeeper.errors import ValidationError
from watchkeeper.timeutil import to_datetime

__all__ = [
    "PART",
    "RecorderLock",
    "StreamKey",
    "fsync_dir",
    "parse_segment_path",
    "recorder_running",
    "segment_relpath",
]

LOCK_NAME = ".recorder.lock"

PART = ".part"
_ID = re.compile(ID_PATTERN)  # the register's one camera-id rule
_NAME = re.compile(r"^(?P<cam>[^/]+)/(?P<stream>main|sub)/\d{4}-\d\d-\d\d/(?P<start>\d+)\.mp4$")


@dataclass(frozen=True, slots=True)
class StreamKey:
    """One recorded stream: a camera's ``main`` or ``sub`` stream."""

    camera_id: str
    stream: str

    def __post_init__(self) -> None:
        if not _ID.match(self.camera_id):
            raise ValidationError(f"camera id {self.camera_id!r} cannot name a folder")
        if self.stream not in ("main", "sub"):
            raise ValidationError(f"stream must be main or sub, not {self.stream!r}")

    def __str__(self) -> str:
        return f"{self.camera_id}/{self.stream}"


def segment_relpath(key: StreamKey, start_us: int) -> str:
    """``camera/stream/YYYY-MM-DD/start_us.mp4`` (day in UTC), relative to the recordings root."""
    day = to_datetime(start_us).strftime("%Y-%m-%d")
    return f"{key.camera_id}/{key.stream}/{day}/{start_us}.mp4"


def parse_segment_path(rel: str) -> tuple[StreamKey, int] | None:
    """The stream and start time a finished file's relative path names, or ``None``."""
    m = _NAME.match(rel.removesuffix(PART))
    if m is None:
        return None
    try:
        return StreamKey(m["cam"], m["stream"]), int(m["start"])
    except ValidationError:
        return None


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (a new, renamed or removed file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class RecorderLock:
    """A shared lock on the recordings folder, held by every running recorder process.

    ``check --repair`` takes it exclusively to know that no ``.part`` file is being written.
    """

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o640)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def recorder_running(root: Path) -> bool:
    """True when some recorder process holds the folder's lock."""
    path = root / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock if it was taken
    return False
