"""Tables of the occurrence log: incidents, their timeline, cameras, officers and outcomes.

The timeline (``incident_entry``) is append-only: the migration adds triggers that
refuse UPDATE and DELETE on it, so a closed incident's history cannot be rewritten
even from SQL. The full-text index objects are dialect-specific and live only in the
migration (FTS5 on SQLite, tsvector with GIN on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watchkeeper.db.base import Base, micros
from watchkeeper.records.vocab import IncidentStatus, Outcome, Source, check_in

__all__ = [
    "Category",
    "Incident",
    "IncidentCamera",
    "IncidentCounter",
    "IncidentEntry",
    "IncidentOfficer",
    "IncidentOutcome",
]


class Category(Base):
    """An incident category; retired ones stay for old incidents but leave the pick list."""

    __tablename__ = "incident_category"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IncidentCounter(Base):
    """Last sequence number given out per year; bumped in the creating transaction."""

    __tablename__ = "incident_counter"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_incident_year_seq"),
        CheckConstraint(check_in("source", Source), name="source"),
        CheckConstraint(check_in("status", IncidentStatus), name="status"),
        CheckConstraint("(status = 'closed') = (closed_us IS NOT NULL)", name="closed_has_time"),
        Index("ix_incident_category_opened", "category_id", "opened_us"),
        Index("ix_incident_area_opened", "area_id", "opened_us"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True, comment="YYYY-NNNNNN")
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.OPEN.value)
    opened_us: Mapped[int] = micros(index=True)
    closed_us: Mapped[int | None] = micros(nullable=True)
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id"), index=True, comment="Operator who opened it"
    )
    operator_name: Mapped[str] = mapped_column(String(64), comment="As it was at the time")
    source: Mapped[str] = mapped_column(String(32))
    category_id: Mapped[str] = mapped_column(ForeignKey("incident_category.id"))
    area_id: Mapped[str | None] = mapped_column(ForeignKey("area.id"))
    location: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text, default="")
    police_ref: Mapped[str] = mapped_column(String(64), default="", comment="CAD or log number")
    crime_ref: Mapped[str] = mapped_column(String(64), default="")
    scheme_ref: Mapped[str] = mapped_column(
        String(100), default="", comment="Partner scheme's own system id; no photo gallery"
    )
    updated_us: Mapped[int] = micros()
    category: Mapped[Category] = relationship()
    entries: Mapped[list[IncidentEntry]] = relationship(
        order_by="IncidentEntry.id", back_populates="incident"
    )
    cameras: Mapped[list[IncidentCamera]] = relationship(order_by="IncidentCamera.start_us")
    officers: Mapped[list[IncidentOfficer]] = relationship(order_by="IncidentOfficer.id")
    outcomes: Mapped[list[IncidentOutcome]] = relationship(
        order_by="IncidentOutcome.outcome", cascade="all, delete-orphan"
    )

    @property
    def closed(self) -> bool:
        return self.status == IncidentStatus.CLOSED.value


class IncidentEntry(Base):
    """One line of the timeline: an action and why, a change, a close or an amendment."""

    __tablename__ = "incident_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    at_us: Mapped[int] = micros(comment="When it happened (operator may backdate a little)")
    recorded_us: Mapped[int] = micros(comment="When it was written")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    author_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(
        String(16), comment="open, action, change, camera, officer, outcome, close, amendment"
    )
    text: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(
        Text, default="", comment="Why: the action's or amendment's"
    )
    details: Mapped[str] = mapped_column(Text, default="{}", comment="JSON: old and new values")
    incident: Mapped[Incident] = relationship(back_populates="entries")


class IncidentCamera(Base):
    """A camera span marked on an incident; ``hold_id`` names the footage hold placed."""

    __tablename__ = "incident_camera"
    __table_args__ = (CheckConstraint("end_us > start_us", name="span_order"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    start_us: Mapped[int] = micros()
    end_us: Mapped[int] = micros()
    note: Mapped[str] = mapped_column(Text, default="")
    added_us: Mapped[int] = micros()
    added_by: Mapped[str] = mapped_column(String(64))
    hold_id: Mapped[str] = mapped_column(String(64), comment="Id given by the holds engine")
    hold_expires_us: Mapped[int] = micros()
    released_us: Mapped[int | None] = micros(nullable=True)
    released_by: Mapped[str] = mapped_column(String(64), default="")
    release_reason: Mapped[str] = mapped_column(Text, default="")


class IncidentOfficer(Base):
    __tablename__ = "incident_officer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    collar_number: Mapped[str] = mapped_column(String(32), default="")
    added_us: Mapped[int] = micros()


class IncidentOutcome(Base):
    __tablename__ = "incident_outcome"
    __table_args__ = (CheckConstraint(check_in("outcome", Outcome), name="outcome"),)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
