"""Start a recorder node in this process: the composition of recorder, fence and leases."""

from __future__ import annotations

from functools import partial

from watchkeeper.cluster.node import RecorderNode, make_fence
from watchkeeper.errors import ConfigError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.service import RecorderService
from watchkeeper.records.faults import camera_offline
from watchkeeper.system import System, keep_incident_holds

__all__ = ["start_node"]


def start_node(system: System, config: RecorderConfig | None = None) -> RecorderNode:
    """Record the cameras this node wins leases for, until ``node.stop()``."""
    cluster = system.settings.cluster
    if system.db.dialect != "postgresql":
        raise ConfigError("cluster.enabled needs PostgreSQL: set database_url")
    config = config or system.settings.recorder
    if config.shard_count != 1:
        raise ConfigError("a recorder node takes its cameras by lease, not by shard")
    service = RecorderService(
        system.db,
        system.playback.root,
        config,
        system.clock,
        on_offline=camera_offline,
        before_purge=partial(keep_incident_holds, system),
        node_id=cluster.name,
        fence=make_fence(cluster.name),
        remove_object=system.playback.files.remove_object,
    )
    service.start(plans=[])  # streams start as leases are won
    system.recorder = service
    node = RecorderNode(system.db, service, cluster)
    try:
        node.start()
    except BaseException:
        service.stop()
        raise
    return node
