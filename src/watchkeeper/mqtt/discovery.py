"""Home Assistant MQTT discovery: each camera appears there by itself.

Per camera a motion ``binary_sensor`` and ``event`` entities for alerts and faults, grouped
under one device. Published retained on every (re)connection, since Home Assistant may
have started after us.
"""

from __future__ import annotations

from typing import Any

from watchkeeper.mqtt.topics import CameraTopic, Topics, level

__all__ = ["camera_discovery"]


def _device(camera_id: str, name: str) -> dict[str, Any]:
    return {
        "identifiers": [f"watchkeeper_{level(camera_id)}"],
        "name": f"{camera_id} {name}".strip(),
        "manufacturer": "Watchkeeper",
        "model": "CCTV camera",
    }


def camera_discovery(topics: Topics, camera_id: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(topic, config) pairs for one camera's entities."""
    uid = f"watchkeeper_{level(camera_id)}"
    availability = [
        {"topic": topics.availability},
        {"topic": topics.camera(camera_id, CameraTopic.AVAILABILITY)},
    ]
    common = {
        "device": _device(camera_id, name),
        "availability": availability,
        "availability_mode": "all",
    }
    motion = {
        **common,
        "name": "Motion",
        "unique_id": f"{uid}_motion",
        "device_class": "motion",
        "state_topic": topics.camera(camera_id, CameraTopic.MOTION),
        "value_template": "{{ value_json.state }}",
        "payload_on": "ON",
        "payload_off": "OFF",
    }
    out = [(topics.discovery("binary_sensor", f"{uid}_motion"), motion)]
    for kind, types in (
        (CameraTopic.ALERT, ["alert"]),
        (CameraTopic.FAULT, ["covered", "defocused", "moved", "video loss"]),
    ):
        out.append(
            (
                topics.discovery("event", f"{uid}_{kind.value}"),
                {
                    **common,
                    "name": kind.value.capitalize(),
                    "unique_id": f"{uid}_{kind.value}",
                    "state_topic": topics.camera(camera_id, kind),
                    "event_types": types,
                    "value_template": '{"event_type": "{{ value_json.kind }}"}',
                },
            )
        )
    return out
