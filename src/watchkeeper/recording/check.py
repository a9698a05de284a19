"""Reconcile the index with the files on disk, and repair what can be repaired.

Problems found: a row whose file is missing, a file with no row (``orphan``), an interrupted
``.part`` file, a size or hash mismatch, a deletion left half done. Repair recovers the
complete fragments of interrupted files and indexes orphans, finishes deletions, and removes
rows of missing files (logged, rule ``repair``) unless they are held. A size or hash mismatch
is reported and never "fixed": it may be evidence that a file was altered.

Tiered segments (``location = 's3'``, scale-out.md) are checked the same way against the
bucket: existence and size by HEAD, and with ``full`` the object is read back and hashed. A
missing object is repaired like a missing file (row removed, deletion logged with rule
``repair``) unless the footage is held or earlier versions of the object remain in the bucket
(a delete marker over them: a person can restore one). Check never deletes an object itself
apart from finishing a deletion already marked, and the store refuses that for an object under
Object Lock: the row is then kept and reported.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # boto3 is loaded only where a bucket is configured
    from watchkeeper.storage.s3 import ObjectStore

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
    store: ObjectStore | None = None,
    tiered: bool = False,
) -> CheckReport:
    """Compare rows and files. ``full`` hashes every file; ``repair`` fixes what it can.

    ``cameras`` limits the check to those cameras. ``busy`` says a recorder is writing (found
    from the folder lock when not given): then files changed in the last ``BUSY_AGE_S`` are
    left alone, as they may be being written or about to be indexed. ``tiered`` checks the
    tiered segments too, against ``store`` (without one they are reported unchecked); the
    recorder's startup check leaves them out, as it reads only this disk.
    """
    report = CheckReport()
    if busy is None:
        busy = recorder_running(root)
    retention = Retention(db, root, RecorderConfig(), clock, node_id=node_id)
    index = index or SegmentIndex(db, clock)
    q = select(
        Segment.id, Segment.path, Segment.size_bytes, Segment.sha256, Segment.state,
        Segment.location,
    )  # fmt: skip
    q = q.where(stored_by(node_id))
    if since_us is not None:
        q = q.where(Segment.end_us >= since_us)
    if cameras is not None:
        q = q.where(Segment.camera_id.in_(sorted(cameras)))
    with db.session() as s:
        everything = s.execute(q).all()
    known = {r.path for r in everything}  # a tiered row's leftover file is the tier's to sweep
    rows = [r for r in everything if r.location == "local"]
    in_bucket = [r for r in everything if r.location == "s3"]
    if tiered and in_bucket:
        report.rows += len(in_bucket)
        _check_tiered(report, in_bucket, store, db, root, clock, node_id, full, repair)
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


def _check_tiered(
    report: CheckReport,
    rows: list[Any],
    store: ObjectStore | None,
    db: Database,
    root: Path,
    clock: Clock,
    node_id: str | None,
    full: bool,
    repair: bool,
) -> None:
    """HEAD (and with ``full`` read and hash) every tiered segment's object."""
    if store is None:
        report.problems.append(
            Problem(
                "tier_unchecked",
                "(object store)",
                f"{len(rows)} tiered segments; no bucket configured",
            )
        )
        return
    finish = Retention(
        db, root, RecorderConfig(), clock, node_id=node_id, remove_object=store.delete
    )
    # a missing object has nothing left to delete: the row goes, the bucket is not touched
    forget = Retention(db, root, RecorderConfig(), clock, node_id=node_id, remove_object=_leave)
    for n, r in enumerate(rows):
        where = f"s3:{r.path}"
        try:
            if r.state == SegmentState.DELETING.value:
                p = Problem("pending_deletion", where, "deletion interrupted between phases")
                if repair:
                    try:
                        gone = finish.complete(r.id, "finished by check")
                        p.fixed, p.action = True, "deleted" if gone else "kept: held now"
                    except StorageError as exc:  # ObjectLocked: the store refuses
                        p.action = f"kept: {exc}"
                report.problems.append(p)
                continue
            size = store.size_of(r.path)
            if size is None:
                report.problems.append(_missing_object(r, where, store, forget, repair))
            elif size != r.size_bytes:
                report.problems.append(
                    Problem(
                        "size_mismatch",
                        where,
                        f"{size} bytes in the bucket, {r.size_bytes} indexed",
                    )
                )
            elif full and store.sha256(r.path)[0] != r.sha256:
                report.problems.append(
                    Problem("hash_mismatch", where, "SHA-256 of the object differs from index")
                )
        except StorageError as exc:  # the store is down: one problem, not one per row
            report.problems.append(
                Problem(
                    "tier_unchecked", where, f"{len(rows) - n} tiered segments not checked: {exc}"
                )
            )
            return


def _missing_object(
    r: Any, where: str, store: ObjectStore, forget: Retention, repair: bool
) -> Problem:
    earlier = store.earlier_versions(r.path)
    if earlier:
        return Problem(
            "missing_object", where,
            f"not in the bucket, but {earlier} earlier version(s) are kept behind a delete "
            "marker; restore one, check does not",
        )  # fmt: skip
    p = Problem("missing_object", where, "indexed but not in the bucket")
    if repair:
        if forget.delete(r.id, DeletionRule.REPAIR, "object missing"):
            p.fixed, p.action = True, "row removed, deletion logged (rule repair)"
        else:
            p.action = "kept: footage is held; investigate"
    return p


def _leave(key: str) -> None:
    """The object is already gone (see ``_missing_object``)."""
