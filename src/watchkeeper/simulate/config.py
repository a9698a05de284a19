"""Configuration of a rig of simulated cameras.

A rig is described by one YAML file (or built from CLI flags). Every field has bounds and a
description so that a mistyped site file fails loudly at start-up, naming the field, rather
than producing a camera that silently behaves differently from the one intended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from watchkeeper.errors import ConfigError

__all__ = [
    "RESOLUTIONS",
    "CameraSpec",
    "Resolution",
    "RigConfig",
    "SceneName",
    "alternate_resolution",
    "default_cameras",
    "load_rig_config",
]

Resolution = Literal["1080p", "720p", "540p", "360p"]
SceneName = Literal["vtest", "street", "carpark", "plaza"]

RESOLUTIONS: dict[str, tuple[int, int]] = {
    "1080p": (1920, 1080),
    "720p": (1280, 720),
    "540p": (960, 540),
    "360p": (640, 360),
}
# The resolution a camera switches to on a "resolution" fault, and back again.
_ALTERNATE: dict[str, Resolution] = {
    "1080p": "720p",
    "720p": "1080p",
    "540p": "360p",
    "360p": "540p",
}

CameraName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]


def alternate_resolution(resolution: Resolution) -> Resolution:
    """The resolution a "resolution" fault flips a main stream to."""
    return _ALTERNATE[resolution]


class CameraSpec(BaseModel):
    """One simulated camera: what it shows and how its streams are shaped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: CameraName = Field(description="Path segment of the RTSP URLs, e.g. cam1.")
    kind: Literal["fixed", "ptz"] = Field(
        "fixed", description="fixed: loops footage without re-encoding; ptz: live crop of a scene."
    )
    scene: SceneName = Field(
        "vtest", description="Footage shown: vtest (real pedestrians) or a synthetic scene."
    )
    main: Resolution = Field("720p", description="Resolution of the main stream.")
    main_fps: int = Field(15, ge=1, le=30, description="Frame rate of the main stream.")
    main_kbps: int = Field(2000, ge=100, le=16000, description="Main stream bit rate, kbit/s.")
    gop_seconds: float = Field(2.0, ge=0.5, le=4.0, description="Key-frame interval, seconds.")
    sub: Resolution = Field("360p", description="Resolution of the sub-stream.")
    sub_fps: int = Field(10, ge=1, le=15, description="Frame rate of the sub-stream.")
    sub_kbps: int = Field(400, ge=50, le=4000, description="Sub-stream bit rate, kbit/s.")
    clock_offset_s: float = Field(
        0.0, ge=-86400, le=86400, description="Camera clock minus true UTC, seconds (ONVIF)."
    )
    onvif: bool = Field(True, description="Serve ONVIF Device/Media (and PTZ for ptz cameras).")
    slices: int = Field(
        1, ge=1, le=8, description="Slices per main-stream picture, as some cameras encode."
    )
    transport: Literal["tcp+udp", "udp"] = Field(
        "tcp+udp",
        description="RTP lower transports offered; udp: refuse TCP (461), as some servers do.",
    )
    tamper_views: bool = Field(
        False,
        description="Prepare covered and moved views (fixed cameras) for those faults.",
    )


class RigConfig(BaseModel):
    """A whole rig: cameras, ports, credentials and where footage is cached."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address to bind and to put in URLs.")
    rtsp_port: int = Field(8554, ge=0, le=65535, description="RTSP port; 0 picks a free one.")
    onvif_port: int = Field(
        8080, ge=0, le=65535, description="ONVIF port of the first camera (+1 per camera); 0: free."
    )
    control_port: int = Field(
        8079, ge=0, le=65535, description="Fault-control HTTP port; 0 picks a free one."
    )
    user: str = Field("admin", min_length=1, max_length=64, description="Camera user name.")
    password: str = Field("admin", min_length=1, max_length=64, description="Camera password.")
    auth: Literal["basic", "digest"] = Field("digest", description="RTSP authentication scheme.")
    footage_seconds: float = Field(
        60.0, ge=2.0, le=600.0, description="Length of synthetic clips (vtest is cut to this)."
    )
    cache_dir: Path | None = Field(
        None, description="Footage cache; default $WATCHKEEPER_CACHE or ~/.cache/watchkeeper."
    )
    cameras: list[CameraSpec] = Field(
        default_factory=list, max_length=256, description="The cameras, in URL order."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> RigConfig:
        names = [c.name for c in self.cameras]
        if len(set(names)) != len(names):
            raise ValueError("camera names must be unique")
        return self


def default_cameras(fixed: int, ptz: int, *, main: Resolution = "720p") -> list[CameraSpec]:
    """cam1..camN: the fixed cameras first, cycling scenes for variety, then the PTZ ones."""
    scenes: list[SceneName] = ["vtest", "street", "carpark", "plaza"]
    cams = [
        CameraSpec(name=f"cam{i + 1}", scene=scenes[i % len(scenes)], main=main)
        for i in range(fixed)
    ]
    cams += [
        CameraSpec(name=f"cam{fixed + i + 1}", kind="ptz", scene="vtest", main=main)
        for i in range(ptz)
    ]
    return cams


def load_rig_config(path: Path) -> RigConfig:
    """Read a rig YAML file; errors name the file and the offending field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return RigConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
