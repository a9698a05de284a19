"""The broker connection: publishing never blocks, reconnection backs off by itself.

paho-mqtt's network thread owns the socket. :meth:`MqttLink.publish` only appends to a
bounded outbox (oldest message dropped and counted when it is full) and wakes the sender
thread, which hands messages to paho while connected. A broker that goes away is retried
with back-off (1 s doubling to 60 s, paho's reconnect delay); the last will marks the
server ``offline`` (retained). Callers are recorder-side threads: none of them ever waits
on the network. A link's :class:`Presence` says which retained topic carries its
availability: the server's own by default, a recorder node's state topic for the cluster
(``cluster/events.py``), so the project has one MQTT client for both.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from watchkeeper.cameras.redact import redact_text
from watchkeeper.mqtt.topics import Topics

__all__ = ["Message", "MqttLink", "MqttSettings", "Presence"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = ""
    password: str = ""
    client_id: str = "watchkeeper"
    keepalive_s: int = 30
    outbox: int = 1000
    backoff_min_s: int = 1
    backoff_max_s: int = 60


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: str
    retain: bool = False
    qos: int = 1


@dataclass(frozen=True, slots=True)
class Presence:
    """The retained topic that says whether this link's owner is there.

    ``online`` is published on every connection (None: nothing, the owner republishes its
    own state from ``on_connected``); ``will`` is the broker's word when the connection dies
    (a kill, a cut cable); ``goodbye`` is sent on a clean stop (None: the owner's last
    message stands)."""

    topic: str
    online: str | None = "online"
    will: str = "offline"
    goodbye: str | None = "offline"


def dumps(payload: dict[str, Any]) -> str:
    """Payload text; every string passes the secret mask on its way out (invariant 7)."""
    return redact_text(json.dumps(payload, sort_keys=True, separators=(",", ":")))


class MqttLink:
    """Start with :meth:`start`; publish from any thread; :meth:`stop` says ``offline``."""

    def __init__(
        self, settings: MqttSettings, topics: Topics, presence: Presence | None = None
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.presence = presence or Presence(topics.availability)
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=settings.client_id, clean_session=True
        )
        if settings.username:
            self._client.username_pw_set(settings.username, settings.password or None)
        self._client.will_set(self.presence.topic, self.presence.will, qos=1, retain=True)
        self._client.reconnect_delay_set(settings.backoff_min_s, settings.backoff_max_s)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._outbox: deque[Message] = deque()
        self._cond = threading.Condition()
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._sender: threading.Thread | None = None
        self._last: mqtt.MQTTMessageInfo | None = None
        self.on_connected: list[Any] = []
        """Called (from paho's thread) after each (re)connection: retained state again."""
        self.dropped = 0
        self.sent = 0
        self.connections = 0

    # -- paho callbacks -------------------------------------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT broker refused the connection: %s", reason)
            return
        self.connections += 1
        log.info("MQTT connected to %s:%d", self.settings.host, self.settings.port)
        if self.presence.online is not None:
            client.publish(self.presence.topic, self.presence.online, qos=1, retain=True)
        for hook in list(self.on_connected):
            hook()
        self._connected.set()
        with self._cond:
            self._cond.notify_all()

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("MQTT connection lost (%s); reconnecting with back-off", reason)

    # -- public ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self) -> None:
        """Connect in the background: a broker that is down now is retried, never awaited."""
        self._stop.clear()
        self._client.connect_async(
            self.settings.host, self.settings.port, self.settings.keepalive_s
        )
        self._client.loop_start()
        self._sender = threading.Thread(target=self._send_loop, name="mqtt-sender", daemon=True)
        self._sender.start()

    def publish(self, topic: str, payload: str, retain: bool = False, qos: int = 1) -> None:
        """Queue a message; never waits. Oldest dropped (and counted) when the outbox is full."""
        with self._cond:
            if len(self._outbox) >= self.settings.outbox:
                self._outbox.popleft()
                self.dropped += 1
            self._outbox.append(Message(topic, payload, retain, qos))
            self._cond.notify()

    def publish_json(self, topic: str, payload: dict[str, Any], retain: bool = False) -> None:
        self.publish(topic, dumps(payload), retain)

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set() and not (self._outbox and self.connected):
                    self._cond.wait(1.0)
                if self._stop.is_set():
                    return
                msg = self._outbox.popleft()
            info = self._client.publish(msg.topic, msg.payload, qos=msg.qos, retain=msg.retain)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self.sent += 1
                self._last = info
            else:  # lost between the check and the send: back to the front, try later
                with self._cond:
                    self._outbox.appendleft(msg)
                self._connected.wait(1.0)

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def pending(self) -> int:
        return len(self._outbox)

    def stop(self, timeout: float = 3.0) -> None:
        """Flush what can be sent within ``timeout``, say goodbye, disconnect."""
        if self._sender is None:
            return
        deadline = threading.Event()
        waited = 0.0
        while self._outbox and self.connected and waited < timeout:
            deadline.wait(0.05)
            waited += 0.05
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._sender.join(timeout)
        if self.connected:
            goodbye = self.presence.goodbye
            if goodbye is not None:
                self._last = self._client.publish(self.presence.topic, goodbye, qos=1, retain=True)
            try:
                if self._last is not None:  # acknowledged before the connection closes
                    self._last.wait_for_publish(timeout)
            except (RuntimeError, ValueError):
                log.warning("MQTT: the last message may not have reached the broker")
        self._client.disconnect()
        self._client.loop_stop()
        self._sender = None
