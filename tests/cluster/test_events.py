"""A node's events over MQTT (Mosquitto): its state and lease changes, and the broker
announcing it ``silent`` (the last will) when the node is killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

import watchkeeper
from tests.cluster.proxy import Relay
from tests.conftest import need_service
from watchkeeper.cluster.events import NodeEvents
from watchkeeper.mqtt.client import MqttSettings

PUBLISHER = """
import sys, time
from watchkeeper.cluster.events import NodeEvents
from watchkeeper.mqtt.client import MqttSettings
e = NodeEvents(sys.argv[1], MqttSettings("127.0.0.1", 1883))
e.start()
e.state("live", 1, cameras=["c1"], disk="ok")
e.camera("c1", "claimed", 3, 2)
if sys.argv[2] == "stop":
    time.sleep(0.5)
    e.stop(3)
    print("stopped", flush=True)
else:
    print("ready", flush=True)
    time.sleep(60)
"""


def _mosquitto() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


def _publisher(node: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(watchkeeper.__file__).parents[1])}
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, node, mode], env=env, stdout=subprocess.PIPE, text=True
    )


def _collect(
    node: str, until: Callable[[list[tuple[str, dict[str, Any]]]], bool], start: Callable[[], None]
) -> list[tuple[str, dict[str, Any]]]:
    """Subscribe to the node's topics, then ``start``; messages until ``until`` says enough."""
    got: list[tuple[str, dict[str, Any]]] = []
    lock = threading.Lock()
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")

    def on_message(c: object, u: object, m: mqtt.MQTTMessage) -> None:
        if m.payload:
            with lock:
                got.append((m.topic, json.loads(m.payload)))

    client.on_message = on_message
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_connect = lambda c, *_: c.subscribe(f"watchkeeper/node/{node}/#", qos=1)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        assert subscribed.wait(10)
        start()
        end = time.monotonic() + 30
        while True:
            with lock:
                seen = list(got)
            if until(seen):
                break
            assert time.monotonic() < end, f"timed out; got {seen}"
            time.sleep(0.05)
        client.publish(f"watchkeeper/node/{node}/state", b"", retain=True).wait_for_publish(5)
    finally:
        client.loop_stop()
        client.disconnect()
    return seen


def test_node_state_lease_events_and_the_last_will() -> None:
    need_service("Mosquitto", _mosquitto())
    node = f"t-{uuid.uuid4().hex[:8]}"
    procs: list[subprocess.Popen[str]] = []

    def start_and_kill() -> None:
        p = _publisher(node, "run")
        procs.append(p)

    def seen_silent(got: list[tuple[str, dict[str, Any]]]) -> bool:
        states = [x["state"] for t, x in got if t.endswith("/state")]
        if "live" in states and any(t.endswith("/camera") for t, _ in got) and procs:
            p = procs[0]
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait(10)
        return states[-1:] == ["silent"]

    try:
        got = _collect(node, seen_silent, start_and_kill)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    claimed = [x for t, x in got if t == f"watchkeeper/node/{node}/camera"]
    assert claimed == [{"camera_id": "c1", "event": "claimed", "generation": 3, "at_us": 2}]
    live = [x for t, x in got if t.endswith("/state") and x["state"] == "live"]
    assert live and live[0]["cameras"] == ["c1"] and live[0]["disk"] == "ok"


def test_a_clean_stop_says_stopped() -> None:
    need_service("Mosquitto", _mosquitto())
    node = f"t-{uuid.uuid4().hex[:8]}"
    procs: list[subprocess.Popen[str]] = []
    got = _collect(
        node,
        lambda g: any(x.get("state") == "stopped" for _, x in g),
        lambda: procs.append(_publisher(node, "stop")),
    )
    for p in procs:
        p.wait(10)
    states = [x["state"] for t, x in got if t.endswith("/state")]
    assert states[-1] == "stopped" and "silent" not in states


def test_after_a_lost_connection_the_node_says_its_state_again() -> None:
    """The broker publishes the will (``silent``) when the connection drops; once the node's
    link is back (with back-off) it publishes its last state over it."""
    need_service("Mosquitto", _mosquitto())
    node = f"t-{uuid.uuid4().hex[:8]}"
    relay = Relay(("127.0.0.1", 1883))
    events = NodeEvents(node, MqttSettings("127.0.0.1", relay.port, backoff_min_s=1))

    def start() -> None:
        events.start()
        events.state("live", 1, cameras=["c1"], disk="ok")

    def states(got: list[tuple[str, dict[str, Any]]]) -> list[str]:
        return [x["state"] for t, x in got if t.endswith("/state")]

    def cut_once_live(got: list[tuple[str, dict[str, Any]]]) -> bool:
        seen = states(got)
        if seen == ["live"] and events.link.connections == 1:
            relay.restore()  # closes the connection under the node, as a network fault would
        return seen[-2:] == ["silent", "live"]

    try:
        got = _collect(node, cut_once_live, start)
    finally:
        events.stop(2)
        relay.close()
    assert states(got)[:2] == ["live", "silent"] and events.link.connections >= 2
