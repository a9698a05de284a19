"""Tables of governance: camera reviews, DPIAs, signage, operators' records, controlled
documents and their acknowledgements, commercial clients' terms and monthly reports,
and disclosures to partner schemes.

Files people attach (signage photos, training certificates, SIA check screenshots) are
kept in the row itself, capped in size by the services, so a backup of the database is a
backup of the governance record.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros
from watchkeeper.records.vocab import check_in

__all__ = [
    "CameraReview",
    "ClientReport",
    "ClientTerms",
    "ControlledDocument",
    "Decision",
    "DocKind",
    "DocumentAck",
    "DocumentVersion",
    "Dpia",
    "OperatorRecord",
    "PartnerDisclosure",
    "RecordKind",
    "Sign",
]


class Decision(enum.StrEnum):
    RETAIN = "retain"
    RELOCATE = "relocate"
    DECOMMISSION = "decommission"


class RecordKind(enum.StrEnum):
    TRAINING = "training"
    VETTING = "vetting"
    CONFIDENTIALITY = "confidentiality"
    SIA_CHECK = "sia_check"


class DocKind(enum.StrEnum):
    CODE_OF_PRACTICE = "code_of_practice"
    PROCEDURE = "procedure"


class CameraReview(Base):
    """One annual review of a camera against its stated purpose (Code principle 10)."""

    __tablename__ = "camera_review"
    __table_args__ = (CheckConstraint(check_in("decision", Decision), name="decision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text, comment="The purpose as it stood at review")
    still_justified: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text)
    incidents: Mapped[int] = mapped_column(
        Integer, comment="Incidents the camera contributed to in the year before, counted"
    )
    complaints: Mapped[str] = mapped_column(Text, default="")
    maintenance: Mapped[str] = mapped_column(Text, default="")
    signage_checked: Mapped[bool] = mapped_column(Boolean)
    decision: Mapped[str] = mapped_column(String(16))
    next_review: Mapped[date | None] = mapped_column(Date, comment="NULL: decommissioned")
    recorded_us: Mapped[int] = micros()


class Dpia(Base):
    """A data protection impact assessment; the cameras it covers carry its ``ref``."""

    __tablename__ = "dpia"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), unique=True, comment="= camera.dpia_ref")
    title: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(200))
    next_review: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_us: Mapped[int] = micros()


class Sign(Base):
    """A CCTV sign: where it is, which cameras it announces, a photo, its inspections."""

    __tablename__ = "signage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("area.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    cameras: Mapped[str] = mapped_column(Text, default="", comment="Camera ids, comma-separated")
    wording: Mapped[str] = mapped_column(Text, default="")
    last_inspected: Mapped[date | None] = mapped_column(Date)
    next_inspection: Mapped[date | None] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str] = mapped_column(String(32), default="")
    updated_us: Mapped[int] = micros()


class OperatorRecord(Base):
    """A training course, vetting, confidentiality declaration or SIA licence re-check."""

    __tablename__ = "operator_record"
    __table_args__ = (CheckConstraint(check_in("kind", RecordKind), name="kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    done_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, comment="Attached file")
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    evidence_type: Mapped[str] = mapped_column(String(100), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_us: Mapped[int] = micros()


class ControlledDocument(Base):
    """The code of practice or a procedure (ISO 9001 document control)."""

    __tablename__ = "controlled_document"
    __table_args__ = (CheckConstraint(check_in("kind", DocKind), name="kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, comment="e.g. COP, PROC-07")
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))


class DocumentVersion(Base):
    """An issued version; the newest one is current and must be acknowledged."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "version", name="version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("controlled_document.id"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(64))
    changes: Mapped[str] = mapped_column(Text, comment="What changed, for the reader")
    body: Mapped[str] = mapped_column(Text, default="", comment="The text, when kept here")
    issued_us: Mapped[int] = micros()


class DocumentAck(Base):
    """A person's acknowledgement that they read a version (and, for the code of
    practice, re-signed the confidentiality declaration)."""

    __tablename__ = "document_ack"
    __table_args__ = (UniqueConstraint("version_id", "username", name="once"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    at_us: Mapped[int] = micros()


class ClientTerms(Base):
    """A commercial client's contract and its own rules (the client is the controller)."""

    __tablename__ = "client_terms"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), primary_key=True)
    contract_ref: Mapped[str] = mapped_column(String(100), default="")
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    contacts: Mapped[str] = mapped_column(Text, default="")
    retention_days: Mapped[int | None] = mapped_column(Integer)
    disclosure_approvers: Mapped[str] = mapped_column(
        Text, default="", comment="Names at the client who approve disclosures"
    )
    report_to: Mapped[str] = mapped_column(Text, default="", comment="Who gets the monthly report")
    updated_us: Mapped[int] = micros()


class ClientReport(Base):
    """A monthly monitoring report as generated (kept: what was sent is what is shown)."""

    __tablename__ = "client_report"
    __table_args__ = (UniqueConstraint("client_id", "month", name="month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), comment="YYYY-MM, local")
    generated_us: Mapped[int] = micros()
    generated_by: Mapped[str] = mapped_column(String(64), comment="A user, or 'schedule'")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class PartnerDisclosure(Base):
    """Information given to a Shopwatch or Pubwatch member under its sharing agreement.

    No images: what was shared is described, and people are referenced by the scheme's
    own system ids (e.g. its DISC ids), never pictured here.
    """

    __tablename__ = "partner_disclosure"
    __table_args__ = (
        CheckConstraint("isa_ref != '' AND shared != '' AND reason != ''", name="explained"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("partner_member.id"), index=True)
    isa_ref: Mapped[str] = mapped_column(String(100), comment="Agreement relied on")
    incident_ref: Mapped[str] = mapped_column(String(16), default="")
    scheme_ids: Mapped[str] = mapped_column(Text, default="", comment="Scheme system ids")
    shared: Mapped[str] = mapped_column(Text, comment="What was shared")
    reason: Mapped[str] = mapped_column(Text, comment="Why")
    disclosed_by: Mapped[str] = mapped_column(String(64))
    at_us: Mapped[int] = micros(index=True)
