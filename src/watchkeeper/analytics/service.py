"""Analytics as a service: one analyser thread per recorded camera, one writer, MQTT bridge.

Built by the composition root after the recorder has started (``system.start_analytics``);
it reads the recorder's supervisors and never the cameras (invariant 2). Stopping it
closes open spans, says ``offline`` on MQTT and leaves the recorder running.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import select

from watchkeeper.analytics.detect import Detector
from watchkeeper.analytics.detectpool import DetectorPool
from watchkeeper.analytics.pipeline import AnalyserConfig, CameraAnalyser
from watchkeeper.analytics.store import camera_zones
from watchkeeper.analytics.writer import AnalyticsWriter
from watchkeeper.cameras.models import Camera
from watchkeeper.db.engine import Database
from watchkeeper.errors import NotFound
from watchkeeper.mqtt.client import MqttLink
from watchkeeper.mqtt.discovery import camera_discovery
from watchkeeper.mqtt.topics import CameraTopic
from watchkeeper.recording.models import StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService
from watchkeeper.timeutil import Clock

__all__ = ["AnalyticsHealth", "AnalyticsService"]

log = logging.getLogger(__name__)

_ONLINE = {StreamState.STREAMING}


@dataclass(frozen=True, slots=True)
class AnalyticsHealth:
    camera_id: str
    stream: str
    frames: int
    dropped: int
    decode_errors: int
    spans: int


class AnalyticsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        recorder: RecorderService,
        mqtt: MqttLink | None = None,
        config: AnalyserConfig | None = None,
        detector: Detector | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.recorder = recorder
        self.mqtt = mqtt
        self.config = config or AnalyserConfig()
        self.writer = AnalyticsWriter(db, clock, mqtt)
        self.detectors = DetectorPool(detector, self.writer) if detector is not None else None
        self.analysers: dict[str, tuple[str, CameraAnalyser]] = {}
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._names: dict[str, str] = {}
        self._undo_listener: object = None

    def _stream_of(self, camera_id: str) -> str | None:
        for stream in ("sub", "main"):
            try:
                self.recorder.supervisor(camera_id, stream)
                return stream
            except NotFound:
                continue
        return None

    def start(self) -> None:
        self._stop.clear()
        with self.db.session() as s:
            cams = [
                (a, b) for a, b in s.execute(select(Camera.id, Camera.name).order_by(Camera.id))
            ]
            self._names = dict(cams)
            zones = {cid: camera_zones(s, cid) for cid, _ in cams}
        self.writer.start()
        if self.detectors is not None:
            self.detectors.start()
        for cid, _name in cams:
            stream = self._stream_of(cid)
            if stream is None:
                continue
            sup = self.recorder.supervisor(cid, stream)
            analyser = CameraAnalyser(
                cid, sup, zones[cid], self.writer, self.clock, self.config,
                detectors=self.detectors,
            )  # fmt: skip
            self.analysers[cid] = (stream, analyser)
            t = threading.Thread(
                target=analyser.run, args=(self._stop,), name=f"analytics-{cid}", daemon=True
            )
            t.start()
            self._threads.append(t)
        if self.mqtt is not None:
            # after the analysers exist: the first announcement lists every camera's
            # availability (a camera already streaming has no state change to tell of)
            self.mqtt.on_connected.append(self._announce)
            self._undo_listener = self.recorder.on_state_change(self._state_changed)
            self.mqtt.start()
        log.info("analytics: %d cameras", len(self.analysers))

    def _announce(self) -> None:
        """Retained discovery and availability, on every (re)connection."""
        assert self.mqtt is not None
        health = self.recorder.health()
        for cid in self.analysers:
            for topic, config in camera_discovery(self.mqtt.topics, cid, self._names.get(cid, "")):
                self.mqtt.publish_json(topic, config, retain=True)
            stream, _ = self.analysers[cid]
            h = health.get(str(StreamKey(cid, stream)))
            state = "online" if h is not None and h.state in _ONLINE else "offline"
            self.mqtt.publish(
                self.mqtt.topics.camera(cid, CameraTopic.AVAILABILITY), state, retain=True
            )

    def _state_changed(self, key: StreamKey, state: StreamState) -> None:
        if self.mqtt is None or key.camera_id not in self.analysers:
            return
        if self.analysers[key.camera_id][0] != key.stream:
            return
        value = "online" if state in _ONLINE else "offline"
        self.mqtt.publish(
            self.mqtt.topics.camera(key.camera_id, CameraTopic.AVAILABILITY), value, retain=True
        )

    def reload_zones(self, camera_id: str) -> None:
        """New zones or masks for a camera take effect at its next analysed frame."""
        entry = self.analysers.get(camera_id)
        if entry is None:
            return
        with self.db.session() as s:
            zones = camera_zones(s, camera_id)
        entry[1].set_zones(zones)

    def health(self) -> list[AnalyticsHealth]:
        return [
            AnalyticsHealth(
                cid, stream, a.stats.frames, a.dropped, a.stats.decode_errors, a.stats.spans
            )
            for cid, (stream, a) in sorted(self.analysers.items())
        ]

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(5.0)
        self._threads.clear()
        if self.detectors is not None:
            self.detectors.stop()
        self.writer.drain(5.0)
        self.writer.stop()
        if self.mqtt is not None:
            for cid in self.analysers:
                self.mqtt.publish(
                    self.mqtt.topics.camera(cid, CameraTopic.AVAILABILITY), "offline", retain=True
                )
            self.mqtt.stop()
            if callable(self._undo_listener):
                self._undo_listener()
        self.analysers.clear()
