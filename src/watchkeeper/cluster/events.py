"""A recorder node's events over MQTT: its state and the cameras it takes and gives up.

Topics (the style of the camera topics, ``watchkeeper/<camera>/...``):

- ``watchkeeper/node/<node>/state`` (retained): ``{"state": "live", "cameras": [...],
  "disk": "ok", "at_us": ...}``; ``"stopped"`` after a clean stop; ``"silent"`` is the
  connection's last will, so the broker itself announces a node killed or cut off.
- ``watchkeeper/node/<node>/camera``: ``{"camera_id", "event": "claimed" | "released" |
  "lost", "generation", "at_us"}`` for each lease change.

Publishing never blocks the caller: messages go to a bounded queue drained by an asyncio
loop (aiomqtt) on its own thread, which reconnects with back-off and publishes the last
state again on every connection. Off unless ``cluster.mqtt_host`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import aiomqtt

from watchkeeper.cameras.redact import redact_text

__all__ = ["NodeEvents"]

log = logging.getLogger(__name__)
QUEUE = 1000


@dataclass(frozen=True, slots=True)
class _Msg:
    topic: str
    payload: str
    retain: bool


class NodeEvents:
    def __init__(self, node_id: str, host: str, port: int = 1883, prefix: str = "watchkeeper"):
        self.node_id = node_id
        self._host, self._port = host, port
        self.state_topic = f"{prefix}/node/{node_id}/state"
        self.camera_topic = f"{prefix}/node/{node_id}/camera"
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[_Msg | None] | None = None
        self._last_state: _Msg | None = None
        self._thread: threading.Thread | None = None
        self.dropped = 0

    # -- what the node calls (any thread; never waits) -----------------------------------
    def state(self, state: str, at_us: int, **more: Any) -> None:
        msg = _Msg(self.state_topic, json.dumps({"state": state, "at_us": at_us, **more}), True)
        self._last_state = msg
        self._put(msg)

    def camera(self, camera_id: str, event: str, generation: int, at_us: int) -> None:
        payload = {"camera_id": camera_id, "event": event, "generation": generation}
        self._put(_Msg(self.camera_topic, json.dumps({**payload, "at_us": at_us}), False))

    def _put(self, msg: _Msg | None) -> None:
        if self._queue is None:
            return
        q = self._queue

        def put() -> None:
            if q.full() and msg is not None:
                self.dropped += 1
                return
            q.put_nowait(msg)

        self._loop.call_soon_threadsafe(put)

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._queue = asyncio.Queue(QUEUE)
            ready.set()
            self._loop.run_until_complete(self._run())

        self._thread = threading.Thread(target=run, name="node-events", daemon=True)
        self._thread.start()
        ready.wait(5)

    def stop(self, at_us: int) -> None:
        """Publish ``stopped`` (retained), then close the connection."""
        self.state("stopped", at_us, cameras=[])
        self._put(None)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    async def _run(self) -> None:
        assert self._queue is not None
        will = aiomqtt.Will(self.state_topic, json.dumps({"state": "silent"}), qos=1, retain=True)
        backoff = 1.0
        while True:
            try:
                async with aiomqtt.Client(
                    self._host, self._port, identifier=f"watchkeeper-node-{self.node_id}",
                    will=will, keepalive=10,
                ) as client:  # fmt: skip
                    backoff = 1.0
                    if self._last_state is not None:
                        await client.publish(
                            self._last_state.topic, self._last_state.payload, qos=1, retain=True
                        )
                    while True:
                        msg = await self._queue.get()
                        if msg is None:
                            return
                        await client.publish(msg.topic, msg.payload, qos=1, retain=msg.retain)
            except aiomqtt.MqttError as exc:
                log.warning("node events: broker unreachable (%s); retrying", redact_text(str(exc)))
                try:
                    got = await asyncio.wait_for(self._queue.get(), backoff)
                    if got is None:
                        return
                    if got.retain:
                        self._last_state = got  # the newest state goes first on reconnect
                    else:
                        self.dropped += 1  # a lease event while the broker is away
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, 30.0)
