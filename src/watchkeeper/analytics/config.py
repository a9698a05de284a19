"""Analytics and MQTT settings (``WATCHKEEPER_ANALYTICS__*``), typed and bounded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.analytics.pipeline import AnalyserConfig
from watchkeeper.mqtt.client import MqttSettings
from watchkeeper.mqtt.topics import Topics

__all__ = ["AnalyticsSettings"]


class AnalyticsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        True, description="Run motion and tamper analysis where the recorder runs"
    )
    fps: float = Field(5.0, gt=0, le=30, description="Pictures analysed per second per camera")
    width: int = Field(160, ge=64, le=640, description="Width in pixels motion is computed at")
    quiet_s: float = Field(3.0, ge=0.2, le=120, description="Quiet seconds that end a motion span")
    max_span_s: float = Field(60.0, ge=1, le=3600, description="Longest span before it is split")
    queue: int = Field(64, ge=4, le=4096, description="Packets queued per camera before dropping")
    detect: bool = Field(True, description="Look for people on motion regions (HOG, OpenCV)")
    detect_threshold: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Detector score needed (see analytics.md, Accuracy)",
    )
    mqtt_host: str = Field("", description="MQTT broker host; empty: no MQTT")
    mqtt_port: int = Field(1883, ge=1, le=65535, description="MQTT broker port")
    mqtt_username: str = Field("", description="MQTT user name (empty: anonymous)")
    mqtt_password: str = Field("", description="MQTT password")
    mqtt_prefix: str = Field("watchkeeper", min_length=1, description="Topic prefix")
    mqtt_discovery_prefix: str = Field(
        "homeassistant", min_length=1, description="Home Assistant discovery prefix"
    )

    def analyser(self) -> AnalyserConfig:
        return AnalyserConfig(
            fps=self.fps, width=self.width, quiet_s=self.quiet_s, max_span_s=self.max_span_s,
            queue=self.queue,
        )  # fmt: skip

    def mqtt(self) -> MqttSettings | None:
        if not self.mqtt_host:
            return None
        return MqttSettings(
            host=self.mqtt_host, port=self.mqtt_port, username=self.mqtt_username,
            password=self.mqtt_password,
        )  # fmt: skip

    def topics(self) -> Topics:
        return Topics(self.mqtt_prefix, self.mqtt_discovery_prefix)
