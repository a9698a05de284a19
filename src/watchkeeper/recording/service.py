"""The recorder as a service: one supervisor thread per stream plus housekeeping.

``RecorderService`` is built by a composition root (CLI ``record``, ``serve``, ``demo``) with
the database, a recordings folder, a config, a clock and an opener, and started/stopped
explicitly. On start it first repairs what a crash may have left (interrupted files, half-done
deletions), then starts the streams of the active cameras in its shard.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import select

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.db.engine import Database
from watchkeeper.errors import Conflict, NotFound, StorageError
from watchkeeper.recording.check import CheckReport, check
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.dbwriter import DbWriter
from watchkeeper.recording.ingest import Opener, rtsp_opener
from watchkeeper.recording.models import StreamState
from watchkeeper.recording.paths import RecorderLock, StreamKey
from watchkeeper.recording.retention import DiskUsage, Retention, system_disk_usage
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.store import EventLog, FinishedSegment, OfflineHook, SegmentIndex
from watchkeeper.recording.supervisor import Health, StreamSupervisor
from watchkeeper.timeutil import US_PER_DAY, Clock, SystemClock

__all__ = ["RecorderService", "StreamPlan", "in_shard", "recordings_root"]

log = logging.getLogger(__name__)


def recordings_root(data_dir: Path) -> Path:
    return data_dir / "recordings"


def in_shard(camera_id: str, shard_index: int, shard_count: int) -> bool:
    """Stable assignment of cameras to recorder processes."""
    return zlib.crc32(camera_id.encode()) % shard_count == shard_index


@dataclass(frozen=True, slots=True)
class StreamPlan:
    key: StreamKey
    url: str
    transport: str = "tcp"  # the register's rtsp_transport: tcp, udp or auto


class RecorderService:
    """Records every planned stream until :meth:`stop`."""

    def __init__(
        self,
        db: Database,
        root: Path,
        config: RecorderConfig | None = None,
        clock: Clock | None = None,
        opener: Opener | None = None,
        disk_usage: Callable[[Path], DiskUsage] = system_disk_usage,
        on_offline: OfflineHook | None = None,
        before_purge: Callable[[], bool] | None = None,
    ) -> None:
        self.db = db
        self.root = root
        self.config = config or RecorderConfig()
        self.clock = clock or SystemClock()
        self._opener = opener  # None: RTSP, each camera with its own transport
        self.retention = Retention(db, root, self.config, self.clock, disk_usage)
        self._index = SegmentIndex(db, self.clock)
        self._events = EventLog(db, on_offline)
        self._before_purge = before_purge
        """Run before each retention purge (open incidents' holds extended); ``False``
        means it failed, and the purge waits for the next round rather than risk a hold
        it should have extended."""
        self._db_writer = DbWriter()
        """Segment rows and state events, written off the stream threads (dbwriter.py)."""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._supervisors: dict[StreamKey, StreamSupervisor] = {}
        self.startup_report: CheckReport | None = None
        self._lock: RecorderLock | None = None

    def on_state_change(
        self, listener: Callable[[StreamKey, StreamState], None]
    ) -> Callable[[], None]:
        """Call ``listener`` after each stream state change is recorded; returns the undo.

        It runs on the recorder's database thread, so it must only schedule (live alerts
        use ``loop.call_soon_threadsafe``).
        """
        self._events.listeners.append(listener)
        return lambda: self._events.listeners.remove(listener)

    def plan(self) -> list[StreamPlan]:
        """The streams to record: active cameras in this shard with a URL."""
        with self.db.session() as s:
            cams = (
                s.execute(
                    select(Camera).where(Camera.status == CameraStatus.ACTIVE).order_by(Camera.id)
                )
                .scalars()
                .all()
            )
        plans = []
        for cam in cams:
            if not in_shard(cam.id, self.config.shard_index, self.config.shard_count):
                continue
            transport = cam.rtsp_transport.value
            if cam.main_url:
                plans.append(StreamPlan(StreamKey(cam.id, "main"), cam.main_url, transport))
            if self.config.record_sub and cam.sub_url:
                plans.append(StreamPlan(StreamKey(cam.id, "sub"), cam.sub_url, transport))
        return plans

    def start(self, plans: list[StreamPlan] | None = None) -> None:
        if self._threads:
            raise Conflict("the recorder is running already")
        self.root.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        plans = self.plan() if plans is None else plans
        own = {p.key.camera_id for p in plans}
        self.startup_report = self._recover(own, "startup check")
        self._lock = RecorderLock(self.root)
        self.retention.finish_pending()
        self._db_writer.start()
        for plan in plans:
            self._start_stream(plan)
        t = threading.Thread(target=self._housekeeping, name="recorder-housekeeping", daemon=True)
        t.start()
        self._threads.append(t)

    def _recover(self, cameras: set[str], when: str, busy: bool = False) -> CheckReport:
        """Index or remove the files these cameras left. Not ``busy``: none of their
        streams runs, so their ``.part`` files are repaired too."""
        report = check(
            self.db,
            self.root,
            self.clock,
            repair=True,
            since_us=self.clock.now_us() - US_PER_DAY,
            cameras=cameras,
            busy=busy,
        )
        for p in report.problems:
            log.warning("%s: %s", when, p)
        return report

    def _start_stream(self, plan: StreamPlan) -> None:
        holder: dict[str, StreamSupervisor] = {}
        writer = SegmentWriter(
            self.root,
            plan.key,
            self.config,
            self._queue_index,
            lambda: holder["s"].clock_offset_us if "s" in holder else None,
            make_room=self.retention.make_room,
        )
        opener = self._opener or rtsp_opener(
            self.config.open_timeout_s, self.config.stall_seconds, plan.transport
        )
        sup = StreamSupervisor(
            plan.key, plan.url, opener, writer, self._queue_event, self.config, self.clock
        )
        holder["s"] = sup
        self._supervisors[plan.key] = sup
        t = threading.Thread(
            target=sup.run, args=(self._stop,), name=f"rec-{plan.key}", daemon=True
        )
        t.start()
        self._threads.append(t)

    def _queue_index(self, seg: FinishedSegment) -> None:
        self._db_writer.submit(f"index {seg.relpath}", partial(self._index.add, seg))

    def _queue_event(self, key: StreamKey, state: StreamState, at_us: int, reason: str) -> None:
        self._db_writer.submit(
            f"{key} {state.value} event", partial(self._events, key, state, at_us, reason)
        )

    def _housekeeping(self) -> None:
        next_purge = 0.0
        while not self._stop.is_set():
            try:
                self.retention.relieve_pressure()
                if self.clock.monotonic() >= next_purge and (
                    self._before_purge is None or self._before_purge()
                ):
                    n = self.retention.purge_expired()
                    if n:
                        log.info("retention: deleted %d segments", n)
                    # files a failed write left behind are indexed now (open ones are not)
                    self._recover({k.camera_id for k in self._supervisors}, "check", busy=True)
                    next_purge = self.clock.monotonic() + self.config.purge_interval_s
            except StorageError:
                log.exception("housekeeping failed; will retry")
            self._stop.wait(self.config.disk_check_interval_s)

    def stop(self, timeout: float = 15.0) -> int:
        """Stop every stream; each finishes and indexes its open segment. Returns how many
        streams had a segment open to finish.

        Then every file our stopped streams left (a ``.part`` a failed write could not
        salvage, an ``.mp4`` the database refused) is indexed or removed, so a clean stop
        leaves ``check`` clean. A stream whose thread did not stop in time is left alone.
        """
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        busy = {t.name.removeprefix("rec-").split("/")[0] for t in self._threads if t.is_alive()}
        own = {k.camera_id for k in self._supervisors} - busy
        finished = sum(s.finished_at_stop for s in self._supervisors.values())
        self._db_writer.stop()  # the streams' last rows and events, before the check
        self._threads.clear()
        self._supervisors.clear()
        if own:
            try:
                self._recover(own, "stop")
            except StorageError:
                log.exception("stop: could not index what the streams left")
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        return finished

    @property
    def running(self) -> bool:
        return bool(self._threads)

    def supervisor(self, camera_id: str, stream: str = "main") -> StreamSupervisor:
        """For live view and analytics: ``supervisor(...).fanout.subscribe()``."""
        sup = self._supervisors.get(StreamKey(camera_id, stream))
        if sup is None:
            raise NotFound(f"{camera_id}/{stream} is not being recorded here")
        return sup

    def set_clock_offset(self, camera_id: str, offset_us: int | None) -> None:
        """Camera clock minus server clock (from ONVIF), stored on new segments."""
        for key, sup in self._supervisors.items():
            if key.camera_id == camera_id:
                sup.clock_offset_us = offset_us

    def health(self) -> dict[str, Health]:
        return {str(k): s.health() for k, s in self._supervisors.items()}
