"""Tables of evidence and disclosure: requests, their cameras and pauses, export jobs,
download links and the custody (continuity) log.

Every time is UTC microseconds; dates that law counts in days (receipt, pauses, due) are
calendar dates in Europe/London. States and kinds are checked strings.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watchkeeper.db.base import Base, micros

__all__ = [
    "CustodyAction",
    "CustodyEntry",
    "DownloadLink",
    "EvidenceRequest",
    "ExportJob",
    "JobState",
    "RequestCamera",
    "RequestKind",
    "RequestPause",
    "RequestState",
    "Still",
]


class RequestKind(enum.StrEnum):
    POLICE = "police"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUBJECT_ACCESS = "subject_access"
    FOI = "foi"
    MEDIA = "media"
    COURT_ORDER = "court_order"


class RequestState(enum.StrEnum):
    RECEIVED = "received"
    IDENTITY_VERIFIED = "identity_verified"
    SEARCHING = "searching"
    REVIEWING = "reviewing"
    APPROVED = "approved"
    REFUSED = "refused"
    EXPORTING = "exporting"
    RELEASED = "released"
    CLOSED = "closed"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CustodyAction(enum.StrEnum):
    PRODUCED = "produced"
    COPIED = "copied"
    HANDED_OVER = "handed_over"
    RETURNED = "returned"
    DESTROYED = "destroyed"


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class EvidenceRequest(Base):
    """One request for footage; its reference is ``REQ-`` and the zero-padded id."""

    __tablename__ = "evidence_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20), default=RequestState.RECEIVED.value)
    received_us: Mapped[int] = micros(comment="When it arrived (the clocks start here)")
    received_on: Mapped[date] = mapped_column(Date, comment="Local date of receipt")
    received_by: Mapped[str] = mapped_column(String(64))
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_org: Mapped[str] = mapped_column(String(200), default="")
    requester_contact: Mapped[str] = mapped_column(Text, default="")
    lawful_basis: Mapped[str] = mapped_column(Text)
    fields: Mapped[str] = mapped_column(
        Text, default="{}", comment="Kind-specific fields (officer, force, collar...), JSON"
    )
    start_us: Mapped[int] = micros(comment="Window asked for")
    end_us: Mapped[int] = micros()
    incidents: Mapped[str] = mapped_column(Text, default="", comment="Linked incident refs")
    identity_on: Mapped[date | None] = mapped_column(Date, comment="Identity confirmed (SAR)")
    identity_by: Mapped[str | None] = mapped_column(String(64))
    extension_months: Mapped[int] = mapped_column(Integer, default=0)
    extension_told_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(
        Date, comment="Computed statutory deadline; NULL when none applies"
    )
    decided_us: Mapped[int | None] = micros(nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    exemptions: Mapped[str] = mapped_column(Text, default="")
    released_us: Mapped[int | None] = micros(nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_to: Mapped[str] = mapped_column(Text, default="")
    released_how: Mapped[str] = mapped_column(Text, default="")
    closed_us: Mapped[int | None] = micros(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    updated_us: Mapped[int] = micros()
    cameras: Mapped[list[RequestCamera]] = relationship(order_by="RequestCamera.camera_id")
    pauses: Mapped[list[RequestPause]] = relationship(order_by="RequestPause.start_on")
    __table_args__ = (
        CheckConstraint(_in("kind", RequestKind), name="kind"),
        CheckConstraint(_in("state", RequestState), name="state"),
        CheckConstraint("end_us > start_us", name="positive_window"),
        CheckConstraint("requester_name != '' AND lawful_basis != ''", name="explained"),
        CheckConstraint("extension_months BETWEEN 0 AND 2", name="extension"),
        CheckConstraint("state != 'closed' OR close_reason != ''", name="closed_with_reason"),
        Index("ix_evidence_request_state", "state", "due_on"),
    )

    @property
    def ref(self) -> str:
        return f"REQ-{self.id:06d}"


class RequestCamera(Base):
    """A camera a request covers, the hold placed on it at receipt, and a client's approver."""

    __tablename__ = "evidence_request_camera"
    request_id: Mapped[int] = mapped_column(ForeignKey("evidence_request.id"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("recording_hold.id"))
    client_id: Mapped[str | None] = mapped_column(String(64), comment="Owner, when a client's")
    client_approver: Mapped[str | None] = mapped_column(
        String(200), comment="Who at the client approved release (needed for a client's camera)"
    )


class RequestPause(Base):
    """Time the clock stood still awaiting clarification; end NULL while still waiting."""

    __tablename__ = "evidence_request_pause"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("evidence_request.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    __table_args__ = (CheckConstraint("end_on IS NULL OR end_on >= start_on", name="order"),)


class ExportJob(Base):
    """One package to build: durable, resumed after a restart, cancellable."""

    __tablename__ = "evidence_job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_request.id"), index=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    stream: Mapped[str] = mapped_column(String(8), default="main")
    start_us: Mapped[int] = micros()
    end_us: Mapped[int] = micros()
    exhibit_ref: Mapped[str] = mapped_column(String(100), default="")
    stills: Mapped[str] = mapped_column(
        Text, default="[]", comment="Instants (UTC µs, JSON list) to include as stills"
    )
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    stage: Mapped[str] = mapped_column(String(16), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    package: Mapped[str] = mapped_column(Text, default="", comment="Folder under DATA_DIR/exports")
    manifest_sha256: Mapped[str] = mapped_column(String(64), default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()
    started_us: Mapped[int | None] = micros(nullable=True)
    finished_us: Mapped[int | None] = micros(nullable=True)
    __table_args__ = (
        CheckConstraint(_in("state", JobState), name="state"),
        CheckConstraint("end_us > start_us", name="positive_window"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index("ix_evidence_job_state", "state"),
    )


class DownloadLink(Base):
    """An expiring link to a finished package; only the token's SHA-256 is stored."""

    __tablename__ = "evidence_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("evidence_job.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    encrypted: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Serves the AES-256 zip (password shown once, not kept)"
    )
    expires_us: Mapped[int] = micros()
    created_by: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()


class CustodyEntry(Base):
    """One line of the continuity log: a copy made or a hand-over. Never updated."""

    __tablename__ = "evidence_custody"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_request.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_job.id"))
    at_us: Mapped[int] = micros()
    action: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200), default="")
    collar_number: Mapped[str] = mapped_column(String(32), default="")
    force: Mapped[str] = mapped_column(String(100), default="")
    medium_id: Mapped[str] = mapped_column(String(100), default="", comment="Disc, drive or link")
    hash_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    manifest_sha256: Mapped[str] = mapped_column(String(64), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (CheckConstraint(_in("action", CustodyAction), name="action"),)


class Still(Base):
    """The stills register: every still picture put into a package. Never updated."""

    __tablename__ = "evidence_still"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_job.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_request.id"))
    camera_id: Mapped[str] = mapped_column(String(64))
    at_us: Mapped[int] = micros(comment="The instant asked for")
    package: Mapped[str] = mapped_column(Text, comment="Package folder name")
    path: Mapped[str] = mapped_column(Text, comment="File inside the package")
    sha256: Mapped[str] = mapped_column(String(64))
    made_by: Mapped[str] = mapped_column(String(64))
    made_us: Mapped[int] = micros()
