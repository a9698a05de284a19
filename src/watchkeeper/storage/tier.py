"""The tier mover: segments older than ``tier_after_hours`` go from local disk to the bucket.

Invariant (scale-out.md, 6): a local file is unlinked only after the object store holds the
same bytes. Per segment: upload (key = the segment's relative path; held footage under
Object Lock in compliance mode until its hold ends), read the object back and compare its
SHA-256 and size with the index, then in one transaction set ``location = 's3'`` (only if
the row is still live and local), then unlink the file and fsync its folder. A crash between
the steps repeats the upload (same key) or, for a row already ``s3``, removes the leftover
file on the next pass.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from watchkeeper.db.engine import Database
from watchkeeper.errors import StorageError
from watchkeeper.recording.holds import holds_covering
from watchkeeper.recording.models import Segment, SegmentState, stored_by
from watchkeeper.recording.paths import fsync_dir
from watchkeeper.storage.config import StorageConfig
from watchkeeper.storage.s3 import ObjectStore
from watchkeeper.timeutil import US_PER_DAY, US_PER_S, Clock

__all__ = ["TierMover", "TierReport"]

log = logging.getLogger(__name__)
BATCH = 100
US_PER_HOUR = 3600 * US_PER_S


@dataclass
class TierReport:
    moved: int = 0
    bytes: int = 0
    locked: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


class TierMover:
    """Moves this recorder's old local segments to the object store."""

    def __init__(
        self,
        db: Database,
        root: Path,
        store: ObjectStore,
        config: StorageConfig,
        clock: Clock,
        node_id: str | None = None,
    ) -> None:
        self.db, self.root, self.store, self.config, self.clock = db, root, store, config, clock
        self._scope = stored_by(node_id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one pass ------------------------------------------------------------------------
    def run_once(self, limit: int | None = None) -> TierReport:
        """Move every segment old enough (up to ``limit``); a failure skips one segment."""
        report = TierReport()
        started = time.monotonic()
        cutoff = self.clock.now_us() - int(self.config.tier_after_hours * US_PER_HOUR)
        self._sweep_leftovers(cutoff - US_PER_DAY)
        failed: set[int] = set()
        while limit is None or report.moved < limit:
            with self.db.session() as s:
                rows = list(
                    s.execute(
                        select(Segment)
                        .where(
                            self._scope,
                            Segment.location == "local",
                            Segment.state == SegmentState.LIVE.value,
                            Segment.end_us <= cutoff,
                            Segment.id.not_in(failed),
                        )
                        .order_by(Segment.end_us)
                        .limit(BATCH)
                    ).scalars()
                )
            if not rows:
                break
            progress = False
            for seg in rows:
                if limit is not None and report.moved >= limit:
                    break
                try:
                    locked = self.move(seg)
                except StorageError as exc:
                    failed.add(seg.id)
                    report.errors.append(str(exc))
                    log.error("tier: %s not moved: %s", seg.path, exc)
                    continue
                progress = True
                report.moved += 1
                report.bytes += seg.size_bytes
                report.locked += int(locked)
            if not progress and len(failed) > 10 * BATCH:
                break  # the store is down: try again next pass
        report.seconds = time.monotonic() - started
        return report

    def move(self, seg: Segment) -> bool:
        """Upload, verify, re-point the row, unlink. Returns whether it was locked."""
        path = self.root / seg.path
        if not path.is_file():
            raise StorageError(f"{seg.path}: local file missing; run check")
        retain = self._retain_until(seg)
        self.store.put_file(seg.path, path, retain)
        digest, size = self.store.sha256(seg.path)
        if digest != seg.sha256 or size != seg.size_bytes:
            raise StorageError(
                f"{seg.path}: the stored object does not match the index "
                f"({size} bytes, SHA-256 {digest[:16]}...); the local file is kept"
            )
        with self.db.session() as s:
            done = s.execute(
                update(Segment)
                .where(
                    Segment.id == seg.id,
                    Segment.location == "local",
                    Segment.state == SegmentState.LIVE.value,
                )
                .values(location="s3")
                .execution_options(synchronize_session=False)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise StorageError(f"{seg.path}: changed while being moved; kept local")
        self._unlink(path)
        return retain is not None

    def _retain_until(self, seg: Segment) -> int | None:
        """Held footage is locked until the latest of its holds ends (or for
        ``hold_lock_days`` from now when a hold has no expiry)."""
        if not self.config.lock_held:
            return None
        now = self.clock.now_us()
        with self.db.session() as s:
            holds = holds_covering(s, seg.camera_id, seg.start_us, seg.end_us, now)
        if not holds:
            return None
        default = now + self.config.hold_lock_days * US_PER_DAY
        return max(h.expires_us or default for h in holds)

    def _unlink(self, path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
            fsync_dir(path.parent)
        except OSError as exc:
            raise StorageError(f"cannot remove the local copy {path.name}: {exc}") from exc

    def _sweep_leftovers(self, since_us: int) -> None:
        """Local files of rows already in the bucket (a crash after the row's change)."""
        with self.db.session() as s:
            paths = list(
                s.execute(
                    select(Segment.path).where(
                        self._scope, Segment.location == "s3", Segment.end_us > since_us
                    )
                ).scalars()
            )
        for rel in paths:
            path = self.root / rel
            if path.is_file():
                self._unlink(path)

    # -- in the recorder process ---------------------------------------------------------
    def start(self) -> None:
        """Run a pass every ``tier_interval_s``; a store that is down only delays moves."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="storage-tier", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(60)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.config.tier_interval_s):
            try:
                self.store.ensure_bucket()
                r = self.run_once()
                if r.moved:
                    log.info("tier: moved %d segments (%d bytes)", r.moved, r.bytes)
            except (StorageError, OSError) as exc:
                log.error("tier pass failed; will retry: %s", exc)
