"""The recorder's database writes: init segments (deduplicated), segment rows, stream events.

A segment row is added only by :meth:`SegmentIndex.add`, which the writer calls after the file
is durable (invariant 2). Each call is its own short transaction, so one camera's insert never
waits on another's file I/O.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from watchkeeper.db.engine import Database
from watchkeeper.errors import StorageError
from watchkeeper.recording.fmp4 import parse_init
from watchkeeper.recording.models import InitSegment, Segment, StreamEvent, StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.timeutil import Clock

__all__ = ["EventLog", "Fence", "FinishedSegment", "OfflineHook", "SegmentIndex"]


@dataclass(frozen=True, slots=True)
class FinishedSegment:
    """Everything the index row needs, known once the file is durable."""

    key: StreamKey
    start_us: int
    end_us: int
    media_duration_us: int
    run_start_us: int
    discontinuity: bool
    frames: int
    size_bytes: int
    sha256: str
    init: bytes
    relpath: str
    fragment_index: bytes
    clock_offset_us: int | None = None
    recovered: bool = False


Fence = Callable[[Session, str], tuple[str, int]]
"""``fence(session, camera_id)`` → (node id, lease generation) to write the row under, or
raises ``LeaseLost`` (recorder nodes, ``cluster/``); runs in the row's own transaction."""


class SegmentIndex:
    """Adds segment rows, sharing one init row per distinct codec configuration."""

    def __init__(self, db: Database, clock: Clock, fence: Fence | None = None) -> None:
        self._db = db
        self._clock = clock
        self._fence = fence
        self._init_ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def init_id(self, init: bytes) -> int:
        digest = hashlib.sha256(init).hexdigest()
        with self._lock:
            cached = self._init_ids.get(digest)
        if cached is not None:
            return cached
        info = parse_init(init)
        for _ in range(2):
            with self._db.session() as s:
                found = s.execute(
                    select(InitSegment.id).where(InitSegment.sha256 == digest)
                ).scalar_one_or_none()
            if found is not None:
                break
            try:
                with self._db.session() as s:
                    row = InitSegment(
                        sha256=digest,
                        codec=info.codec,
                        width=info.width,
                        height=info.height,
                        timescale=info.timescale,
                        data=init,
                        created_us=self._clock.now_us(),
                    )
                    s.add(row)
                    s.flush()
                    found = row.id
                break
            except IntegrityError:
                continue  # another stream stored the same configuration first
        if found is None:
            raise StorageError("could not store init segment")
        with self._lock:
            self._init_ids[digest] = found
        return found

    def add(self, seg: FinishedSegment) -> int:
        """Insert the row for a durable file; returns its id."""
        try:
            init_id = self.init_id(seg.init)
            with self._db.session() as s:
                node_id, generation = (
                    self._fence(s, seg.key.camera_id) if self._fence else (None, None)
                )
                row = Segment(
                    node_id=node_id,
                    lease_generation=generation,
                    camera_id=seg.key.camera_id,
                    stream=seg.key.stream,
                    start_us=seg.start_us,
                    end_us=seg.end_us,
                    media_duration_us=seg.media_duration_us,
                    run_start_us=seg.run_start_us,
                    discontinuity=seg.discontinuity,
                    frames=seg.frames,
                    size_bytes=seg.size_bytes,
                    sha256=seg.sha256,
                    init_id=init_id,
                    path=seg.relpath,
                    fragment_index=seg.fragment_index,
                    clock_offset_us=seg.clock_offset_us,
                    recovered=seg.recovered,
                    state="live",
                    created_us=self._clock.now_us(),
                )
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError as exc:
            # Indexed already: the row was queued while the database was away and the
            # housekeeping check found the durable file first. The same file is done.
            with self._db.session() as s:
                found = s.execute(
                    select(Segment.id).where(
                        Segment.camera_id == seg.key.camera_id,
                        Segment.stream == seg.key.stream,
                        Segment.start_us == seg.start_us,
                        Segment.path == seg.relpath,
                    )
                ).scalar_one_or_none()
            if found is None:
                raise StorageError(f"could not index {seg.relpath}: {exc}") from exc
            return found
        except SQLAlchemyError as exc:
            raise StorageError(f"could not index {seg.relpath}: {exc}") from exc


OfflineHook = Callable[[Session, str, int, str], object]
"""Called as ``hook(session, camera_id, at_us, reason)`` when a camera goes offline."""


class EventLog:
    """Writes stream state changes; the gap report explains gaps from them.

    ``on_offline`` (the fault log's hook, injected by the composition root) runs in the
    same transaction when a camera's main stream goes offline, so the event and the
    fault it opens are written together or not at all.
    """

    def __init__(self, db: Database, on_offline: OfflineHook | None = None) -> None:
        self._db = db
        self._on_offline = on_offline
        self.listeners: list[Callable[[StreamKey, StreamState], None]] = []
        """Told after each change is committed (from the stream's thread; must not block)."""

    def __call__(self, key: StreamKey, state: StreamState, at_us: int, reason: str) -> None:
        try:
            with self._db.session() as s:
                s.add(
                    StreamEvent(
                        camera_id=key.camera_id,
                        stream=key.stream,
                        at_us=at_us,
                        state=state.value,
                        reason=reason[:2000],
                    )
                )
                if self._on_offline and state is StreamState.OFFLINE and key.stream == "main":
                    self._on_offline(s, key.camera_id, at_us, reason)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not record stream event for {key}: {exc}") from exc
        for listener in list(self.listeners):
            listener(key, state)
