"""Privacy zones kept per camera: drawn, checked before a move, lifted and re-applied.

The geometry is in :mod:`watchkeeper.ptz.zones`; this module keeps zones in the database,
refuses a move that would centre an active zone, and lets a supervisor lift a zone for a
recorded reason (one audit entry) for a set time, after which it applies again by itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.db.engine import Database
from watchkeeper.errors import Conflict, Forbidden, NotFound, ValidationError
from watchkeeper.ptz.models import PtzCamera, PtzZone
from watchkeeper.ptz.onvif import PtzPosition
from watchkeeper.ptz.zones import Lens, Rect, active, centre_in, to_space
from watchkeeper.timeutil import US_PER_S, Clock

__all__ = ["MAX_LIFT_MINUTES", "ZoneBook", "ZoneView"]

MAX_LIFT_MINUTES = 240


@dataclass(frozen=True)
class ZoneView:
    name: str
    space: Rect
    residential: bool
    lifted_until_us: int | None


class ZoneBook:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def lens(self, camera_id: str) -> Lens:
        with self.db.session() as s:
            row = s.get(PtzCamera, camera_id)
            return Lens.from_json(row.lens if row is not None else "{}")

    def list(self, camera_id: str) -> list[ZoneView]:
        with self.db.session() as s:
            rows = s.scalars(
                select(PtzZone).where(PtzZone.camera_id == camera_id).order_by(PtzZone.name)
            )
            return [
                ZoneView(z.name, Rect(z.u0, z.v0, z.u1, z.v1), z.residential, z.lifted_until_us)
                for z in rows
            ]

    def add(
        self, camera_id: str, who: Principal, name: str, drawn: Rect, at: PtzPosition,
        residential: bool = True,
    ) -> ZoneView:  # fmt: skip
        """Keep the rectangle drawn on the picture, seen from ``at``, as a zone in space."""
        who.require(Right.PTZ_CONTROL)
        name = " ".join(name.split())
        if not 1 <= len(name) <= 100:
            raise ValidationError("a zone name has 1 to 100 characters")
        space = to_space(self.lens(camera_id), at, drawn)
        with self.db.session() as s:
            s.add(PtzZone(
                camera_id=camera_id, name=name, u0=space.a0, v0=space.b0, u1=space.a1,
                v1=space.b1, residential=residential, lifted_until_us=None,
                created_by=who.username, created_us=self.clock.now_us(),
            ))  # fmt: skip
            try:
                s.flush()
            except IntegrityError:
                raise Conflict(f"camera {camera_id} has a zone called {name!r} already") from None
            record(s, who.actor, "ptz.zone.add", "camera", camera_id, "",
                   {"zone": name, "space": [space.a0, space.b0, space.a1, space.b1]},
                   clock=self.clock)  # fmt: skip
        return ZoneView(name, space, residential, None)

    def lift(self, camera_id: str, who: Principal, name: str, reason: str, minutes: int) -> int:
        """Lift a zone for ``minutes`` for a reason on the record; returns when it re-applies."""
        who.require(Right.PTZ_SUPERVISE)
        if not reason.strip():
            raise ValidationError("give the reason for lifting a privacy zone")
        if not 1 <= minutes <= MAX_LIFT_MINUTES:
            raise ValidationError(f"lift a zone for 1 to {MAX_LIFT_MINUTES} minutes")
        until = self.clock.now_us() + minutes * 60 * US_PER_S
        with self.db.session() as s:
            zone = s.scalar(
                select(PtzZone).where(PtzZone.camera_id == camera_id, PtzZone.name == name)
            )
            if zone is None:
                raise NotFound(f"camera {camera_id} has no privacy zone {name!r}")
            zone.lifted_until_us = until
            record(s, who.actor, "ptz.zone.lift", "camera", camera_id, reason.strip(),
                   {"zone": name, "minutes": minutes, "until_us": until},
                   clock=self.clock)  # fmt: skip
        return until

    def describe(self, camera_id: str) -> dict[str, Any]:
        """The zones and lens for a tile, which masks the active ones on live video."""
        now = self.clock.now_us()
        return {
            "type": "zones",
            "camera": camera_id,
            "lens": asdict(self.lens(camera_id)),
            "zones": [
                {"name": z.name, "u0": z.space.a0, "v0": z.space.b0, "u1": z.space.a1,
                 "v1": z.space.b1, "active": active(z.lifted_until_us, now)}
                for z in self.list(camera_id)
            ],
        }  # fmt: skip

    def check_target(self, camera_id: str, target: PtzPosition) -> None:
        """Refuse a move whose picture centre would fall inside an active zone."""
        lens, now = self.lens(camera_id), self.clock.now_us()
        for z in self.list(camera_id):
            if active(z.lifted_until_us, now) and centre_in(lens, target, z.space):
                raise Forbidden(
                    f"camera {camera_id}: that view centres the privacy zone {z.name!r}; "
                    "a supervisor can lift it for a recorded reason"
                )
