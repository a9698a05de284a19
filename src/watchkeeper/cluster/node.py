"""A recorder node: holds camera leases in PostgreSQL and records exactly those cameras.

Two threads besides the recorder's own:

- the **lease thread**, every ``renew_s``: heartbeat, renew held leases (a camera not renewed
  is stopped), then balance (claim free or expired leases up to this node's share, release
  the surplus) and start the streams of what it claimed;
- the **deadline watchdog**, which never touches the database: a camera whose lease was last
  renewed (measured from when the renewal was *sent*, on the monotonic clock) more than
  ``lease_s - margin_s`` ago is stopped, so a node cut from the database stops writing before
  the database lets anyone else claim (scale-out.md, invariant 3).

Every segment row passes :func:`leases.fence` in its own transaction (invariant 1).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.cluster import leases
from watchkeeper.cluster.balance import plan_moves, share
from watchkeeper.cluster.config import ClusterConfig
from watchkeeper.cluster.models import CameraLease, ClusterNode

if TYPE_CHECKING:
    from watchkeeper.cluster.events import NodeEvents
from watchkeeper.db.engine import Database
from watchkeeper.errors import ConfigError
from watchkeeper.recording.models import Segment
from watchkeeper.recording.retention import DiskStatus
from watchkeeper.recording.service import RecorderService

__all__ = ["LeaseGate", "RecorderNode", "make_fence"]

log = logging.getLogger(__name__)
US = 1_000_000


class LeaseGate(threading.Event):
    """A stream's stop event that is also set, by itself, once the lease's local deadline
    passes: the stream thread checks it before every packet, so even a process that was
    paused past its lease writes nothing more when it resumes (scale-out.md, invariant 3)."""

    def __init__(self, deadline: float, monotonic: Callable[[], float]) -> None:
        super().__init__()
        self.deadline = deadline
        self._mono = monotonic

    def is_set(self) -> bool:
        return super().is_set() or self._mono() >= self.deadline


def make_fence(node_id: str) -> Callable[[Session, str], tuple[str, int]]:
    """The segment index's fence for this node (``recording.store.Fence``)."""

    def fence(s: Session, camera_id: str) -> tuple[str, int]:
        return node_id, leases.fence(s, node_id, camera_id)

    return fence


class RecorderNode:
    """Runs one node's leases around a started :class:`RecorderService`."""

    def __init__(
        self,
        db: Database,
        service: RecorderService,
        config: ClusterConfig,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if db.dialect != "postgresql":
            raise ConfigError("cluster.enabled needs PostgreSQL (database_url)")
        self.db = db
        self.service = service
        self.config = config
        self.node_id = config.name
        self._mono = monotonic
        self._lease_us = int(config.lease_s * US)
        self._held: dict[str, int] = {}  # camera -> generation
        self._deadline: dict[str, LeaseGate] = {}  # camera -> its streams' stop
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.events: NodeEvents | None = None
        if config.mqtt_host:
            from watchkeeper.cluster.events import NodeEvents
            from watchkeeper.mqtt.client import MqttSettings

            mqtt = MqttSettings(host=config.mqtt_host, port=config.mqtt_port, keepalive_s=10)
            self.events = NodeEvents(self.node_id, mqtt)
        self._published: tuple[object, ...] = ()
        self._disk_cache: tuple[float, DiskStatus] | None = None
        self._next_rows = 0.0

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        with self.db.session() as s:
            now = leases.db_now_us(s)
            values = {
                "node_id": self.node_id,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_us": now,
                "heartbeat_us": now,
                "capacity": self.config.capacity,
                "cameras": 0,
                "streams": 0,
                "db_backlog": 0,
                "disk_level": "ok",
                "stopped_us": None,
            }
            s.execute(
                pg_insert(ClusterNode)
                .values(values)
                .on_conflict_do_update(index_elements=["node_id"], set_=values)
            )
            leases.ensure_lease_rows(s)
        if self.events is not None:
            self.events.start()
        for target, name in ((self._lease_loop, "lease"), (self._watchdog, "lease-watchdog")):
            t = threading.Thread(target=target, name=f"cluster-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        log.info("node %s started (lease %.1f s)", self.node_id, self.config.lease_s)

    def stop(self) -> None:
        """Stop recording, write the last rows under the leases, then give the leases up."""
        self._stop.set()
        for t in self._threads:
            t.join(30)
        self.service.stop()
        with self._lock:
            held = dict(self._held)
        try:
            self._wait_past_last_rows(set(held))
        except SQLAlchemyError:
            pass  # the leases then simply expire
            self._held.clear()
            self._deadline.clear()
        try:
            with self.db.session() as s:
                for cam, gen in held.items():
                    leases.release(s, self.node_id, leases.Lease(cam, gen))
                s.execute(
                    update(ClusterNode)
                    .where(ClusterNode.node_id == self.node_id)
                    .values(stopped_us=leases.DB_NOW_US, cameras=0, streams=0)
                )
        except SQLAlchemyError as exc:
            log.error("node %s: could not release its leases (they expire): %s", self.node_id, exc)
        if self.events is not None:
            for cam, gen in held.items():
                self.events.camera(cam, "released", gen, self.service.clock.now_us())
            self.events.stop(self.service.clock.now_us())

    @property
    def held(self) -> dict[str, int]:
        with self._lock:
            return dict(self._held)

    # -- the lease thread ----------------------------------------------------------------
    def _lease_loop(self) -> None:
        every = self.config.renew_every_s
        while not self._stop.is_set():
            started = self._mono()
            try:
                self._tick(started)
            except SQLAlchemyError as exc:
                log.warning("node %s: lease renewal failed: %s", self.node_id, exc)
            self._stop.wait(max(0.0, every - (self._mono() - started)))

    def _tick(self, sent: float) -> None:
        deadline = sent + self.config.lease_s - self.config.margin_every_s
        with self.db.session() as s:
            renewed = {
                lease.camera_id: lease.generation
                for lease in leases.renew(s, self.node_id, self._lease_us)
            }
            self._report(s)
        with self._lock:
            lost = [c for c in self._held if self._held[c] != renewed.get(c)]
            for cam in renewed:
                if cam in self._deadline:
                    self._deadline[cam].deadline = deadline
        self._drop(lost, "lease lost (not renewed)")
        self._balance()
        self._publish_state()

    def _publish_state(self) -> None:
        if self.events is None:
            return
        status = self._disk()
        now = self.service.clock.now_us()
        cams = sorted(self.held)
        key = (tuple(cams), status.level.value, now // (30 * US))  # on change, or each 30 s
        if key != self._published:
            self._published = key
            self.events.state("live", now, cameras=cams, disk=status.level.value)

    def _disk(self) -> DiskStatus:
        """The disk status, read at most every 10 s (it sums a day of segment rows)."""
        now = self._mono()
        if self._disk_cache is None or now - self._disk_cache[0] >= 10.0:
            self._disk_cache = (now, self.service.retention.disk_status())
        return self._disk_cache[1]

    def _report(self, s: Session) -> None:
        status = self._disk()
        s.execute(
            update(ClusterNode)
            .where(ClusterNode.node_id == self.node_id)
            .values(
                heartbeat_us=leases.DB_NOW_US,
                stopped_us=None,
                cameras=len(self._held),
                streams=len(self.service.health()),
                db_backlog=self.service.db_backlog,
                disk_level=status.level.value,
                disk_free_fraction=status.free_fraction,
            )
        )

    def _balance(self) -> None:
        with self.db.session() as s:
            if self._mono() >= self._next_rows:  # cameras added to the register
                leases.ensure_lease_rows(s)
                self._next_rows = self._mono() + 10.0
            nodes = {n.node_id: n.capacity for n in leases.live_nodes(s, self._lease_us)}
            total = s.execute(
                select(func.count()).select_from(Camera).where(Camera.status == CameraStatus.ACTIVE)
            ).scalar_one()
            claimable = list(
                s.execute(
                    select(CameraLease.camera_id)
                    .join(Camera, Camera.id == CameraLease.camera_id)
                    .where(
                        Camera.status == CameraStatus.ACTIVE,
                        CameraLease.node_id.is_(None) | (CameraLease.expires_us < leases.DB_NOW_US),
                    )
                ).scalars()
            )
        moves = plan_moves(set(self.held), claimable, share(int(total), nodes, self.node_id))
        for cam in moves.release:
            self._release(cam)
        claimed: dict[str, LeaseGate] = {}
        for cam in moves.claim:
            sent = self._mono()
            with self.db.session() as s:
                lease = leases.claim(s, self.node_id, cam, self._lease_us)
            if lease is not None:
                gate = LeaseGate(
                    sent + self.config.lease_s - self.config.margin_every_s, self._mono
                )
                claimed[cam] = gate
                with self._lock:
                    self._held[cam] = lease.generation
                    self._deadline[cam] = gate
                if self.events is not None:
                    self.events.camera(
                        cam, "claimed", lease.generation, self.service.clock.now_us()
                    )
        if claimed:
            plans = [p for p in self.service.plan() if p.key.camera_id in claimed]
            log.info("node %s: claimed %s", self.node_id, ", ".join(sorted(claimed)))
            self.service.start_streams(plans, dict(claimed))

    def _release(self, cam: str) -> None:
        """Hand a camera over: stop it, write its last rows under the lease, then free it."""
        with self._lock:
            gen = self._held.get(cam)
        if gen is None:
            return
        self.service.stop_cameras({cam})
        self.service.wait_written(self.config.lease_s / 2)
        self._wait_past_last_rows({cam})
        with self._lock:
            self._held.pop(cam, None)
            self._deadline.pop(cam, None)
        with self.db.session() as s:
            leases.release(s, self.node_id, leases.Lease(cam, gen))
        log.info("node %s: released %s for balance", self.node_id, cam)
        if self.events is not None:
            self.events.camera(cam, "released", gen, self.service.clock.now_us())

    def _wait_past_last_rows(self, cams: set[str]) -> None:
        """Before handing cameras over, let the wall clock pass the end of their last rows.

        A segment's last frame may be dated a little after it arrived (up to the
        recorder's ``max_ahead_ms`` plus one frame; recording.md, time model), and the next
        node dates its first frame at arrival: waiting out that difference keeps the two
        nodes' rows from overlapping."""
        if not cams:
            return
        with self.db.session() as s:
            last = s.execute(
                select(func.max(Segment.end_us)).where(
                    Segment.camera_id.in_(sorted(cams)), Segment.node_id == self.node_id
                )
            ).scalar()
        if last is not None:
            ahead_s = (int(last) - self.service.clock.now_us()) / US
            if ahead_s > 0:
                time.sleep(min(ahead_s + 0.01, 1.0))

    def _drop(self, cams: list[str], why: str) -> None:
        """Stop cameras whose lease is gone or about to be; never touches the database."""
        with self._lock:
            gone = {c: g for c in cams if (g := self._held.pop(c, None)) is not None}
            for c in gone:
                self._deadline.pop(c, None)
        if self.events is not None:
            for c, g in gone.items():
                self.events.camera(c, "lost", g, self.service.clock.now_us())
        if gone:
            log.warning("node %s: stopping %s: %s", self.node_id, ", ".join(sorted(gone)), why)
            self.service.stop_cameras(set(gone))

    # -- the deadline watchdog -----------------------------------------------------------
    def _watchdog(self) -> None:
        while not self._stop.wait(0.1):
            now = self._mono()
            with self._lock:
                due = [c for c, g in self._deadline.items() if g.deadline <= now]
            self._drop(due, "lease deadline passed without a renewal")
