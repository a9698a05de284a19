"""Tables of the running logs: radio, partner members, shifts and checks, visitors, faults."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watchkeeper.db.base import Base, micros
from watchkeeper.records.vocab import Channel, FaultStatus, Scheme, check_in

__all__ = [
    "DailyCheck",
    "Fault",
    "FaultEvent",
    "PartnerMember",
    "RadioEntry",
    "Shift",
    "Visitor",
    "VisitorViewed",
]


class PartnerMember(Base):
    """A Shopwatch or Pubwatch member venue, under an information sharing agreement."""

    __tablename__ = "partner_member"
    __table_args__ = (CheckConstraint(check_in("scheme", Scheme), name="scheme"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(
        String(100), unique=True, comment="Matches app_user.partner_member_ref"
    )
    name: Mapped[str] = mapped_column(String(200))
    scheme: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    handset_ids: Mapped[str] = mapped_column(Text, default="", comment="Comma-separated")
    isa_ref: Mapped[str] = mapped_column(String(100), comment="Information sharing agreement")
    isa_date: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_us: Mapped[int] = micros()


class RadioEntry(Base):
    __tablename__ = "radio_entry"
    __table_args__ = (CheckConstraint(check_in("channel", Channel), name="channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_us: Mapped[int] = micros(index=True)
    channel: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str] = mapped_column(String(100), comment="Call-sign, handset or member")
    message: Mapped[str] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("partner_member.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(64))
    recorded_us: Mapped[int] = micros()


class Shift(Base):
    __tablename__ = "shift"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    on_us: Mapped[int] = micros(index=True)
    off_us: Mapped[int | None] = micros(nullable=True)
    handover: Mapped[str] = mapped_column(Text, default="", comment="Notes for the next shift")


class DailyCheck(Base):
    """The first operator's check of the day; one per local calendar day."""

    __tablename__ = "daily_check"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    at_us: Mapped[int] = micros()
    done_by: Mapped[str] = mapped_column(String(64))
    cameras_total: Mapped[int | None] = mapped_column(Integer)
    cameras_online: Mapped[int | None] = mapped_column(Integer)
    cameras_recording: Mapped[int | None] = mapped_column(Integer)
    police_link_ok: Mapped[bool] = mapped_column(Boolean)
    radios_ok: Mapped[bool] = mapped_column(Boolean)
    phone_ok: Mapped[bool] = mapped_column(Boolean)
    faults_found: Mapped[str] = mapped_column(Text, default="")


class Visitor(Base):
    __tablename__ = "visitor"
    __table_args__ = (CheckConstraint("declaration_accepted", name="declaration"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(64))
    in_us: Mapped[int] = micros(index=True)
    out_us: Mapped[int | None] = micros(nullable=True)
    declaration_accepted: Mapped[bool] = mapped_column(Boolean)
    police: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(64))
    viewed: Mapped[list[VisitorViewed]] = relationship(order_by="VisitorViewed.id")


class VisitorViewed(Base):
    """What a (police) visitor viewed: a camera, an incident, or both."""

    __tablename__ = "visitor_viewed"
    __table_args__ = (
        CheckConstraint("camera_id IS NOT NULL OR incident_id IS NOT NULL", name="something"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id"), index=True)
    camera_id: Mapped[str | None] = mapped_column(ForeignKey("camera.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at_us: Mapped[int] = micros()


class Fault(Base):
    __tablename__ = "fault"
    __table_args__ = (CheckConstraint(check_in("status", FaultStatus), name="status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str | None] = mapped_column(
        ForeignKey("camera.id"), index=True, comment="NULL: a system fault"
    )
    component: Mapped[str] = mapped_column(String(100), default="", comment="For system faults")
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=FaultStatus.OPEN.value, index=True)
    reported_us: Mapped[int] = micros(index=True)
    reported_by: Mapped[str] = mapped_column(String(64))
    maintainer: Mapped[str] = mapped_column(String(200), default="")
    maintainer_ref: Mapped[str] = mapped_column(String(100), default="")
    acknowledged_us: Mapped[int | None] = micros(nullable=True)
    fixed_us: Mapped[int | None] = micros(nullable=True)
    events: Mapped[list[FaultEvent]] = relationship(order_by="FaultEvent.id")


class FaultEvent(Base):
    __tablename__ = "fault_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fault_id: Mapped[int] = mapped_column(ForeignKey("fault.id"), index=True)
    at_us: Mapped[int] = micros()
    by: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
