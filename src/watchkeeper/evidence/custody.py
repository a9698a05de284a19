"""The continuity log (every copy and hand-over) and the disclosure register.

Entries are only ever added, each audited in the same transaction. The register lists
every request that released footage: to whom, how, when, on what basis and who decided.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import ValidationError
from watchkeeper.evidence.models import CustodyAction, CustodyEntry, EvidenceRequest, Still
from watchkeeper.timeutil import Clock, format_local, format_utc

__all__ = [
    "CustodyNote",
    "add_entry",
    "entries",
    "register_csv",
    "released",
    "stills_made",
    "stills_register_csv",
]


@dataclass(frozen=True, slots=True)
class CustodyNote:
    action: CustodyAction
    recipient: str
    collar_number: str = ""
    force: str = ""
    medium_id: str = ""
    hash_checked: bool = False
    manifest_sha256: str = ""
    notes: str = ""


def add_entry(
    s: Session, who: Principal, request_id: int | None, job_id: int | None, note: CustodyNote,
    clock: Clock,
) -> CustodyEntry:  # fmt: skip
    who.require(Right.REQUESTS_MANAGE)
    if note.action is CustodyAction.HANDED_OVER and not note.recipient.strip():
        raise ValidationError("a hand-over names the recipient")
    if note.action is CustodyAction.HANDED_OVER and not note.medium_id.strip():
        raise ValidationError("a hand-over names the medium (disc, drive or link id)")
    entry = CustodyEntry(
        request_id=request_id, job_id=job_id, at_us=clock.now_us(), action=note.action.value,
        recipient=note.recipient.strip(), collar_number=note.collar_number.strip(),
        force=note.force.strip(), medium_id=note.medium_id.strip(),
        hash_checked=note.hash_checked, manifest_sha256=note.manifest_sha256.strip(),
        recorded_by=who.username, notes=note.notes.strip(),
    )  # fmt: skip
    s.add(entry)
    s.flush()
    record(s, who.actor, f"custody.{note.action.value}", "evidence_custody", str(entry.id),
           note.notes.strip() or note.action.value, {
               "request_id": request_id, "recipient": entry.recipient,
               "collar_number": entry.collar_number, "force": entry.force,
               "medium_id": entry.medium_id, "hash_checked": entry.hash_checked,
           }, clock=clock)  # fmt: skip
    return entry


def entries(s: Session, request_id: int) -> list[CustodyEntry]:
    q = select(CustodyEntry).where(CustodyEntry.request_id == request_id)
    return list(s.scalars(q.order_by(CustodyEntry.at_us, CustodyEntry.id)))


def released(s: Session, who: Principal) -> list[EvidenceRequest]:
    """The disclosure register: every request that released footage, newest first."""
    who.require(Right.REQUESTS_VIEW)
    q = select(EvidenceRequest).where(EvidenceRequest.released_us.is_not(None))
    return list(s.scalars(q.order_by(EvidenceRequest.released_us.desc())))


def register_csv(rows: list[EvidenceRequest]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["request", "kind", "requester", "organisation", "lawful basis", "cameras",
                "window start (UTC)", "window end (UTC)", "decided by", "released (London)",
                "released (UTC)", "released to", "how", "released by"])  # fmt: skip
    for r in rows:
        w.writerow([r.ref, r.kind, r.requester_name, r.requester_org, r.lawful_basis,
                    " ".join(c.camera_id for c in r.cameras), format_utc(r.start_us),
                    format_utc(r.end_us), r.decided_by or "", format_local(r.released_us),
                    format_utc(r.released_us), r.released_to, r.released_how,
                    r.released_by or ""])  # fmt: skip
    return out.getvalue()


def stills_made(s: Session, who: Principal) -> list[Still]:
    """The stills register: every still put into a package, newest first."""
    who.require(Right.REQUESTS_VIEW)
    return list(s.scalars(select(Still).order_by(Still.made_us.desc(), Still.id.desc())))


def stills_register_csv(rows: list[Still]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["still", "request", "camera", "instant (London)", "instant (UTC)", "package",
                "file", "sha256", "made by", "made (UTC)"])  # fmt: skip
    for r in rows:
        w.writerow([r.id, f"REQ-{r.request_id:06d}" if r.request_id else "", r.camera_id,
                    format_local(r.at_us), format_utc(r.at_us), r.package, r.path, r.sha256,
                    r.made_by, format_utc(r.made_us)])  # fmt: skip
    return out.getvalue()
