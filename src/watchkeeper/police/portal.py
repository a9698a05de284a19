"""The police portal: an officer files a police request online, follows it, and downloads
its released package through an expiring link.

The council's request service does the receiving (holds placed before the transaction
commits, the request in the council's queue like any other). The officer holds no council
right, so the portal hands the service a *desk* principal: the officer's own user id and
name (every audit row and the request's ``received_by`` name the officer) with the rights of
the council's request desk, used only for the steps written here. An officer sees only the
requests filed under their own account, and only released packages of those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.errors import NotFound
from watchkeeper.evidence.custody import CustodyNote, add_entry
from watchkeeper.evidence.links import make_link, resolve_link
from watchkeeper.evidence.models import (
    CustodyAction,
    EvidenceRequest,
    ExportJob,
    JobState,
    RequestKind,
    RequestState,
)
from watchkeeper.evidence.requests import RequestService, RequestSpec, parse_ref
from watchkeeper.police.accounts import account_of
from watchkeeper.timeutil import Clock

__all__ = ["LINK_HOURS", "PortalRequest", "PortalService"]

LINK_HOURS = 24
RELEASED = {RequestState.RELEASED.value, RequestState.CLOSED.value}


@dataclass(frozen=True, slots=True)
class PortalRequest:
    crime_ref: str
    offence: str
    countersigning_officer: str
    lawful_basis: str
    camera_ids: tuple[str, ...]
    start_us: int
    end_us: int
    contact: str = ""


def _desk(officer: Principal) -> Principal:
    return Principal(officer.user_id, officer.username, Role.OPERATOR)


class PortalService:
    def __init__(self, clock: Clock, requests: RequestService, exports: Path) -> None:
        self.clock = clock
        self.requests = requests
        self.exports = exports

    def file(self, s: Session, officer: Principal, form: PortalRequest) -> EvidenceRequest:
        """Receive the officer's request (footage held at once), with their force and
        collar number from their account."""
        officer.require(Right.POLICE_PORTAL)
        acct = account_of(s, officer.user_id)
        spec = RequestSpec(
            kind=RequestKind.POLICE,
            requester_name=officer.username,
            requester_org=acct.force,
            requester_contact=form.contact,
            lawful_basis=form.lawful_basis,
            camera_ids=form.camera_ids,
            start_us=form.start_us,
            end_us=form.end_us,
            fields={
                "officer": officer.username,
                "force": acct.force,
                "collar_number": acct.collar_number,
                "crime_ref": form.crime_ref,
                "offence": form.offence,
                "countersigning_officer": form.countersigning_officer,
            },
        )
        return self.requests.receive(s, _desk(officer), spec)

    def mine(self, s: Session, officer: Principal) -> list[EvidenceRequest]:
        officer.require(Right.POLICE_PORTAL)
        q = select(EvidenceRequest).where(
            EvidenceRequest.kind == RequestKind.POLICE.value,
            EvidenceRequest.received_by == officer.username,
        )
        return list(s.scalars(q.order_by(EvidenceRequest.id.desc())))

    def get(self, s: Session, officer: Principal, ref: str) -> EvidenceRequest:
        officer.require(Right.POLICE_PORTAL)
        req = s.get(EvidenceRequest, parse_ref(ref))
        if req is None or req.received_by != officer.username or req.kind != RequestKind.POLICE:
            raise NotFound(f"request {ref} not found")
        return req

    def packages(self, s: Session, officer: Principal, ref: str) -> list[ExportJob]:
        """The finished packages of a released request (none before release)."""
        req = self.get(s, officer, ref)
        if req.state not in RELEASED:
            return []
        q = select(ExportJob).where(
            ExportJob.request_id == req.id, ExportJob.state == JobState.DONE.value
        )
        return list(s.scalars(q.order_by(ExportJob.id)))

    def link(self, s: Session, officer: Principal, ref: str, job_id: int) -> str:
        """A download token for one released package, valid for ``LINK_HOURS``."""
        if job_id not in {j.id for j in self.packages(s, officer, ref)}:
            raise NotFound(f"no released package {job_id} on request {ref}")
        token, _, _ = make_link(s, _desk(officer), job_id, self.clock, self.exports,
                                hours=LINK_HOURS)  # fmt: skip
        return token

    def download(self, s: Session, officer: Principal, token: str) -> Path:
        """The package a live token of the officer's points at; audited, and logged as a
        copy in the continuity log."""
        officer.require(Right.POLICE_PORTAL)
        job, path = resolve_link(s, token, self.clock.now_us(), self.exports)
        req = s.get(EvidenceRequest, job.request_id) if job.request_id else None
        if req is None or req.received_by != officer.username or req.state not in RELEASED:
            raise NotFound("download link unknown or expired; make a new one")
        acct = account_of(s, officer.user_id)
        record(s, officer.actor, "evidence.download", "evidence_job", str(job.id),
               "package downloaded on the police portal",
               {"package": job.package, "manifest_sha256": job.manifest_sha256,
                "force": acct.force, "collar_number": acct.collar_number},
               clock=self.clock)  # fmt: skip
        add_entry(s, _desk(officer), req.id, job.id, CustodyNote(
            CustodyAction.COPIED, officer.username, collar_number=acct.collar_number,
            force=acct.force, medium_id=f"download {path.name}",
            manifest_sha256=job.manifest_sha256, notes="downloaded on the police portal",
        ), self.clock)  # fmt: skip
        return path
