"""Camera leases in PostgreSQL: claim, renew, release, and the fence every segment row passes.

Every comparison of time happens inside the database with its own clock (``DB_NOW_US``), so
a node's wall clock never decides who records (scale-out.md, invariant 2). A claim raises
the lease's generation by one; the fence reads the lease row ``FOR SHARE`` in the segment
insert's own transaction, so a take-over (an ``UPDATE`` of that row) waits for the insert,
and a row is never written under a generation that has been superseded (invariant 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.cluster.models import CameraLease, ClusterNode
from watchkeeper.errors import LeaseLost

__all__ = [
    "DB_NOW_US",
    "Lease",
    "claim",
    "db_now_us",
    "ensure_lease_rows",
    "fence",
    "live_nodes",
    "release",
    "renew",
]


class _DbNowUs(FunctionElement[int]):
    type = BigInteger()
    inherit_cache = True
    name = "db_now_us"


@compiles(_DbNowUs)
def _db_now_pg(_element: _DbNowUs, _compiler: object, **_kw: object) -> str:
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)"


@compiles(_DbNowUs, "sqlite")
def _db_now_sqlite(_element: _DbNowUs, _compiler: object, **_kw: object) -> str:
    # only for reading node status on a single machine's database (leases need PostgreSQL)
    return "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"


DB_NOW_US = _DbNowUs()
"""The database server's clock as UTC microseconds, evaluated by the database."""


@dataclass(frozen=True, slots=True)
class Lease:
    camera_id: str
    generation: int


def db_now_us(s: Session) -> int:
    return int(s.execute(select(DB_NOW_US)).scalar_one())


def ensure_lease_rows(s: Session) -> None:
    """A free lease row for every active camera that has none."""
    cams = s.execute(select(Camera.id).where(Camera.status == CameraStatus.ACTIVE)).scalars()
    rows = [
        {"camera_id": c, "node_id": None, "generation": 0, "expires_us": 0, "acquired_us": 0}
        for c in cams
    ]
    if rows:
        s.execute(
            pg_insert(CameraLease).values(rows).on_conflict_do_nothing(index_elements=["camera_id"])
        )


def claim(s: Session, node_id: str, camera_id: str, lease_us: int) -> Lease | None:
    """Take a free or expired lease (generation + 1); ``None`` if someone holds it."""
    row = s.execute(
        update(CameraLease)
        .where(
            CameraLease.camera_id == camera_id,
            (CameraLease.node_id.is_(None)) | (CameraLease.expires_us < DB_NOW_US),
        )
        .values(
            node_id=node_id,
            generation=CameraLease.generation + 1,
            expires_us=DB_NOW_US + lease_us,
            acquired_us=DB_NOW_US,
        )
        .returning(CameraLease.generation)
    ).scalar_one_or_none()
    return None if row is None else Lease(camera_id, int(row))


def renew(s: Session, node_id: str, lease_us: int) -> list[Lease]:
    """Extend every unexpired lease this node holds; the ones not returned are lost."""
    rows = s.execute(
        update(CameraLease)
        .where(CameraLease.node_id == node_id, CameraLease.expires_us > DB_NOW_US)
        .values(expires_us=DB_NOW_US + lease_us)
        .returning(CameraLease.camera_id, CameraLease.generation)
    ).all()
    return [Lease(r.camera_id, int(r.generation)) for r in rows]


def release(s: Session, node_id: str, lease: Lease) -> bool:
    """Give a lease up at once (its streams are stopped and their rows written)."""
    done = s.execute(
        update(CameraLease)
        .where(
            CameraLease.camera_id == lease.camera_id,
            CameraLease.node_id == node_id,
            CameraLease.generation == lease.generation,
        )
        .values(node_id=None, expires_us=0)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def fence(s: Session, node_id: str, camera_id: str) -> int:
    """The generation this node holds ``camera_id`` under, locked for this transaction.

    Raises :class:`LeaseLost` when the lease is another node's, free, or expired by the
    database's clock: the caller's row must not be written."""
    gen = s.execute(
        select(CameraLease.generation)
        .where(
            CameraLease.camera_id == camera_id,
            CameraLease.node_id == node_id,
            CameraLease.expires_us > DB_NOW_US,
        )
        .with_for_update(read=True)
    ).scalar_one_or_none()
    if gen is None:
        raise LeaseLost(f"node {node_id} no longer holds the lease of camera {camera_id}")
    return int(gen)


def live_nodes(s: Session, lease_us: int) -> list[ClusterNode]:
    """Nodes that renewed within one lease time and have not stopped (database clock)."""
    return list(
        s.execute(
            select(ClusterNode)
            .where(
                ClusterNode.heartbeat_us > DB_NOW_US - lease_us,
                ClusterNode.stopped_us.is_(None),
            )
            .order_by(ClusterNode.node_id)
        ).scalars()
    )


def lock_timeout(s: Session, ms: int) -> None:
    """Bound how long this transaction waits for a row lock (PostgreSQL)."""
    s.execute(text(f"SET LOCAL lock_timeout = {int(ms)}"))
