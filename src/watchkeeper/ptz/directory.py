"""PTZ cameras as Watchkeeper knows them: one ONVIF connection each, capabilities kept in
the database, stream URLs filled in for cameras entered with only their ONVIF address."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraKind
from watchkeeper.db.engine import Database
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.ptz.capabilities import Capabilities, probe, with_credentials
from watchkeeper.ptz.models import PtzCamera
from watchkeeper.ptz.onvif import DEFAULT_TIMEOUT_S, OnvifAddress, OnvifCamera
from watchkeeper.timeutil import Clock

__all__ = ["PtzDirectory"]


class PtzDirectory:
    """Connections to cameras by register id; opened on first use, closed with the app."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        timeout: float = DEFAULT_TIMEOUT_S,
        opener: Callable[[OnvifAddress, float], OnvifCamera] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.timeout = timeout
        self._open = opener or (lambda a, t: OnvifCamera(a, t))
        self._cameras: dict[str, OnvifCamera] = {}
        self._caps: dict[str, Capabilities] = {}
        self._probing: dict[str, asyncio.Lock] = {}

    def _address(self, camera_id: str) -> tuple[OnvifAddress, CameraKind]:
        with self.db.session() as s:
            cam = s.get(Camera, camera_id)
            if cam is None:
                raise NotFound(f"no camera {camera_id!r}")
            if not cam.onvif_url:
                raise ValidationError(f"camera {camera_id} has no ONVIF address in the register")
            return OnvifAddress.from_url(camera_id, cam.onvif_url), cam.kind

    async def camera(self, camera_id: str) -> OnvifCamera:
        if camera_id not in self._cameras:
            address, _kind = await asyncio.to_thread(self._address, camera_id)
            self._cameras.setdefault(camera_id, self._open(address, self.timeout))
        return self._cameras[camera_id]

    async def capabilities(self, camera_id: str) -> Capabilities:
        """Stored capabilities, probing the camera the first time (once, however many ask)."""
        if camera_id in self._caps:
            return self._caps[camera_id]
        async with self._probing.setdefault(camera_id, asyncio.Lock()):
            if camera_id in self._caps:
                return self._caps[camera_id]
            stored = await asyncio.to_thread(self._stored, camera_id)
            if stored is None:
                return await self.connect(camera_id)
            self._caps[camera_id] = stored
            return stored

    def _stored(self, camera_id: str) -> Capabilities | None:
        with self.db.session() as s:
            row = s.get(PtzCamera, camera_id)
            if row is None or row.capabilities in ("", "{}"):
                return None
            return Capabilities.from_json(row.capabilities)

    async def connect(self, camera_id: str) -> Capabilities:
        """Read the camera's capabilities and stream URIs now and keep them."""
        cam = await self.camera(camera_id)
        caps = await probe(cam)
        await asyncio.to_thread(self._store, camera_id, caps)
        self._caps[camera_id] = caps
        return caps

    def _store(self, camera_id: str, caps: Capabilities) -> None:
        with self.db.session() as s:
            row = self._row(s, camera_id)
            row.profile_token = caps.profile_token
            row.capabilities = caps.to_json()
            row.probed_us = self.clock.now_us()
            cam = s.get(Camera, camera_id)
            if cam is not None and caps.stream_uris:
                if not cam.main_url:
                    cam.main_url = with_credentials(caps.stream_uris[0], cam.onvif_url)
                if not cam.sub_url and len(caps.stream_uris) > 1:
                    cam.sub_url = with_credentials(caps.stream_uris[1], cam.onvif_url)

    def _row(self, s: Session, camera_id: str) -> PtzCamera:
        """The camera's row, made if missing (another thread may be making it too)."""
        row = s.get(PtzCamera, camera_id)
        if row is None:
            try:
                with s.begin_nested():
                    s.add(self._new_row(camera_id))
            except IntegrityError:
                pass  # made meanwhile by the clock check or a probe: use that one
            row = s.get(PtzCamera, camera_id)
            assert row is not None
        return row

    def _new_row(self, camera_id: str) -> PtzCamera:
        return PtzCamera(
            camera_id=camera_id,
            profile_token="",
            capabilities="{}",
            priorities="{}",
            home_preset="",
            home_after_s=0,
            tour="[]",
            lens="{}",
            probed_us=self.clock.now_us(),
        )

    def priorities(self, camera_id: str) -> dict[str, int]:
        with self.db.session() as s:
            row = s.get(PtzCamera, camera_id)
            return {} if row is None else {k: int(v) for k, v in json.loads(row.priorities).items()}

    def set_priorities(self, camera_id: str, priorities: dict[str, int]) -> None:
        with self.db.session() as s:
            self._row(s, camera_id).priorities = json.dumps(priorities, sort_keys=True)

    def home(self, camera_id: str) -> tuple[str, int]:
        """The camera's home preset and the idle seconds before returning to it."""
        with self.db.session() as s:
            row = s.get(PtzCamera, camera_id)
            return ("", 0) if row is None else (row.home_preset, row.home_after_s)

    def set_home(self, camera_id: str, preset: str, after_s: int) -> None:
        with self.db.session() as s:
            row = self._row(s, camera_id)
            row.home_preset, row.home_after_s = preset, after_s

    def tour(self, camera_id: str) -> str:
        with self.db.session() as s:
            row = s.get(PtzCamera, camera_id)
            return "[]" if row is None else row.tour

    def set_tour(self, camera_id: str, tour_json: str) -> None:
        with self.db.session() as s:
            self._row(s, camera_id).tour = tour_json

    def set_lens(self, camera_id: str, lens_json: str) -> None:
        """How the camera's picture maps to its PTZ space (see ptz.zones.Lens)."""
        with self.db.session() as s:
            self._row(s, camera_id).lens = lens_json

    def store_clock(self, camera_id: str, offset_us: int) -> None:
        with self.db.session() as s:
            row = self._row(s, camera_id)
            row.clock_offset_us = offset_us
            row.clock_checked_us = self.clock.now_us()

    async def close(self) -> None:
        cams, self._cameras = list(self._cameras.values()), {}
        await asyncio.gather(*(c.close() for c in cams), return_exceptions=True)
