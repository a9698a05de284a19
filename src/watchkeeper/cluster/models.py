"""Tables of the recorder cluster: nodes and camera leases.

Lease times (``expires_us``, ``heartbeat_us``) are UTC microseconds read from the
*database's* clock (``db_now_us``) and compared only inside the database, so no node's wall
clock decides who may record (scale-out.md, invariant 2).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["CameraLease", "ClusterNode"]


class ClusterNode(Base):
    """A recorder node: its liveness and what it reports about itself."""

    __tablename__ = "cluster_node"
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), comment="Host name the node runs on")
    pid: Mapped[int] = mapped_column(Integer, comment="Process id on that host")
    started_us: Mapped[int] = micros(comment="Database clock when the node (re)started")
    heartbeat_us: Mapped[int] = micros(comment="Database clock at the last renewal")
    capacity: Mapped[float] = mapped_column(Float, default=1.0, comment="Balancing weight")
    cameras: Mapped[int] = mapped_column(Integer, default=0, comment="Leases held")
    streams: Mapped[int] = mapped_column(Integer, default=0, comment="Streams running")
    db_backlog: Mapped[int] = mapped_column(Integer, default=0, comment="Rows queued, unwritten")
    disk_level: Mapped[str] = mapped_column(String(16), default="ok", comment="Disk alarm level")
    disk_free_fraction: Mapped[float | None] = mapped_column(Float, comment="Free / total")
    stopped_us: Mapped[int | None] = micros(nullable=True, comment="Set by a clean stop")
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("disk_level IN ('ok', 'warn', 'alarm', 'critical')", name="disk"),
    )


class CameraLease(Base):
    """Which node records a camera, under which generation, until when (database clock)."""

    __tablename__ = "camera_lease"
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    node_id: Mapped[str | None] = mapped_column(
        ForeignKey("cluster_node.node_id"), comment="NULL: free"
    )
    generation: Mapped[int] = mapped_column(
        BigInteger, default=0, comment="Raised by one at every claim; carried into each row"
    )
    expires_us: Mapped[int] = micros(comment="Database clock; 0 when free")
    acquired_us: Mapped[int] = micros(comment="Database clock at the claim")
    __table_args__ = (CheckConstraint("generation >= 0", name="generation"),)
