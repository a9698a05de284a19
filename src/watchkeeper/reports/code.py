"""The Surveillance Camera Code of Practice self-assessment, from what the system holds.

Each of the 12 principles is answered with figures read from the register, the records
and the governance tables, and a link to the screen that shows the evidence. Where the
system holds nothing for a principle, the answer says so and is marked ``gap``: it is
never marked met on an empty table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.models import User
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.evidence.models import EvidenceRequest, ExportJob
from watchkeeper.governance.models import (
    CameraReview,
    ControlledDocument,
    DocKind,
    DocumentAck,
    Dpia,
    OperatorRecord,
    RecordKind,
    Sign,
)
from watchkeeper.governance.people import DocumentService, shift_roles
from watchkeeper.reports.tables import Table

__all__ = ["PRINCIPLES", "Answer", "self_assessment", "self_assessment_table"]

PRINCIPLES = (
    "Use for a specified purpose, in pursuit of a legitimate aim and a pressing need",
    "Account for the effect on individuals and their privacy, with regular reviews",
    "Maximum transparency, with a published contact point for access and complaints",
    "Clear responsibility and accountability for all activities, images and information",
    "Clear rules, policies and procedures, communicated to all who must comply",
    "No more images stored than strictly required, deleted once no longer needed",
    "Access to retained images restricted, with clear rules on who and why",
    "Operators meet approved operational, technical and competency standards",
    "Images and information secured against unauthorised access and use",
    "Effective review and audit mechanisms, and regular published reports",
    "Used in the most effective way to support public safety, with evidential value",
    "Reference databases used for matching are accurate and up to date",
)


@dataclass(frozen=True)
class Answer:
    number: int
    principle: str
    status: str
    """``evidence`` (the system holds evidence), ``gap`` (it does not), ``n/a``."""
    evidence: str
    link: str


def _n(s: Session, q: object) -> int:
    return int(s.scalar(q) or 0)  # type: ignore[call-overload]


def self_assessment(s: Session, today: date, start_us: int, end_us: int) -> list[Answer]:
    count = func.count()
    in_service = Camera.status.in_([CameraStatus.ACTIVE, CameraStatus.SUSPENDED])
    cams = _n(s, select(count).select_from(Camera).where(in_service))
    with_purpose = _n(s, select(count).select_from(Camera).where(in_service, Camera.purpose != ""))
    dpias = _n(s, select(count).select_from(Dpia))
    dpias_due = _n(s, select(count).select_from(Dpia).where(Dpia.next_review < today))
    no_dpia = _n(s, select(count).select_from(Camera).where(in_service, Camera.dpia_ref == ""))
    reviews = _n(
        s,
        select(count).select_from(CameraReview).where(CameraReview.recorded_us >= start_us,
                                                      CameraReview.recorded_us < end_us),
    )  # fmt: skip
    overdue = _n(
        s,
        select(count)
        .select_from(Camera)
        .where(in_service, (Camera.next_review.is_(None)) | (Camera.next_review < today)),
    )
    published = _n(
        s,
        select(count)
        .select_from(Camera)
        .where(Camera.status == CameraStatus.ACTIVE, Camera.client_id.is_(None)),
    )
    signs = _n(s, select(count).select_from(Sign))
    signs_due = _n(s, select(count).select_from(Sign).where(Sign.next_inspection < today))
    docs = _n(s, select(count).select_from(ControlledDocument))
    cop = s.scalar(
        select(ControlledDocument).where(ControlledDocument.kind == DocKind.CODE_OF_PRACTICE.value)
    )
    staff = list(
        s.scalars(
            select(User.username).where(User.role.in_(shift_roles()), User.disabled.is_(False))
        )
    )
    cop_line, cop_ok = "no code of practice has been issued in the system", False
    if cop is not None:
        v = DocumentService.current(s, cop.id)
        if v is not None:
            read = set(
                s.scalars(select(DocumentAck.username).where(DocumentAck.version_id == v.id))
            )
            unread = [u for u in staff if u not in read]
            cop_ok = True
            cop_line = (
                f"{cop.code} version {v.version} issued {v.issued_on:%d/%m/%Y}; acknowledged by "
                f"{len(staff) - len(unread)} of {len(staff)} shift staff"
            )
    justified = _n(
        s,
        select(count).select_from(Camera).where(in_service, Camera.retention_justification != ""),
    )
    max_days = s.scalar(select(func.max(Camera.retention_days)).where(in_service))
    requests = _n(
        s,
        select(count)
        .select_from(EvidenceRequest)
        .where(EvidenceRequest.received_us >= start_us, EvidenceRequest.received_us < end_us),
    )
    audit_rows = _n(s, select(count).select_from(AuditEntry))
    licensed = _n(
        s,
        select(count)
        .select_from(User)
        .where(User.role.in_(shift_roles()), User.disabled.is_(False), User.sia_expiry >= today),
    )
    training = _n(
        s,
        select(count)
        .select_from(OperatorRecord)
        .where(
            OperatorRecord.kind == RecordKind.TRAINING.value,
            (OperatorRecord.expires_on.is_(None)) | (OperatorRecord.expires_on >= today),
        ),
    )
    exports = _n(
        s,
        select(count)
        .select_from(ExportJob)
        .where(
            ExportJob.state == "done",
            ExportJob.created_us >= start_us,
            ExportJob.created_us < end_us,
        ),
    )

    def a(n: int, ok: bool, text: str, link: str) -> Answer:
        return Answer(n, PRINCIPLES[n - 1], "evidence" if ok else "gap", text, link)

    return [
        a(1, cams > 0 and with_purpose == cams,
          f"{with_purpose} of {cams} cameras in service state a purpose in the register",
          "/cameras"),
        a(2, dpias > 0 and no_dpia == 0 and dpias_due == 0,
          f"{dpias} DPIAs registered ({dpias_due} past their review date); {no_dpia} cameras "
          f"in service name no DPIA; {reviews} camera reviews done in the period",
          "/governance/dpias"),
        a(3, published > 0,
          f"{published} cameras on the published register; {signs} signs registered "
          f"({signs_due} past their inspection date)",
          "/public/cameras"),
        a(4, docs > 0,
          f"{docs} controlled documents; every action of consequence is in the audit log "
          "with its user",
          "/governance/documents"),
        a(5, cop_ok, cop_line, "/governance/documents"),
        a(6, cams > 0 and justified == cams,
          f"{justified} of {cams} cameras justify their retention period; longest "
          f"{max_days or 0} days; deletions logged with their rule",
          "/cameras"),
        a(7, audit_rows > 0,
          f"{requests} disclosure requests received in the period (each decision records its "
          "approver); access by role, recorded viewing and disclosure in the audit log",
          "/requests"),
        a(8, licensed > 0 and training > 0,
          f"{licensed} of {len(staff)} shift staff hold an SIA licence in date; "
          f"{training} training records in date",
          "/governance/operators"),
        a(9, audit_rows > 0,
          f"default-deny roles; hash-chained audit log of {audit_rows} entries (verify it on "
          "the Audit page)",
          "/audit"),
        a(10, reviews > 0 and overdue == 0,
          f"{reviews} camera reviews in the period; {overdue} cameras overdue or never "
          "reviewed; this annual review pack",
          "/governance/reviews"),
        a(11, exports > 0,
          f"{exports} signed, self-verifying export packages made in the period",
          "/requests"),
        Answer(12, PRINCIPLES[11], "n/a",
               "no reference database: the system does no face or number-plate matching",
               ""),
    ]  # fmt: skip


def self_assessment_table(answers: list[Answer]) -> Table:
    return Table(
        "code_self_assessment",
        "Surveillance Camera Code: self-assessment",
        ["principle", "statement", "status", "evidence", "screen"],
        [[x.number, x.principle, x.status, x.evidence, x.link] for x in answers],
    )
