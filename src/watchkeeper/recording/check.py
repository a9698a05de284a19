"""Reconcile the index with the files on disk, and repair what can be repaired.

Problems found: a row whose file is missing, a file with no row (``orphan``), an interrupted
``.part`` file, a size or hash mismatch, a deletion left half done. Repair recovers the
complete fragments of interrupted files and indexes orphans, finishes deletions, and removes
rows of missing files (logged, rule ``repair``) unless they are held. A size or hash mismatch
is reported and never "fixed": it may be evidence that a file was altered.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from watchkeeper.db.engine import Database
from watchkeeper.errors import LeaseLost, StorageError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.fmp4 import parse_init, scan_file
from watchkeeper.recording.models import DeletionRule, Segment, SegmentState, stored_by
from watchkeeper.recording.paths import PART, fsync_dir, parse_segment_path, recorder_running
from watchkeeper.recording.retention import Retention
from watchkeeper.recording.segments import index_blob, media_us
from watchkeeper.recording.store import FinishedSegment, SegmentIndex
from watchkeeper.timeutil import Clock, to_datetime

__all__ = ["BUSY_AGE_S", "CheckReport", "Problem", "check", "recover_file"]

BUSY_AGE_S = 300


@dataclass
class Problem:
    kind: str
    path: str
    detail: str
    fixed: bool = False
    action: str = ""

    def __str__(self) -> str:
        done = f" -> {self.action}" if self.action else ""
        return f"{self.kind}: {self.path}: {self.detail}{done}"


@dataclass
class CheckReport:
    rows: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No problem left unfixed."""
        return all(p.fixed for p in self.problems)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def recover_file(root: Path, rel: str, index: SegmentIndex) -> str:
    """Index an interrupted ``.part`` or unindexed ``.mp4``; returns what was done.

    The file is cut after its last complete fragment. Its hash is computed by reading, the
    only way after a crash; the row is flagged ``recovered``.
    """
    parsed = parse_segment_path(rel)
    path = root / rel
    if parsed is None:
        return "left alone: the name is not a segment's"
    key, start_us = parsed
    scan = scan_file(path)
    if not scan.fragments or not scan.init:
        path.unlink()
        fsync_dir(path.parent)
        return "removed: no complete fragment"
    if scan.valid_end < scan.size:
        os.truncate(path, scan.valid_end)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    final = path.with_name(path.name.removesuffix(PART))
    if final != path:
        os.replace(path, final)
        fsync_dir(final.parent)
    timescale = parse_init(scan.init).timescale
    duration = max(1, media_us(scan.fragments, timescale))
    index.add(
        FinishedSegment(
            key=key,
            start_us=start_us,
            end_us=start_us + duration,
            media_duration_us=duration,
            run_start_us=start_us,
            discontinuity=True,
            frames=sum(f.samples for f in scan.fragments),
            size_bytes=scan.valid_end,
            sha256=_sha256(final),
            init=scan.init,
            relpath=rel.removesuffix(PART),
            fragment_index=index_blob(scan.fragments, timescale),
            recovered=True,
        )
    )
    cut = scan.size - scan.valid_end
    return f"indexed {len(scan.fragments)} fragments" + (f", cut {cut} bytes" if cut else "")


def _walk(root: Path, since_us: int | None) -> list[str]:
    """Relative paths of segment files, in day folders from ``since_us``'s day on."""
    if not root.exists():
        return []
    first_day = (
        (to_datetime(since_us) - timedelta(days=1)).strftime("%Y-%m-%d")
        if since_us is not None
        else ""
    )
    out = []
    for day in root.glob("*/*/*"):
        if day.is_dir() and day.name >= first_day:
            out += [
                p.relative_to(root).as_posix()
                for p in day.iterdir()
                if p.name.endswith((".mp4", ".mp4" + PART))
            ]
    return sorted(out)


def check(
    db: Database,
    root: Path,
    clock: Clock,
    full: bool = False,
    repair: bool = False,
    since_us: int | None = None,
    cameras: set[str] | None = None,
    busy: bool | None = None,
    node_id: str | None = None,
    index: SegmentIndex | None = None,
) -> CheckReport:
    """Compare rows and files. ``full`` hashes every file; ``repair`` fixes what it can.

    ``cameras`` limits the check to those cameras. ``busy`` says a recorder is writing (found
    from the folder lock when not given): then files changed in the last ``BUSY_AGE_S`` are
    left alone, as they may be being written or about to be indexed.
    """
    report = CheckReport()
    if busy is None:
        busy = recorder_running(root)
    retention = Retention(db, root, RecorderConfig(), clock, node_id=node_id)
    index = index or SegmentIndex(db, clock)
    q = select(Segment.id, Segment.path, Segment.size_bytes, Segment.sha256, Segment.state)
    q = q.where(stored_by(node_id), Segment.location == "local")  # files on this disk
    if since_us is not None:
        q = q.where(Segment.end_us >= since_us)
    if cameras is not None:
        q = q.where(Segment.camera_id.in_(sorted(cameras)))
    with db.session() as s:
        rows = s.execute(q).all()
    known = {r.path for r in rows}
    for r in rows:
        report.rows += 1
        path = root / r.path
        if r.state == SegmentState.DELETING.value:
            p = Problem("pending_deletion", r.path, "deletion interrupted between phases")
            if repair:
                p.fixed = True
                p.action = (
                    "deleted" if retention.complete(r.id, "finished by check") else "kept: held now"
                )
            report.problems.append(p)
            continue
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            p = Problem("missing_file", r.path, "indexed but not on disk")
            if repair:
                if retention.delete(r.id, DeletionRule.REPAIR, "file missing"):
                    p.fixed, p.action = True, "row removed, deletion logged (rule repair)"
                else:
                    p.action = "kept: footage is held; investigate"
            report.problems.append(p)
            continue
        if size != r.size_bytes:
            report.problems.append(
                Problem("size_mismatch", r.path, f"{size} bytes on disk, {r.size_bytes} indexed")
            )
        elif full and _sha256(path) != r.sha256:
            report.problems.append(Problem("hash_mismatch", r.path, "SHA-256 differs from index"))
    for rel in _walk(root, since_us):
        report.files += 1
        if rel in known:
            continue
        if cameras is not None and rel.split("/", 1)[0] not in cameras:
            continue
        if busy and time.time() - (root / rel).stat().st_mtime < BUSY_AGE_S:
            continue  # a writer appends every GOP: an older .part was abandoned
        kind = "interrupted_file" if rel.endswith(PART) else "orphan_file"
        p = Problem(kind, rel, "no index row")
        if repair:
            try:
                p.action = recover_file(root, rel, index)
                p.fixed = True
            except (OSError, ValueError, StorageError, LeaseLost, SQLAlchemyError) as exc:
                p.action = f"could not recover: {exc}"
        report.problems.append(p)
    return report
