"""Operators' records and controlled documents (ISO 9001 document control).

Records: training, vetting, confidentiality declarations and SIA licence re-checks, each
with the evidence attached; a re-check also stamps the user's ``sia_checked_on``.

Documents: the code of practice and procedures, versioned. The newest version of each is
current, and everyone who signs on for a shift (the roles holding ``shifts.write``) must
have acknowledged every current version first: :meth:`DocumentService.require_read` is the
gate the shift log calls at sign-on. Acknowledging the code of practice re-signs the
confidentiality declaration, which is written as an operator record too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import RIGHTS, Right, Role
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.governance.models import (
    ControlledDocument,
    DocKind,
    DocumentAck,
    DocumentVersion,
    OperatorRecord,
    RecordKind,
)
from watchkeeper.timeutil import Clock, to_local

__all__ = ["DocumentService", "OperatorRecords", "RecordIn", "Unread", "shift_roles"]

EVIDENCE_LIMIT = 10 * 1024 * 1024
DECLARATION = (
    "I have read this version of the code of practice and will keep confidential "
    "everything I see and hear in the control room."
)


def shift_roles() -> list[str]:
    """Roles whose holders sign on for shifts, so must read the current documents."""
    return [r.value for r in Role if Right.SHIFTS_WRITE in RIGHTS[r]]


@dataclass
class RecordIn:
    username: str
    kind: str
    title: str
    done_on: date
    expires_on: date | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Unread:
    document: ControlledDocument
    version: DocumentVersion
    missing: list[str]
    """Users (shift roles, not disabled) who have not acknowledged it."""


class OperatorRecords:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def staff(self, s: Session, who: Principal) -> list[User]:
        who.require(Right.GOVERNANCE_VIEW)
        q = select(User).where(User.role.in_(shift_roles())).order_by(User.username)
        return list(s.scalars(q))

    def list(self, s: Session, who: Principal, username: str | None = None) -> list[OperatorRecord]:
        who.require(Right.GOVERNANCE_VIEW)
        q = select(OperatorRecord).order_by(OperatorRecord.done_on.desc(), OperatorRecord.id.desc())
        if username:
            q = q.where(OperatorRecord.username == username)
        return list(s.scalars(q))

    def get(self, s: Session, who: Principal, record_id: int) -> OperatorRecord:
        who.require(Right.GOVERNANCE_VIEW)
        row = s.get(OperatorRecord, record_id)
        if row is None:
            raise NotFound(f"no operator record {record_id}")
        return row

    def add(
        self,
        s: Session,
        who: Principal,
        data: RecordIn,
        evidence: bytes | None = None,
        evidence_name: str = "",
        evidence_type: str = "",
    ) -> OperatorRecord:
        who.require(Right.GOVERNANCE_MANAGE)
        user = s.scalar(select(User).where(User.username == data.username))
        if user is None:
            raise ValidationError(f"no user {data.username!r}")
        try:
            kind = RecordKind(data.kind)
        except ValueError:
            raise ValidationError(
                "choose training, vetting, confidentiality or SIA check"
            ) from None
        if not data.title.strip():
            raise ValidationError("name the course, check or declaration")
        if data.expires_on is not None and data.expires_on <= data.done_on:
            raise ValidationError("it must expire after it was done")
        if kind is RecordKind.SIA_CHECK and not evidence:
            raise ValidationError("attach the SIA register check (a screenshot or PDF)")
        if evidence is not None and len(evidence) > EVIDENCE_LIMIT:
            raise ValidationError("an attachment may be at most 10 MB")
        row = OperatorRecord(
            username=user.username,
            kind=kind.value,
            title=data.title.strip(),
            done_on=data.done_on,
            expires_on=data.expires_on,
            outcome=data.outcome.strip(),
            evidence=evidence or None,
            evidence_name=evidence_name[:200] if evidence else "",
            evidence_type=evidence_type[:100] if evidence else "",
            recorded_by=who.username,
            recorded_us=self.clock.now_us(),
        )
        s.add(row)
        if kind is RecordKind.SIA_CHECK:
            user.sia_checked_on = data.done_on
        s.flush()
        details = {"record": str(row.id), "evidence": row.evidence_name}
        record(s, who.actor, f"operator.{kind.value}", "user", user.username, row.title, details,
               clock=self.clock)  # fmt: skip
        return row


class DocumentService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def documents(self, s: Session) -> list[tuple[ControlledDocument, DocumentVersion | None]]:
        docs = s.scalars(select(ControlledDocument).order_by(ControlledDocument.code))
        return [(d, self.current(s, d.id)) for d in docs]

    @staticmethod
    def current(s: Session, document_id: int) -> DocumentVersion | None:
        q = (
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.issued_us.desc(), DocumentVersion.id.desc())
            .limit(1)
        )
        return s.scalar(q)

    def version(self, s: Session, version_id: int) -> DocumentVersion:
        v = s.get(DocumentVersion, version_id)
        if v is None:
            raise NotFound(f"no document version {version_id}")
        return v

    def issue(
        self,
        s: Session,
        who: Principal,
        code: str,
        title: str,
        kind: str,
        version: str,
        changes: str,
        body: str = "",
    ) -> DocumentVersion:
        """Issue a new version (creating the document the first time); it is current at once."""
        who.require(Right.GOVERNANCE_MANAGE)
        code, version = code.strip().upper(), version.strip()
        if not code or not title.strip() or not version or not changes.strip():
            raise ValidationError("a version needs the document code, title, version and changes")
        try:
            kind_v = DocKind(kind).value
        except ValueError:
            raise ValidationError("choose code of practice or procedure") from None
        doc = s.scalar(select(ControlledDocument).where(ControlledDocument.code == code))
        if doc is None:
            doc = ControlledDocument(code=code, title=title.strip(), kind=kind_v)
            s.add(doc)
            s.flush()
        else:
            doc.title = title.strip()
        taken = s.scalar(
            select(DocumentVersion.id).where(
                DocumentVersion.document_id == doc.id, DocumentVersion.version == version
            )
        )
        if taken is not None:
            raise Conflict(f"{code} version {version} was issued already")
        now = self.clock.now_us()
        v = DocumentVersion(
            document_id=doc.id,
            version=version,
            issued_on=to_local(now).date(),
            issued_by=who.username,
            changes=changes.strip(),
            body=body.strip(),
            issued_us=now,
        )
        s.add(v)
        s.flush()
        record(s, who.actor, "document.issue", "document", f"{code} {version}", changes.strip(),
               {"kind": kind_v}, clock=self.clock)  # fmt: skip
        return v

    def acknowledge(self, s: Session, who: Principal, version_id: int) -> DocumentAck:
        who.require(Right.SHIFTS_WRITE)
        v = self.version(s, version_id)
        existing = s.scalar(
            select(DocumentAck).where(
                DocumentAck.version_id == v.id, DocumentAck.username == who.username
            )
        )
        if existing is not None:
            return existing
        now = self.clock.now_us()
        ack = DocumentAck(version_id=v.id, username=who.username, at_us=now)
        s.add(ack)
        doc = s.get(ControlledDocument, v.document_id)
        assert doc is not None
        if doc.kind == DocKind.CODE_OF_PRACTICE.value:
            s.add(
                OperatorRecord(
                    username=who.username,
                    kind=RecordKind.CONFIDENTIALITY.value,
                    title=f"Confidentiality declaration, {doc.code} version {v.version}",
                    done_on=to_local(now).date(),
                    outcome=DECLARATION,
                    recorded_by=who.username,
                    recorded_us=now,
                )
            )
        s.flush()
        record(s, who.actor, "document.acknowledge", "document", f"{doc.code} {v.version}", "",
               {}, clock=self.clock)  # fmt: skip
        return ack

    def unread_by(
        self, s: Session, username: str
    ) -> list[tuple[ControlledDocument, DocumentVersion]]:
        """Current versions ``username`` has not acknowledged."""
        out = []
        for doc, v in self.documents(s):
            if v is None:
                continue
            acked = s.scalar(
                select(DocumentAck.id).where(
                    DocumentAck.version_id == v.id, DocumentAck.username == username
                )
            )
            if acked is None:
                out.append((doc, v))
        return out

    def require_read(self, s: Session, who: Principal) -> None:
        """The sign-on gate: refuse while a current version is unacknowledged."""
        if unread := self.unread_by(s, who.username):
            names = ", ".join(f"{d.code} version {v.version}" for d, v in unread)
            raise Conflict(f"read and acknowledge {names} before signing on (Documents page)")

    def unread(self, s: Session, who: Principal) -> list[Unread]:
        """For each current version, who among the shift staff has not read it."""
        who.require(Right.GOVERNANCE_VIEW)
        staff = list(
            s.scalars(
                select(User.username)
                .where(User.role.in_(shift_roles()), User.disabled.is_(False))
                .order_by(User.username)
            )
        )
        out = []
        for doc, v in self.documents(s):
            if v is None:
                continue
            read = set(
                s.scalars(select(DocumentAck.username).where(DocumentAck.version_id == v.id))
            )
            out.append(Unread(doc, v, [u for u in staff if u not in read]))
        return out

    def acks(self, s: Session, version_id: int) -> list[DocumentAck]:
        q = select(DocumentAck).where(DocumentAck.version_id == version_id)
        return list(s.scalars(q.order_by(DocumentAck.at_us)))
