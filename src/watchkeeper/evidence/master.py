"""The native master: recorded segment files copied bit-exact, checked against the index.

Each segment's SHA-256 was taken by the recorder from the bytes as it wrote them. The copy
hashes the bytes again as it reads them; a difference is tampering or disk rot, and the
export stops naming the file (invariant 1 of ``docs/design/evidence.md``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.errors import NotFound, StorageError
from watchkeeper.recording.models import InitSegment, Segment, SegmentState, live_overlapping
from watchkeeper.storage.files import SegmentFiles, as_files
from watchkeeper.timeutil import format_local, format_utc

__all__ = ["MasterSegment", "copy_segment", "nearby", "select_segments"]


@dataclass(frozen=True, slots=True)
class MasterSegment:
    """The index row of one segment, as the package needs it."""

    id: int
    start_us: int
    end_us: int
    frames: int
    size_bytes: int
    sha256: str
    path: str
    init_id: int
    codec: str
    width: int
    height: int
    clock_offset_us: int | None
    discontinuity: bool


def select_segments(
    s: Session, camera_id: str, stream: str, start_us: int, end_us: int
) -> list[MasterSegment]:
    """Live segments overlapping ``[start_us, end_us)``, in time order.

    The first holds the keyframe at or before the start: every segment begins on a
    keyframe, so the segment in which the start falls holds the one before it.
    """
    rows = s.execute(
        select(
            Segment.id,
            Segment.start_us,
            Segment.end_us,
            Segment.frames,
            Segment.size_bytes,
            Segment.sha256,
            Segment.path,
            Segment.init_id,
            InitSegment.codec,
            InitSegment.width,
            InitSegment.height,
            Segment.clock_offset_us,
            Segment.discontinuity,
        )
        .join(InitSegment, InitSegment.id == Segment.init_id)
        .where(*live_overlapping(camera_id, stream, start_us, end_us))
        .order_by(Segment.start_us)
    ).all()
    if not rows:
        raise NotFound(nearby(s, camera_id, stream, start_us, end_us))
    return [MasterSegment(*tuple(r)) for r in rows]


def nearby(s: Session, camera_id: str, stream: str, start_us: int, end_us: int) -> str:
    """Why a window is empty, naming the recordings closest to it."""
    live = (
        Segment.camera_id == camera_id,
        Segment.stream == stream,
        Segment.state == SegmentState.LIVE.value,
    )
    before = s.execute(select(Segment.end_us).where(*live, Segment.end_us <= start_us)
                       .order_by(Segment.end_us.desc()).limit(1)).scalar()  # fmt: skip
    after = s.execute(select(Segment.start_us).where(*live, Segment.start_us >= end_us)
                      .order_by(Segment.start_us).limit(1)).scalar()  # fmt: skip
    parts = [
        f"nothing recorded on {camera_id} between {format_local(start_us)} and "
        f"{format_local(end_us)}"
    ]
    if before is not None:
        parts.append(f"the recording before ends at {format_local(before)} ({format_utc(before)})")
    if after is not None:
        parts.append(f"the next starts at {format_local(after)} ({format_utc(after)})")
    if before is None and after is None:
        parts.append("the camera has no recordings kept")
    return "; ".join(parts)


def copy_segment(
    root: Path | SegmentFiles,
    seg: MasterSegment,
    dest: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Copy one segment file to ``dest``, hashing as it goes; refuse on any difference.

    ``dest`` is written, fsynced and left only when its bytes hash to the index's SHA-256.
    The segment is read from the local folder or, once tiered, from the object store.
    """
    h = hashlib.sha256()
    size = 0
    try:
        with dest.open("xb") as fout:
            for chunk in as_files(root).iter_bytes(seg.path):
                h.update(chunk)
                fout.write(chunk)
                size += len(chunk)
                if progress is not None:
                    progress(len(chunk))
            fout.flush()
            os.fsync(fout.fileno())
    except StorageError as exc:
        dest.unlink(missing_ok=True)
        raise StorageError(f"{exc} (segment {seg.id})") from exc
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise StorageError(f"cannot copy {seg.path}: {exc.strerror}") from exc
    if h.hexdigest() != seg.sha256 or size != seg.size_bytes:
        dest.unlink(missing_ok=True)
        raise StorageError(
            f"{seg.path} (segment {seg.id}) does not match the hash recorded when it was "
            f"written: the file was altered or the disk is failing; it was not exported "
            f"(recorded {seg.sha256[:16]}..., {seg.size_bytes} bytes; "
            f"now {h.hexdigest()[:16]}..., {size} bytes)"
        )
