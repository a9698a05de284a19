"""Every MQTT topic Watchkeeper publishes, built in one place (analytics.md, "MQTT topics").

Camera ids become one topic level each: characters MQTT gives a meaning to (``/``, ``+``,
``#``) and spaces are replaced, so an id can never reach into another camera's topics. The
cluster's node and camera-state events use :meth:`Topics.node` and :meth:`Topics.camera`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CameraTopic", "Topics", "level"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class CameraTopic(StrEnum):
    AVAILABILITY = "availability"
    MOTION = "motion"
    DETECTION = "detection"
    ALERT = "alert"
    FAULT = "fault"
    STATE = "state"
    """Reserved for the cluster's camera-state events."""


def level(value: str) -> str:
    """One safe topic level from any id."""
    out = _UNSAFE.sub("_", value.strip())
    if not out:
        raise ValueError("a topic level cannot be empty")
    return out


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = "watchkeeper"
    discovery_prefix: str = "homeassistant"

    def __post_init__(self) -> None:
        for p in (self.prefix, self.discovery_prefix):
            if not p or any(c in p for c in "+#") or p.startswith("/") or p.endswith("/"):
                raise ValueError(f"bad MQTT topic prefix {p!r}")

    @property
    def availability(self) -> str:
        """The server's own availability (retained; the connection's last will)."""
        return f"{self.prefix}/availability"

    def camera(self, camera_id: str, kind: CameraTopic | str) -> str:
        return f"{self.prefix}/{level(camera_id)}/{CameraTopic(kind).value}"

    def node(self, node_id: str, kind: str) -> str:
        """A recorder node's topic (cluster): ``<prefix>/node/<node>/<kind>``."""
        return f"{self.prefix}/node/{level(node_id)}/{level(kind)}"

    def discovery(self, component: str, object_id: str) -> str:
        """Home Assistant discovery config topic for one entity."""
        return f"{self.discovery_prefix}/{level(component)}/{level(object_id)}/config"
