"""What ``watchkeeper nodes`` and health show: each node, its leases and its lag.

Ages are measured by the database's clock against the times the nodes wrote with it, so
they are right whatever the clock of the machine asking.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.cluster.leases import db_now_us
from watchkeeper.cluster.models import CameraLease, ClusterNode

__all__ = ["LeaseStatus", "NodeStatus", "cluster_status"]


@dataclass(frozen=True, slots=True)
class LeaseStatus:
    camera_id: str
    node_id: str | None
    generation: int
    expires_in_s: float  # negative: expired


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node_id: str
    host: str
    pid: int
    state: str  # live, stopped, silent (no heartbeat within the lease time: dead or cut off)
    heartbeat_age_s: float
    cameras: list[str]
    streams: int
    db_backlog: int
    disk_level: str
    disk_free_fraction: float | None


def cluster_status(s: Session, lease_s: float) -> tuple[list[NodeStatus], list[LeaseStatus]]:
    now = db_now_us(s)
    lease_rows = list(s.execute(select(CameraLease).order_by(CameraLease.camera_id)).scalars())
    leases = [
        LeaseStatus(
            r.camera_id,
            r.node_id if r.node_id and r.expires_us > now else None,
            r.generation,
            (r.expires_us - now) / 1e6 if r.node_id else 0.0,
        )
        for r in lease_rows
    ]
    nodes = []
    for n in s.execute(select(ClusterNode).order_by(ClusterNode.node_id)).scalars():
        age = (now - n.heartbeat_us) / 1e6
        state = "stopped" if n.stopped_us is not None else ("live" if age <= lease_s else "silent")
        nodes.append(
            NodeStatus(
                n.node_id,
                n.host,
                n.pid,
                state,
                age,
                [x.camera_id for x in leases if x.node_id == n.node_id],
                n.streams,
                n.db_backlog,
                n.disk_level,
                n.disk_free_fraction,
            )
        )
    return nodes, leases
