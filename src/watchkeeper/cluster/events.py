"""A recorder node's events over MQTT: its state and the cameras it takes and gives up.

Topics (``mqtt.topics.Topics.node``; the table in analytics.md, "MQTT topics"):

- ``<prefix>/node/<node>/state`` (retained): ``{"state": "live", "cameras": [...],
  "disk": "ok", "at_us": ...}``; ``"stopped"`` after a clean stop; ``"silent"`` is the
  connection's last will, so the broker itself announces a node killed or cut off.
- ``<prefix>/node/<node>/camera``: ``{"camera_id", "event": "claimed" | "released" |
  "lost", "generation", "at_us"}`` for each lease change.

The same client as analytics (``mqtt.client.MqttLink``, paho-mqtt): publishing never blocks
the caller (a bounded outbox, oldest dropped and counted), the link reconnects with back-off
and, after a reconnection, publishes the last state again (the will has said ``silent`` in
between). The link's presence topic is the node's state topic, so the server's own
``<prefix>/availability`` is left to the web server. Off unless ``cluster.mqtt_host`` is set.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from watchkeeper.mqtt.client import MqttLink, MqttSettings, Presence, dumps
from watchkeeper.mqtt.topics import Topics, level

__all__ = ["NodeEvents"]


class NodeEvents:
    def __init__(self, node_id: str, settings: MqttSettings, topics: Topics | None = None):
        topics = topics or Topics()
        self.node_id = node_id
        self.state_topic = topics.node(node_id, "state")
        self.camera_topic = topics.node(node_id, "camera")
        presence = Presence(
            self.state_topic, online=None, will=dumps({"state": "silent"}), goodbye=None
        )
        self._link = MqttLink(
            replace(settings, client_id=f"watchkeeper-node-{level(node_id)}"), topics, presence
        )
        self._link.on_connected.append(self._again)
        self._lock = threading.Lock()
        self._last_state: str | None = None

    @property
    def dropped(self) -> int:
        return self._link.dropped

    @property
    def link(self) -> MqttLink:
        return self._link

    # -- what the node calls (any thread; never waits) -----------------------------------
    def state(self, state: str, at_us: int, **more: Any) -> None:
        payload = dumps({"state": state, "at_us": at_us, **more})
        with self._lock:
            self._last_state = payload
        self._link.publish(self.state_topic, payload, retain=True)

    def camera(self, camera_id: str, event: str, generation: int, at_us: int) -> None:
        payload = {"camera_id": camera_id, "event": event, "generation": generation}
        self._link.publish_json(self.camera_topic, {**payload, "at_us": at_us})

    def _again(self) -> None:
        """After a reconnection the broker holds the will (``silent``): say the state again."""
        with self._lock:
            last = self._last_state
        if last is not None and self._link.connections > 1:
            self._link.publish(self.state_topic, last, retain=True)

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._link.start()

    def stop(self, at_us: int) -> None:
        """Publish ``stopped`` (retained), then close the connection cleanly (no will)."""
        self.state("stopped", at_us, cameras=[])
        self._link.stop(timeout=5.0)
