"""The visitor register: who came into the control room, why, and what police viewed.

No one is signed in without accepting the confidentiality declaration; the table's
CHECK constraint holds that even against direct SQL. Police visits list the cameras
and incidents shown, for the disclosure record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.log_models import Visitor, VisitorViewed
from watchkeeper.timeutil import Clock

__all__ = ["VisitorIn", "VisitorService"]


@dataclass
class VisitorIn:
    name: str
    purpose: str
    host: str
    declaration_accepted: bool
    organisation: str = ""
    police: bool = False


class VisitorService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def list(self, s: Session, who: Principal, on_site: bool = False) -> list[Visitor]:
        who.require(Right.VISITORS_WRITE)
        q = select(Visitor).options(selectinload(Visitor.viewed))
        if on_site:
            q = q.where(Visitor.out_us.is_(None))
        return list(s.scalars(q.order_by(Visitor.in_us.desc()).limit(200)))

    def get(self, s: Session, who: Principal, visitor_id: int) -> Visitor:
        who.require(Right.VISITORS_WRITE)
        v = s.get(Visitor, visitor_id)
        if v is None:
            raise NotFound(f"no visitor {visitor_id}")
        return v

    def sign_in(self, s: Session, who: Principal, data: VisitorIn) -> Visitor:
        who.require(Right.VISITORS_WRITE)
        if not data.declaration_accepted:
            raise ValidationError("the visitor must accept the confidentiality declaration")
        if not (data.name.strip() and data.purpose.strip() and data.host.strip()):
            raise ValidationError("name, purpose and host are required")
        v = Visitor(
            name=data.name.strip(),
            organisation=data.organisation.strip(),
            purpose=data.purpose.strip(),
            host=data.host.strip(),
            in_us=self.clock.now_us(),
            declaration_accepted=True,
            police=data.police,
            recorded_by=who.username,
        )
        s.add(v)
        s.flush()
        record(
            s,
            who.actor,
            "visitor.in",
            "visitor",
            str(v.id),
            data.purpose,
            {"name": v.name, "organisation": v.organisation, "police": v.police},
            clock=self.clock,
        )
        return v

    def sign_out(self, s: Session, who: Principal, visitor_id: int) -> Visitor:
        v = self.get(s, who, visitor_id)
        if v.out_us is not None:
            raise Conflict(f"visitor {visitor_id} signed out already")
        v.out_us = self.clock.now_us()
        record(s, who.actor, "visitor.out", "visitor", str(v.id), "", {}, clock=self.clock)
        return v

    def viewed(
        self,
        s: Session,
        who: Principal,
        visitor_id: int,
        camera_id: str | None = None,
        incident_ref: str | None = None,
        note: str = "",
    ) -> VisitorViewed:
        """Record that the visitor was shown a camera and/or an incident."""
        v = self.get(s, who, visitor_id)
        if camera_id is None and not incident_ref:
            raise ValidationError("name the camera or the incident shown")
        if camera_id is not None and s.get(Camera, camera_id) is None:
            raise ValidationError(f"no camera {camera_id!r}")
        incident_id = None
        if incident_ref:
            incident_id = s.scalar(select(Incident.id).where(Incident.ref == incident_ref))
            if incident_id is None:
                raise ValidationError(f"no incident {incident_ref}")
        row = VisitorViewed(
            visitor_id=v.id,
            camera_id=camera_id,
            incident_id=incident_id,
            note=note.strip(),
            at_us=self.clock.now_us(),
        )
        s.add(row)
        v.viewed.append(row)
        s.flush()
        record(
            s,
            who.actor,
            "visitor.viewed",
            "visitor",
            str(v.id),
            note,
            {"camera": camera_id, "incident": incident_ref},
            clock=self.clock,
        )
        return row
