"""Named presets: kept in Watchkeeper (name, camera token, position) and written to the
camera with SetPreset, so a camera that loses them can be given them again."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.models import PtzPreset

__all__ = ["Preset", "Presets"]


@dataclass(frozen=True)
class Preset:
    name: str
    token: str
    pan: float
    tilt: float
    zoom: float


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise ValidationError("a preset name has 1 to 100 characters")
    return name


class Presets:
    def __init__(self, directory: PtzDirectory) -> None:
        self.directory = directory
        self.db = directory.db

    def list(self, camera_id: str) -> list[Preset]:
        with self.db.session() as s:
            rows = s.scalars(
                select(PtzPreset).where(PtzPreset.camera_id == camera_id).order_by(PtzPreset.name)
            )
            return [Preset(r.name, r.token, r.pan, r.tilt, r.zoom) for r in rows]

    def get(self, camera_id: str, name: str) -> Preset:
        for p in self.list(camera_id):
            if p.name == name:
                return p
        raise NotFound(f"camera {camera_id} has no preset {name!r}")

    async def save(self, camera_id: str, name: str, by: str) -> Preset:
        """Keep where the camera points now as ``name`` (replacing a preset of that name)."""
        name = _clean(name)
        caps = await self.directory.capabilities(camera_id)
        cam = await self.directory.camera(camera_id)
        existing = {p.name: p for p in await asyncio.to_thread(self.list, camera_id)}
        if name not in existing and caps.max_presets and len(existing) >= caps.max_presets:
            raise Conflict(f"camera {camera_id} holds at most {caps.max_presets} presets")
        here = await cam.status(caps.profile_token)
        old = existing.get(name)
        token = await cam.set_preset(caps.profile_token, name, old.token if old else None)
        preset = Preset(name, token, here.pan, here.tilt, here.zoom)
        await asyncio.to_thread(self._store, camera_id, preset, by)
        return preset

    def _store(self, camera_id: str, p: Preset, by: str) -> None:
        with self.db.session() as s:
            row = s.scalar(
                select(PtzPreset).where(PtzPreset.camera_id == camera_id, PtzPreset.name == p.name)
            )
            if row is None:
                row = PtzPreset(camera_id=camera_id, name=p.name)
                s.add(row)
            row.token, row.pan, row.tilt, row.zoom = p.token, p.pan, p.tilt, p.zoom
            row.created_by, row.created_us = by, self.directory.clock.now_us()
            try:
                s.flush()
            except IntegrityError:
                raise Conflict(f"preset {p.name!r} was saved by someone else just now") from None

    async def goto(self, camera_id: str, name: str, speed: float = 1.0) -> Preset:
        preset = await asyncio.to_thread(self.get, camera_id, name)
        caps = await self.directory.capabilities(camera_id)
        cam = await self.directory.camera(camera_id)
        await cam.goto_preset(caps.profile_token, preset.token, speed)
        return preset

    async def delete(self, camera_id: str, name: str) -> None:
        preset = await asyncio.to_thread(self.get, camera_id, name)
        caps = await self.directory.capabilities(camera_id)
        cam = await self.directory.camera(camera_id)
        with contextlib.suppress(ValidationError):  # the camera lost it already: ours goes too
            await cam.remove_preset(caps.profile_token, preset.token)
        await asyncio.to_thread(self._remove, camera_id, name)

    def _remove(self, camera_id: str, name: str) -> None:
        with self.db.session() as s:
            row = s.scalar(
                select(PtzPreset).where(PtzPreset.camera_id == camera_id, PtzPreset.name == name)
            )
            if row is not None:
                s.delete(row)
