"""Request and response shapes of the control-room records API."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from watchkeeper.records.incident_models import Incident
from watchkeeper.records.log_models import Fault, PartnerMember, RadioEntry, Shift, Visitor
from watchkeeper.records.vocab import Channel, Outcome, Scheme, Source
from watchkeeper.web.bounds import SmallInt, TimeUs

__all__ = [
    "EntryIn",
    "FaultOut",
    "IncidentIn",
    "IncidentOut",
    "IncidentSummary",
    "MemberIn",
    "MemberOut",
    "RadioIn",
    "RadioOut",
    "ShiftOut",
    "SpanIn",
    "VisitorOut",
]

Text = Field(default="", max_length=4000)


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category_id: str = Field(max_length=32)
    source: Source
    summary: str = Text
    area_id: str | None = None
    location: str = Text
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    police_ref: str = Field(default="", max_length=64)
    crime_ref: str = Field(default="", max_length=64)
    scheme_ref: str = Field(default="", max_length=100)
    opened_us: TimeUs | None = None


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    sort: SmallInt = 0
    active: bool = True


class IncidentFields(BaseModel):
    """The editable fields of an incident, each typed and bounded; give only those that change.

    ``null`` is accepted only where a field may be empty (area and position).
    """

    model_config = ConfigDict(extra="forbid")
    category_id: str | None = Field(default=None, max_length=32)
    source: Source | None = None
    area_id: str | None = Field(default=None, max_length=64)
    location: str | None = Field(default=None, max_length=4000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    summary: str | None = Field(default=None, max_length=4000)
    police_ref: str | None = Field(default=None, max_length=64)
    crime_ref: str | None = Field(default=None, max_length=64)
    scheme_ref: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _not_null(self) -> IncidentFields:
        nulls = sorted(k for k in self.model_fields_set - NULLABLE if getattr(self, k) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self

    def given(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


NULLABLE = frozenset({"area_id", "latitude", "longitude"})


class IncidentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: IncidentFields
    reason: str = Field(default="", max_length=2000)


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    why: str = Field(default="", max_length=2000)
    at_us: TimeUs | None = None


class OfficerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    collar_number: str = Field(default="", max_length=32)
    reason: str = Field(default="", max_length=2000)


class OutcomesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcomes: list[Outcome] = Field(max_length=20)
    reason: str = Field(default="", max_length=2000)


class SpanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    camera_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=50)
    start_us: TimeUs
    end_us: TimeUs
    note: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=2000)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class IncidentSummary(BaseModel):
    ref: str
    status: str
    opened_us: int
    closed_us: int | None
    category: str
    source: str
    area_id: str | None
    location: str
    summary: str
    operator: str
    outcomes: list[str]

    @classmethod
    def of(cls, i: Incident) -> IncidentSummary:
        return cls(
            ref=i.ref,
            status=i.status,
            opened_us=i.opened_us,
            closed_us=i.closed_us,
            category=i.category.name,
            source=i.source,
            area_id=i.area_id,
            location=i.location,
            summary=i.summary,
            operator=i.operator_name,
            outcomes=[o.outcome for o in i.outcomes],
        )


class IncidentOut(IncidentSummary):
    category_id: str
    latitude: float | None
    longitude: float | None
    police_ref: str
    crime_ref: str
    scheme_ref: str
    officers: list[dict[str, str]]
    cameras: list[dict[str, Any]]
    entries: list[dict[str, Any]]

    @classmethod
    def full(cls, i: Incident) -> IncidentOut:
        base = IncidentSummary.of(i).model_dump()
        return cls(
            **base,
            category_id=i.category_id,
            latitude=i.latitude,
            longitude=i.longitude,
            police_ref=i.police_ref,
            crime_ref=i.crime_ref,
            scheme_ref=i.scheme_ref,
            officers=[{"name": o.name, "collar_number": o.collar_number} for o in i.officers],
            cameras=[
                {
                    "camera_id": c.camera_id,
                    "start_us": c.start_us,
                    "end_us": c.end_us,
                    "note": c.note,
                    "hold_id": c.hold_id,
                    "hold_expires_us": c.hold_expires_us,
                    "released_us": c.released_us,
                    "released_by": c.released_by,
                    "release_reason": c.release_reason,
                }
                for c in i.cameras
            ],
            entries=[
                {
                    "id": e.id,
                    "at_us": e.at_us,
                    "recorded_us": e.recorded_us,
                    "author": e.author_name,
                    "kind": e.kind,
                    "text": e.text,
                    "reason": e.reason,
                    "details": json.loads(e.details or "{}"),
                }
                for e in i.entries
            ],
        )


class RadioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Channel
    caller: str = Field(default="", max_length=100)
    message: str = Field(min_length=1, max_length=2000)
    at_us: TimeUs | None = None
    incident_ref: str | None = Field(default=None, max_length=32)


class RadioOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at_us: int
    channel: str
    caller: str
    message: str
    incident_id: int | None
    author_name: str

    @classmethod
    def of(cls, e: RadioEntry) -> RadioOut:
        return cls.model_validate(e)


class ShiftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    on_us: int
    off_us: int | None
    handover: str

    @classmethod
    def of(cls, x: Shift) -> ShiftOut:
        return cls.model_validate(x)


class VisitorOut(BaseModel):
    id: int
    name: str
    organisation: str
    purpose: str
    host: str
    in_us: int
    out_us: int | None
    police: bool
    viewed: list[dict[str, Any]]

    @classmethod
    def of(cls, v: Visitor) -> VisitorOut:
        return cls(
            id=v.id,
            name=v.name,
            organisation=v.organisation,
            purpose=v.purpose,
            host=v.host,
            in_us=v.in_us,
            out_us=v.out_us,
            police=v.police,
            viewed=[
                {
                    "camera_id": x.camera_id,
                    "incident_id": x.incident_id,
                    "note": x.note,
                    "at_us": x.at_us,
                }
                for x in v.viewed
            ],
        )


class FaultOut(BaseModel):
    id: int
    camera_id: str | None
    component: str
    summary: str
    status: str
    reported_us: int
    reported_by: str
    maintainer: str
    maintainer_ref: str
    acknowledged_us: int | None
    fixed_us: int | None
    events: list[dict[str, Any]]

    @classmethod
    def of(cls, f: Fault) -> FaultOut:
        return cls(
            id=f.id,
            camera_id=f.camera_id,
            component=f.component,
            summary=f.summary,
            status=f.status,
            reported_us=f.reported_us,
            reported_by=f.reported_by,
            maintainer=f.maintainer,
            maintainer_ref=f.maintainer_ref,
            acknowledged_us=f.acknowledged_us,
            fixed_us=f.fixed_us,
            events=[{"at_us": e.at_us, "by": e.by, "text": e.text} for e in f.events],
        )


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    scheme: Scheme
    isa_ref: str = Field(min_length=1, max_length=100)
    isa_date: date
    address: str = Text
    contact: str = Text
    handset_ids: str = Field(default="", max_length=500)
    active: bool = True
    reason: str = Field(default="", max_length=2000)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    ref: str
    name: str
    scheme: str
    address: str
    contact: str
    handset_ids: str
    isa_ref: str
    isa_date: date
    active: bool

    @classmethod
    def of(cls, m: PartnerMember) -> MemberOut:
        return cls.model_validate(m)
