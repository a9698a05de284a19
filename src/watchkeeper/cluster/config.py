"""Settings of a recorder node (the site file's ``cluster:`` section). Off by default."""

from __future__ import annotations

import re
import socket

from pydantic import BaseModel, ConfigDict, Field, model_validator

from watchkeeper.cameras.schemas import ID_PATTERN

__all__ = ["ClusterConfig"]


class ClusterConfig(BaseModel):
    """How a recorder node shares cameras with others through PostgreSQL leases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        False, description="Record as one node of several sharing PostgreSQL (needs PostgreSQL)"
    )
    node_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        max_length=64,
        description="This node's name, unique among the nodes (default: the host name)",
    )
    lease_s: float = Field(
        10.0, ge=1.0, le=300.0, description="Lease time: a dead node's cameras move after this"
    )
    renew_s: float | None = Field(
        None, gt=0.0, description="Renew and rebalance this often (default lease_s / 3, <= 1 s)"
    )
    margin_s: float | None = Field(
        None,
        gt=0.0,
        description="Stop writing this long before the lease could end (default lease_s / 4)",
    )
    capacity: float = Field(
        1.0, gt=0.0, le=1000.0, description="Balancing weight: share of cameras against others"
    )

    mqtt_host: str | None = Field(
        None, description="Broker for node and lease events (watchkeeper/node/<node>/...)"
    )
    mqtt_port: int = Field(1883, ge=1, le=65535, description="Broker port")

    @property
    def name(self) -> str:
        """``node_id``, or the host name made into one (read only when the cluster is on)."""
        if self.node_id:
            return self.node_id
        host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname()).strip("-.") or "node"
        return host[:64]

    @property
    def renew_every_s(self) -> float:
        return self.renew_s if self.renew_s is not None else min(self.lease_s / 3, 1.0)

    @property
    def margin_every_s(self) -> float:
        return self.margin_s if self.margin_s is not None else self.lease_s / 4

    @model_validator(mode="after")
    def _bounded(self) -> ClusterConfig:
        if self.renew_every_s + self.margin_every_s >= self.lease_s:
            raise ValueError("renew_s + margin_s must be less than lease_s")
        return self
