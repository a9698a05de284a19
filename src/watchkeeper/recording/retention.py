"""Retention purge, two-phase deletion, and disk-pressure relief (invariants 3 and 4).

Nothing here deletes footage under a hold. Every deletion leaves a ``recording_deletion`` row
with its rule; disk pressure raises an alarm before it deletes anything, and audits it when
it must. Disk usage is read through an injected function, so tests can fake a full disk.
"""

from __future__ import annotations

import enum
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import BigInteger, cast, func, literal, select, update

from watchkeeper.audit.service import Actor, record
from watchkeeper.cameras.models import Camera
from watchkeeper.db.engine import Database
from watchkeeper.errors import StorageError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.holds import lock_cameras, segment_is_held
from watchkeeper.recording.models import DeletionRule, RecordingDeletion, Segment, SegmentState
from watchkeeper.recording.paths import fsync_dir
from watchkeeper.timeutil import US_PER_DAY, US_PER_S, Clock

__all__ = ["DiskLevel", "DiskStatus", "DiskUsage", "Retention", "system_disk_usage"]

log = logging.getLogger(__name__)
BATCH = 200
MIN_RATE_WINDOW_US = 60 * US_PER_S  # a recording rate measured over less is not yet known


@dataclass(frozen=True, slots=True)
class DiskUsage:
    total: int
    used: int
    free: int


def system_disk_usage(path: Path) -> DiskUsage:
    u = shutil.disk_usage(path)
    return DiskUsage(u.total, u.used, u.free)


class DiskLevel(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    ALARM = "alarm"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class DiskStatus:
    level: DiskLevel
    usage: DiskUsage
    free_fraction: float
    bytes_per_day: int
    days_left: float | None
    message: str
    deleted: list[int] = field(default_factory=list)


def _duration(days: float) -> str:
    if days >= 1:
        return f"{days:.1f} days"
    if days * 24 >= 1:
        return f"{days * 24:.1f} hours"
    return f"{days * 24 * 60:.0f} minutes"


class Retention:
    """Deletes what the rules allow, and only that."""

    def __init__(
        self,
        db: Database,
        root: Path,
        config: RecorderConfig,
        clock: Clock,
        disk_usage: Callable[[Path], DiskUsage] = system_disk_usage,
    ) -> None:
        self._db = db
        self._root = root
        self._cfg = config
        self._clock = clock
        self._usage = disk_usage
        self._last_level = DiskLevel.OK
        self._room_lock = threading.Lock()  # writers at a full disk make room one at a time
        self._rate: tuple[float, int] | None = None  # (monotonic time, bytes a day) last read

    # -- two-phase deletion -----------------------------------------------------------------
    def _mark(self, seg_id: int, rule: DeletionRule) -> bool:
        now = self._clock.now_us()
        with self._db.session() as s:
            done = s.execute(
                update(Segment)
                .where(
                    Segment.id == seg_id,
                    Segment.state == SegmentState.LIVE.value,
                    ~segment_is_held(now),
                )
                .values(
                    state=SegmentState.DELETING.value, delete_rule=rule.value, delete_marked_us=now
                )
                .execution_options(synchronize_session=False)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def complete(self, seg_id: int, detail: str = "") -> bool:
        """Phase 2 for a row marked ``deleting``: re-check holds, unlink, log, remove row."""
        now = self._clock.now_us()
        with self._db.session() as s:
            seg = s.get(Segment, seg_id)
            if seg is None or seg.state != SegmentState.DELETING.value:
                return False
            s.execute(
                update(Segment)
                .where(Segment.id == seg_id)
                .values(delete_marked_us=now)
                .execution_options(synchronize_session=False)
            )  # take the write lock
            lock_cameras(s, seg.camera_id)
            held = s.execute(
                select(Segment.id).where(Segment.id == seg_id, segment_is_held(now))
            ).first()
            if held is not None:
                seg.state, seg.delete_rule, seg.delete_marked_us = "live", None, None
                log.warning("segment %s is held now; not deleted", seg.path)
                return False
            path = self._root / seg.path
            try:
                path.unlink(missing_ok=True)
                if path.parent.exists():
                    fsync_dir(path.parent)
            except OSError as exc:
                raise StorageError(f"cannot delete {seg.path}: {exc}") from exc
            s.add(
                RecordingDeletion(
                    segment_id=seg.id,
                    camera_id=seg.camera_id,
                    stream=seg.stream,
                    start_us=seg.start_us,
                    end_us=seg.end_us,
                    size_bytes=seg.size_bytes,
                    sha256=seg.sha256,
                    path=seg.path,
                    rule=seg.delete_rule or "repair",
                    detail=detail,
                    at_us=now,
                )
            )
            s.delete(seg)
        return True

    def delete(self, seg_id: int, rule: DeletionRule, detail: str = "") -> bool:
        """Delete one unheld segment, two-phase. ``False`` if held or already gone."""
        return self._mark(seg_id, rule) and self.complete(seg_id, detail)

    def finish_pending(self) -> int:
        """Startup: complete deletions a crash interrupted between the two phases."""
        with self._db.session() as s:
            ids = list(
                s.execute(
                    select(Segment.id).where(Segment.state == SegmentState.DELETING.value)
                ).scalars()
            )
        return sum(self.complete(i, "completed after restart") for i in ids)

    # -- retention ----------------------------------------------------------------------------
    def purge_expired(self) -> int:
        """Delete segments older than their camera's retention that no hold covers."""
        now = self._clock.now_us()
        deleted = 0
        while True:
            with self._db.session() as s:
                ids = list(
                    s.execute(
                        select(Segment.id)
                        .join(Camera, Camera.id == Segment.camera_id)
                        .where(
                            Segment.state == SegmentState.LIVE.value,
                            Segment.end_us
                            <= literal(now, BigInteger)
                            - cast(Camera.retention_days, BigInteger)
                            * literal(US_PER_DAY, BigInteger),
                            ~segment_is_held(now),
                        )
                        .order_by(Segment.end_us)
                        .limit(BATCH)
                    ).scalars()
                )
            if not ids:
                return deleted
            n = sum(self.delete(i, DeletionRule.RETENTION, "older than retention") for i in ids)
            deleted += n
            if n == 0:
                return deleted

    # -- disk pressure ------------------------------------------------------------------------
    def disk_status(self, rate_age_s: float = 0.0) -> DiskStatus:
        """Free space read now; the recording rate read now, or reused if it was read
        less than ``rate_age_s`` ago (pages pass a minute: the rate over a day moves slowly,
        and reading it sums a day of the index)."""
        usage = self._usage(self._root)
        fraction = usage.free / usage.total if usage.total else 0.0
        rate = self._rate
        if rate is not None and self._clock.monotonic() - rate[0] < rate_age_s:
            per_day = rate[1]
        else:
            per_day = self.bytes_per_day()
        days = usage.free / per_day if per_day else None
        if self._short(usage):
            level = DiskLevel.CRITICAL
        elif fraction < self._cfg.alarm_free_fraction:
            level = DiskLevel.ALARM
        elif fraction < self._cfg.warn_free_fraction:
            level = DiskLevel.WARN
        else:
            level = DiskLevel.OK
        left = (
            "time to full not known yet (too little recorded in the last day)"
            if days is None
            else f"about {_duration(days)} of recording left"
        )
        msg = f"disk {level.value}: {fraction:.1%} free, {left}"
        return DiskStatus(level, usage, fraction, per_day, days, msg)

    def _short(self, u: DiskUsage) -> bool:
        """Below the reserve: critical free fraction, or ``reserve_free_bytes`` if more."""
        return u.free < max(
            self._cfg.reserve_free_bytes, self._cfg.critical_free_fraction * u.total
        )

    def _enough(self, u: DiskUsage) -> bool:
        """Deleting for space stops here: back at the alarm fraction and the reserve."""
        return u.free >= max(self._cfg.reserve_free_bytes, self._cfg.alarm_free_fraction * u.total)

    def bytes_per_day(self) -> int:
        """The recording rate over the last day, or over as much of it as was recorded.

        Bytes of the segments that ended in the window divided by the time they span, so a
        recorder that has run for minutes projects from minutes, not from a day. Zero while
        less than a minute has been recorded (not yet known).
        """
        now = self._clock.now_us()
        with self._db.session() as s:
            total, first = s.execute(
                select(
                    func.coalesce(func.sum(Segment.size_bytes), 0), func.min(Segment.start_us)
                ).where(Segment.end_us > now - US_PER_DAY, Segment.end_us <= now)
            ).one()
        window = 0 if first is None else min(US_PER_DAY, now - max(int(first), now - US_PER_DAY))
        rate = (
            int(int(total) * US_PER_DAY // window) if total and window >= MIN_RATE_WINDOW_US else 0
        )
        self._rate = (self._clock.monotonic(), rate)
        return rate

    def make_room(self, urgent: bool = False) -> bool:
        """Keep ``reserve_free_bytes`` free: delete the oldest unheld footage if less is.

        Writers call this before each new segment and, ``urgent``, when a write fails for a
        full disk (then at least one segment goes, whatever the figures say). ``True`` if
        anything was deleted, so the writer may try again.
        """
        with self._room_lock:
            usage = self._usage(self._root)
            if not urgent and not self._short(usage):
                return False
            why = "disk full" if urgent else "free space below the reserve"
            message = f"{why}: {usage.free} bytes free of {usage.total}"
            deleted, freed = self._delete_oldest(message, self._enough, at_least_one=urgent)
            if deleted or urgent:
                self._audit(
                    "recording.disk_pressure_delete",
                    f"disk pressure: deleted {len(deleted)} oldest unheld segments "
                    f"({freed} bytes) at once; {message}",
                    {"segments": len(deleted), "bytes": freed, "urgent": urgent},
                )
            return bool(deleted)

    def _delete_oldest(
        self, message: str, enough: Callable[[DiskUsage], bool], at_least_one: bool = False
    ) -> tuple[list[int], int]:
        """Delete the oldest unheld segments (rule disk_pressure) until ``enough``."""
        deleted: list[int] = []
        freed = 0
        while True:
            now = self._clock.now_us()
            with self._db.session() as s:
                rows = s.execute(
                    select(Segment.id, Segment.size_bytes)
                    .where(Segment.state == SegmentState.LIVE.value, ~segment_is_held(now))
                    .order_by(Segment.start_us)
                    .limit(20)
                ).all()
            if not rows:
                return deleted, freed
            progress = False
            for seg_id, size in rows:
                if self.delete(seg_id, DeletionRule.DISK_PRESSURE, message):
                    deleted.append(seg_id)
                    freed += size
                    progress = True
                if (deleted or not at_least_one) and enough(self._usage(self._root)):
                    return deleted, freed
            if not progress:
                return deleted, freed

    def relieve_pressure(self) -> DiskStatus:
        """Alarm on a level change; when critical, delete the oldest unheld footage."""
        status = self.disk_status()
        if status.level is not self._last_level:
            self._audit("recording.disk_level", status.message, {"level": status.level.value})
            self._last_level = status.level
        if status.level is not DiskLevel.CRITICAL:
            return status
        log.error("%s: deleting oldest unheld footage", status.message)
        with self._room_lock:
            deleted, freed = self._delete_oldest(status.message, self._enough)
        status = self.disk_status()
        held_only = status.free_fraction < self._cfg.alarm_free_fraction
        msg = (
            f"disk pressure: deleted {len(deleted)} oldest unheld segments "
            f"({freed} bytes); {status.message}"
            + ("; everything left is held or recording" if held_only else "")
        )
        self._audit(
            "recording.disk_pressure_delete",
            msg,
            {"segments": len(deleted), "bytes": freed, "held_only": held_only},
        )
        return DiskStatus(
            status.level,
            status.usage,
            status.free_fraction,
            status.bytes_per_day,
            status.days_left,
            msg,
            deleted,
        )

    def _audit(self, action: str, message: str, details: dict[str, object]) -> None:
        log.warning(message)
        with self._db.session() as s:
            record(
                s,
                Actor.system("recorder"),
                action,
                "recording_disk",
                str(self._root.name),
                message,
                details,
                clock=self._clock,
            )
