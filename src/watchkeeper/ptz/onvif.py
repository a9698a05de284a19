"""The one boundary between Watchkeeper and a camera's ONVIF services.

Only this module imports ``onvif`` (onvif-zeep-async) and ``zeep``. Every request goes
through :meth:`OnvifCamera._call`, which bounds it by a deadline (2 s by default) and turns
SOAP faults, timeouts, refusals and protocol errors into Watchkeeper errors whose messages
name the camera and the operation, never the credentials (they live in the register's
ONVIF address and nowhere else).

The deadline bounds the camera's part only. Before the first exchange with any camera the
process parses the ONVIF WSDL documents it needs (:func:`load_wsdls`): CPU work here, not
the camera's, which on a busy machine can take longer than the deadline itself; it runs
once per process, before the clock starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import aiohttp
import onvif
import zeep.exceptions
from onvif import ONVIFCamera, ONVIFService
from onvif.definition import SERVICES
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError

from watchkeeper.errors import AuthError, MediaError, ValidationError, WatchkeeperError
from watchkeeper.timeutil import from_datetime

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "OnvifAddress",
    "OnvifCamera",
    "PtzPosition",
    "StreamProfile",
    "load_wsdls",
]

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 2.0
T = TypeVar("T")
_RTSP_SETUP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
_AUTH_WORDS = ("notauthorized", "not authorized", "unauthorized", "sender not authorized")


_WSDL_DIR = Path(onvif.__file__).with_name("wsdl")
_LOADED: set[str] = set()


async def load_wsdls(*kinds: str) -> None:
    """Parse the WSDL of each ONVIF service kind (and the device service) once per process.

    onvif-zeep-async keeps each parsed document for the life of the process; setting up a
    throwaway service object parses it without touching the network (no request is sent).
    """
    for kind in ("devicemgmt", *kinds):
        if kind in _LOADED:
            continue
        spec = SERVICES[kind]
        service = ONVIFService(
            "http://127.0.0.1:9/",
            None,
            None,
            str(_WSDL_DIR / spec["wsdl"]),
            binding_name="{%s}%s" % (spec["ns"], spec["binding"]),  # noqa: UP031
        )
        try:
            await service.setup()
        finally:
            await service.close()
        _LOADED.add(kind)


@dataclass(frozen=True)
class OnvifAddress:
    """Where a camera's ONVIF device service is, and its credentials (never shown)."""

    camera_id: str
    host: str
    port: int
    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, camera_id: str, url: str) -> OnvifAddress:
        """From the register's ``http://user:password@host:port/...`` ONVIF address."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValidationError(f"camera {camera_id}: its ONVIF address is not a URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                f"camera {camera_id}: its ONVIF address must be http://host:port/..."
            )
        return cls(
            camera_id,
            parts.hostname,
            port,
            unquote(parts.username or ""),
            unquote(parts.password or ""),
        )


@dataclass(frozen=True)
class PtzPosition:
    """A head position in ONVIF generic spaces: pan, tilt in [-1, 1], zoom in [0, 1]."""

    pan: float
    tilt: float
    zoom: float
    moving: bool = False


@dataclass(frozen=True)
class StreamProfile:
    token: str
    width: int
    height: int
    ptz: bool
    """True when the profile carries a PTZ configuration (commands name this profile)."""


def _fault_text(exc: BaseException) -> str:
    msg = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(msg).split())[:200]


def _clip(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


class OnvifCamera:
    """One camera's ONVIF services, connected lazily, every call bounded by ``timeout``."""

    def __init__(
        self,
        address: OnvifAddress,
        timeout: float = DEFAULT_TIMEOUT_S,
        factory: Callable[[OnvifAddress], ONVIFCamera] | None = None,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self._factory = factory or (lambda a: ONVIFCamera(a.host, a.port, a.user, a.password))
        self._client: ONVIFCamera | None = None
        self._services: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    @property
    def camera_id(self) -> str:
        return self.address.camera_id

    async def _call(self, op: str, make: Callable[[], Awaitable[T]]) -> T:
        """Run one ONVIF exchange under the deadline; the only place errors are translated."""
        cam = self.address.camera_id
        try:
            return await asyncio.wait_for(make(), self.timeout)
        except WatchkeeperError:
            raise
        except (TimeoutError, ONVIFTimeoutError):
            raise MediaError(
                f"camera {cam} did not answer within {self.timeout:g} s ({op})"
            ) from None
        except ONVIFAuthError:
            raise AuthError(f"camera {cam} refused the credentials in the register") from None
        except zeep.exceptions.Fault as exc:
            text = _fault_text(exc)
            if any(w in text.lower() for w in _AUTH_WORDS):
                raise AuthError(
                    f"camera {cam} refused the credentials in the register ({op})"
                ) from None
            raise ValidationError(f"camera {cam} refused {op}: {text}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise MediaError(f"camera {cam} unreachable ({op}): {type(exc).__name__}") from None
        except ONVIFError as exc:
            text = _fault_text(exc)
            if "support service: ptz" in text:
                raise ValidationError(f"camera {cam} has no PTZ (a fixed camera?)") from None
            if any(w in text.lower() for w in _AUTH_WORDS):
                raise AuthError(f"camera {cam} refused the credentials in the register") from None
            raise MediaError(f"camera {cam}: {op} failed: {_safe(text, self.address)}") from None
        except (zeep.exceptions.Error, ValueError, AttributeError, TypeError) as exc:
            raise MediaError(
                f"camera {cam}: {op} answered something Watchkeeper cannot read "
                f"({type(exc).__name__})"
            ) from None

    async def _service(self, kind: str) -> Any:
        async with self._lock:
            if kind in self._services:
                return self._services[kind]

            async def make() -> Any:
                if self._client is None:
                    client = self._factory(self.address)
                    try:
                        await client.update_xaddrs()
                    except BaseException:
                        await client.close()
                        raise
                    self._client = client
                return await getattr(self._client, f"create_{kind}_service")()

            await load_wsdls(kind)
            svc = await self._call(f"connect {kind}", make)
            self._services[kind] = svc
            return svc

    async def close(self) -> None:
        client, self._client = self._client, None
        self._services.clear()
        if client is not None:
            try:
                await asyncio.wait_for(client.close(), self.timeout)
            except Exception as exc:  # closing a dead connection: nothing left to do
                log.debug("closing ONVIF client of %s: %s", self.camera_id, type(exc).__name__)

    async def _op(self, kind: str, op: str, request: dict[str, Any] | None = None) -> Any:
        svc = await self._service(kind)
        method = getattr(svc, op)
        return await self._call(op, lambda: method(request) if request is not None else method())

    # -- device and media --------------------------------------------------------------------
    async def clock_us(self) -> int:
        """The camera's UTC clock (GetSystemDateAndTime), in integer microseconds."""
        reply = await self._op("devicemgmt", "GetSystemDateAndTime")
        t = reply.UTCDateTime
        if t is None:
            raise MediaError(f"camera {self.camera_id} gave no UTC time")
        return from_datetime(
            datetime(
                t.Date.Year, t.Date.Month, t.Date.Day,
                t.Time.Hour, t.Time.Minute, t.Time.Second, tzinfo=UTC,
            )
        )  # fmt: skip

    async def profiles(self) -> list[StreamProfile]:
        out = []
        for p in await self._op("media", "GetProfiles"):
            enc = p.VideoEncoderConfiguration
            w = enc.Resolution.Width if enc is not None else 0
            h = enc.Resolution.Height if enc is not None else 0
            out.append(StreamProfile(p.token, w, h, p.PTZConfiguration is not None))
        return out

    async def stream_uri(self, token: str) -> str:
        reply = await self._op(
            "media", "GetStreamUri", {"StreamSetup": _RTSP_SETUP, "ProfileToken": token}
        )
        return str(reply.Uri)

    async def media_service_capabilities(self) -> Any:
        return await self._op("media", "GetServiceCapabilities")

    # -- PTZ ---------------------------------------------------------------------------------
    async def nodes(self) -> list[Any]:
        return list(await self._op("ptz", "GetNodes"))

    async def continuous_move(
        self, token: str, pan: float, tilt: float, zoom: float, timeout_s: float
    ) -> None:
        velocity: dict[str, Any] = {
            "PanTilt": {"x": _clip(pan, -1, 1), "y": _clip(tilt, -1, 1)},
            "Zoom": {"x": _clip(zoom, -1, 1)},
        }
        await self._op(
            "ptz",
            "ContinuousMove",
            {"ProfileToken": token, "Velocity": velocity, "Timeout": f"PT{timeout_s:g}S"},
        )

    async def stop(self, token: str) -> None:
        await self._op("ptz", "Stop", {"ProfileToken": token, "PanTilt": True, "Zoom": True})

    async def absolute_move(self, token: str, pos: PtzPosition, speed: float = 1.0) -> None:
        s = _clip(speed, 0.01, 1.0)
        await self._op("ptz", "AbsoluteMove", {
            "ProfileToken": token,
            "Position": {"PanTilt": {"x": _clip(pos.pan, -1, 1), "y": _clip(pos.tilt, -1, 1)},
                         "Zoom": {"x": _clip(pos.zoom, 0, 1)}},
            "Speed": {"PanTilt": {"x": s, "y": s}, "Zoom": {"x": s}},
        })  # fmt: skip

    async def relative_move(self, token: str, pan: float, tilt: float, zoom: float) -> None:
        await self._op("ptz", "RelativeMove", {
            "ProfileToken": token,
            "Translation": {"PanTilt": {"x": pan, "y": tilt}, "Zoom": {"x": zoom}},
        })  # fmt: skip

    async def goto_home(self, token: str) -> None:
        await self._op("ptz", "GotoHomePosition", {"ProfileToken": token})

    async def status(self, token: str) -> PtzPosition:
        st = await self._op("ptz", "GetStatus", {"ProfileToken": token})
        p = st.Position
        moving = st.MoveStatus is not None and "IDLE" not in (
            str(st.MoveStatus.PanTilt),
            str(st.MoveStatus.Zoom),
        )
        return PtzPosition(float(p.PanTilt.x), float(p.PanTilt.y), float(p.Zoom.x), moving)

    async def set_preset(self, token: str, name: str, preset_token: str | None = None) -> str:
        req: dict[str, Any] = {"ProfileToken": token, "PresetName": name}
        if preset_token:
            req["PresetToken"] = preset_token
        return str(await self._op("ptz", "SetPreset", req))

    async def goto_preset(self, token: str, preset_token: str, speed: float = 1.0) -> None:
        s = _clip(speed, 0.01, 1.0)
        await self._op("ptz", "GotoPreset", {
            "ProfileToken": token, "PresetToken": preset_token,
            "Speed": {"PanTilt": {"x": s, "y": s}, "Zoom": {"x": s}},
        })  # fmt: skip

    async def remove_preset(self, token: str, preset_token: str) -> None:
        await self._op("ptz", "RemovePreset", {"ProfileToken": token, "PresetToken": preset_token})

    async def presets(self, token: str) -> dict[str, str]:
        """The camera's presets: token -> name."""
        return {
            str(p.token): str(p.Name or "")
            for p in await self._op("ptz", "GetPresets", {"ProfileToken": token})
        }


def _safe(text: str, address: OnvifAddress) -> str:
    """``text`` with the camera's credentials cut out, should a library have echoed them."""
    for secret in (address.password, address.user):
        if secret:
            text = text.replace(secret, "***")
    return text
