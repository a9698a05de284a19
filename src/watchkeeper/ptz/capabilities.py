"""What a PTZ camera can do, read over ONVIF once at connect and kept with the camera."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from watchkeeper.errors import ValidationError, WatchkeeperError
from watchkeeper.ptz.onvif import OnvifCamera

__all__ = ["Capabilities", "Range", "probe", "with_credentials"]


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float


@dataclass(frozen=True)
class Capabilities:
    """A camera's PTZ node and media profiles, as Watchkeeper steers by them."""

    profile_token: str
    """The media profile whose PTZ configuration commands name ("" for a fixed camera)."""
    pan: Range
    tilt: Range
    zoom: Range
    pan_tilt_velocity: Range
    zoom_velocity: Range
    speed: Range
    max_presets: int
    home_supported: bool
    privacy_masks: bool
    stream_uris: tuple[str, ...]
    """GetStreamUri for each profile in the camera's order (main first); no credentials."""

    @property
    def steerable(self) -> bool:
        return bool(self.profile_token)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Capabilities:
        raw = json.loads(text)
        for key in ("pan", "tilt", "zoom", "pan_tilt_velocity", "zoom_velocity", "speed"):
            raw[key] = Range(**raw[key])
        raw["stream_uris"] = tuple(raw["stream_uris"])
        return cls(**raw)


def _range(spaces: Any, name: str, axis: str, default: Range) -> Range:
    items = getattr(spaces, name, None) or []
    if not items:
        return default
    r = getattr(items[0], axis, None)
    return default if r is None else Range(float(r.Min), float(r.Max))


def _privacy_masks(media_caps: Any) -> bool:
    """ONVIF Media 1 has no mask service; Media 2 cameras say ``Mask`` support here."""
    profile_caps = getattr(media_caps, "ProfileCapabilities", None)
    return bool(getattr(profile_caps, "Mask", False) or getattr(media_caps, "Mask", False))


async def probe(camera: OnvifCamera) -> Capabilities:
    """Read profiles, stream URIs and (for PTZ cameras) the PTZ node; fixed cameras give
    ``profile_token == ""``."""
    profiles = await camera.profiles()
    if not profiles:
        raise ValidationError(f"camera {camera.camera_id} has no media profiles")
    uris = tuple([await camera.stream_uri(p.token) for p in profiles])
    ptz_profile = next((p.token for p in profiles if p.ptz), "")
    unit, signed = Range(0.0, 1.0), Range(-1.0, 1.0)
    if not ptz_profile:
        return Capabilities("", signed, signed, unit, signed, signed, unit, 0, False, False, uris)
    nodes = await camera.nodes()
    if not nodes:
        raise ValidationError(f"camera {camera.camera_id} lists no PTZ node")
    node = nodes[0]
    spaces = node.SupportedPTZSpaces
    try:
        masks = _privacy_masks(await camera.media_service_capabilities())
    except WatchkeeperError:
        masks = False  # many cameras do not answer GetServiceCapabilities at all
    return Capabilities(
        profile_token=ptz_profile,
        pan=_range(spaces, "AbsolutePanTiltPositionSpace", "XRange", signed),
        tilt=_range(spaces, "AbsolutePanTiltPositionSpace", "YRange", signed),
        zoom=_range(spaces, "AbsoluteZoomPositionSpace", "XRange", unit),
        pan_tilt_velocity=_range(spaces, "ContinuousPanTiltVelocitySpace", "XRange", signed),
        zoom_velocity=_range(spaces, "ContinuousZoomVelocitySpace", "XRange", signed),
        speed=_range(spaces, "PanTiltSpeedSpace", "XRange", unit),
        max_presets=int(getattr(node, "MaximumNumberOfPresets", 0) or 0),
        home_supported=bool(getattr(node, "HomeSupported", False)),
        privacy_masks=masks,
        stream_uris=uris,
    )


def with_credentials(stream_uri: str, onvif_url: str) -> str:
    """The camera's RTSP URI with the ONVIF address's credentials, for the register only."""
    creds = urlsplit(onvif_url)
    if not creds.username:
        return stream_uri
    parts = urlsplit(stream_uri)
    userinfo = creds.netloc.rsplit("@", 1)[0]
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, parts.query, parts.fragment))
