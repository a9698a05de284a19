"""MQTT against Mosquitto: documented topics and payloads, retained availability, Home
Assistant discovery, and a broker that is away never blocking the publisher."""

from __future__ import annotations

import json
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.analytics.conftest import CAMERA
from tests.analytics.helpers import wait_for
from watchkeeper.analytics.pipeline import AnalyserConfig
from watchkeeper.analytics.service import AnalyticsService
from watchkeeper.mqtt.client import MqttLink, MqttSettings
from watchkeeper.mqtt.discovery import camera_discovery
from watchkeeper.mqtt.topics import CameraTopic, Topics, level
from watchkeeper.system import System


class Listener:
    """A plain paho subscriber (what Home Assistant or any integration would be)."""

    def __init__(self, host: str, port: int, pattern: str) -> None:
        self.messages: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}"
        )
        self.client.on_message = self._on
        self.client.on_connect = lambda c, *_: c.subscribe(pattern, qos=1)
        self.client.connect(host, port)
        self.client.loop_start()

    def _on(self, client: object, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, msg.payload.decode(), bool(msg.retain)))

    def find(self, topic: str) -> list[tuple[str, str, bool]]:
        with self._lock:
            return [m for m in self.messages if m[0] == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_topic_builder_keeps_ids_in_one_level() -> None:
    t = Topics("wk")
    assert t.camera("TC 001/#", CameraTopic.MOTION) == "wk/TC_001__/motion"
    assert t.node("rec-1", "state") == "wk/node/rec-1/state"
    assert t.discovery("binary_sensor", "x+y") == "homeassistant/binary_sensor/x_y/config"
    with pytest.raises(ValueError):
        Topics("wk/#")
    assert level("cam.1-a") == "cam.1-a"


def test_a_missing_broker_never_blocks_and_drops_oldest() -> None:
    link = MqttLink(MqttSettings(port=1, outbox=10, client_id="t-nobroker"), Topics("wk-test"))
    link.start()
    try:
        began = time.monotonic()
        for i in range(100):
            link.publish("wk-test/x", str(i))
        assert time.monotonic() - began < 1.0
        assert link.dropped == 90 and link.pending() == 10
        assert not link.connected
    finally:
        link.stop(timeout=0.5)


def test_motion_availability_and_discovery_reach_mosquitto(
    recording_system: System, broker: tuple[str, int]
) -> None:
    host, port = broker
    prefix = f"wk-{uuid.uuid4().hex[:8]}"
    topics = Topics(prefix, f"{prefix}-ha")
    listener = Listener(host, port, f"{prefix}/#")
    ha = Listener(host, port, f"{prefix}-ha/#")
    system = recording_system
    assert system.recorder is not None
    link = MqttLink(MqttSettings(host, port, client_id=f"wk-{prefix}"), topics)
    service = AnalyticsService(
        system.db, system.clock, system.recorder, link, AnalyserConfig(quiet_s=1.0, max_span_s=3.0)
    )
    service.start()
    try:
        assert link.wait_connected(20)
        motion_topic = topics.camera(CAMERA, CameraTopic.MOTION)
        on = wait_for(
            "motion ON", lambda: [m for m in listener.find(motion_topic) if '"ON"' in m[1]]
        )
        payload = json.loads(on[0][1])
        assert payload["state"] == "ON" and payload["at"].endswith("Z")
        assert isinstance(payload["at_us"], int) and payload["zone"] == "all"
        avail = wait_for(
            "camera online", lambda: listener.find(topics.camera(CAMERA, "availability"))
        )
        assert avail[-1][1] == "online"
        assert (
            wait_for("server online", lambda: listener.find(topics.availability))[-1][1] == "online"
        )
        disc_topic = topics.discovery("binary_sensor", f"watchkeeper_{CAMERA}_motion")
        disc = json.loads(wait_for("discovery", lambda: ha.find(disc_topic))[0][1])
        assert disc["device_class"] == "motion" and disc["state_topic"] == motion_topic
        assert disc["device"]["identifiers"] == [f"watchkeeper_{CAMERA}"]
        assert "rtsp" not in json.dumps(disc)
    finally:
        service.stop()
        listener.close()
        ha.close()
    # retained: a subscriber joining afterwards is told the server and camera are offline
    late = Listener(host, port, f"{prefix}/#")
    try:
        got = wait_for("retained availability", lambda: late.find(topics.availability))
        assert got[-1][1:] == ("offline", True)
        cam = wait_for("retained camera", lambda: late.find(topics.camera(CAMERA, "availability")))
        assert cam[-1][1:] == ("offline", True)
    finally:
        late.close()
        # leave no retained state behind on the shared broker
        clean = mqtt.Client(CallbackAPIVersion.VERSION2)
        clean.connect(host, port)
        clean.loop_start()
        for t in (topics.availability, topics.camera(CAMERA, "availability"),
                  topics.camera(CAMERA, "motion")):  # fmt: skip
            clean.publish(t, b"", qos=1, retain=True).wait_for_publish(5)
        for t, _ in camera_discovery(topics, CAMERA, ""):
            clean.publish(t, b"", qos=1, retain=True).wait_for_publish(5)
        clean.loop_stop()
        clean.disconnect()
