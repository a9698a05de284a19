"""Requests for footage: receipt (holds first), the state machine, clocks, decisions, close.

Every step is audited in the same transaction as the change. Receiving a request places a
hold per camera before the transaction commits, so nobody can search before the footage is
safe from the purge; the holds are released only when the request is closed, with the
closing reason (invariant 7 of ``docs/design/evidence.md``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.service import CameraService
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.evidence.deadlines import (
    Pause,
    Urgency,
    foi_due,
    sar_due,
    urgency,
    validate_extension,
)
from watchkeeper.evidence.kinds import KINDS, check_fields
from watchkeeper.evidence.models import (
    EvidenceRequest,
    ExportJob,
    JobState,
    RequestCamera,
    RequestKind,
    RequestPause,
    RequestState,
)
from watchkeeper.recording.holds import create_hold, release_hold
from watchkeeper.records.incident_models import Incident
from watchkeeper.timeutil import Clock, format_utc, to_local

__all__ = ["RequestService", "RequestSpec", "parse_ref"]

S = RequestState
MAX_WINDOW_US = 7 * 24 * 3600 * 1_000_000
"""A request may ask for up to a week of footage per camera (packages are cut per day)."""


@dataclass(frozen=True, slots=True)
class RequestSpec:
    kind: RequestKind
    requester_name: str
    lawful_basis: str
    camera_ids: Sequence[str]
    start_us: int
    end_us: int
    requester_org: str = ""
    requester_contact: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    incidents: str = ""


def _incident_refs(s: Session, text: str) -> list[str]:
    """Linked incident references, each checked to exist in the occurrence log."""
    refs = sorted({r for r in text.replace(",", " ").split() if r})
    found = set(s.scalars(select(Incident.ref).where(Incident.ref.in_(refs)))) if refs else set()
    missing = [r for r in refs if r not in found]
    if missing:
        raise ValidationError(f"no incident {', '.join(missing)} in the occurrence log")
    return refs


def parse_ref(ref: str) -> int:
    """``REQ-000012`` (or ``12``) to the request id."""
    text = ref.strip().upper().removeprefix("REQ-")
    if not text.isdigit():
        raise NotFound(f"request {ref} not found")
    return int(text)


class RequestService:
    def __init__(self, clock: Clock, cameras: CameraService) -> None:
        self.clock = clock
        self.cameras = cameras

    def _today(self) -> date:
        return to_local(self.clock.now_us()).date()

    def _audit(
        self, s: Session, who: Principal, req: EvidenceRequest, action: str, reason: str,
        details: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        req.updated_us = self.clock.now_us()
        s.flush()
        record(
            s, who.actor, f"request.{action}", "evidence_request", req.ref, reason,
            {"state": req.state, **(details or {})}, clock=self.clock,
        )  # fmt: skip

    @staticmethod
    def _due(req: EvidenceRequest) -> date | None:
        kind = RequestKind(req.kind)
        if kind is RequestKind.FOI:
            return foi_due(req.received_on)
        if kind is RequestKind.SUBJECT_ACCESS:
            pauses = [Pause(p.start_on, p.end_on) for p in req.pauses if p.end_on is not None]
            return sar_due(req.received_on, req.identity_on, pauses, req.extension_months)
        return None

    def receive(self, s: Session, who: Principal, spec: RequestSpec) -> EvidenceRequest:
        """Record a request and hold its footage, in the caller's transaction."""
        who.require(Right.REQUESTS_MANAGE)
        fields = check_fields(spec.kind, spec.fields, spec.lawful_basis)
        if not spec.requester_name.strip():
            raise ValidationError("name the requester")
        if spec.end_us <= spec.start_us:
            raise ValidationError("the window must end after it starts")
        if spec.end_us - spec.start_us > MAX_WINDOW_US:
            raise ValidationError("a request covers at most 7 days; make more than one")
        ids = sorted({c.strip() for c in spec.camera_ids if c.strip()})
        if not ids:
            raise ValidationError("name at least one camera")
        cams = [self.cameras.get(s, who, cid) for cid in ids]  # NotFound when not visible
        incidents = _incident_refs(s, spec.incidents)
        now = self.clock.now_us()
        req = EvidenceRequest(
            kind=spec.kind.value,
            state=S.RECEIVED.value,
            received_us=now,
            received_on=to_local(now).date(),
            received_by=who.username,
            requester_name=spec.requester_name.strip(),
            requester_org=spec.requester_org.strip(),
            requester_contact=spec.requester_contact.strip(),
            lawful_basis=spec.lawful_basis,
            fields=json.dumps(fields, sort_keys=True),
            start_us=spec.start_us,
            end_us=spec.end_us,
            incidents=", ".join(incidents),
            extension_months=0,
            updated_us=now,
        )
        s.add(req)
        s.flush()
        for cam in cams:
            hold = create_hold(
                s, who.actor, cam.id, spec.start_us, spec.end_us, req.ref,
                f"{KINDS[spec.kind].label} request received", req.requester_name,
                clock=self.clock,
            )  # fmt: skip
            s.add(RequestCamera(
                request_id=req.id, camera_id=cam.id, hold_id=hold.id, client_id=cam.client_id
            ))  # fmt: skip
        s.flush()
        s.refresh(req)
        req.due_on = self._due(req)
        self._audit(s, who, req, "receive", "request received", {
            "kind": req.kind, "cameras": ids, "start": format_utc(spec.start_us),
            "end": format_utc(spec.end_us), "due": str(req.due_on or ""),
        })  # fmt: skip
        return req

    def get(self, s: Session, who: Principal, ref: str | int) -> EvidenceRequest:
        who.require(Right.REQUESTS_VIEW)
        req = s.get(EvidenceRequest, ref if isinstance(ref, int) else parse_ref(ref))
        if req is None:
            raise NotFound(f"request {ref} not found")
        for c in req.cameras:
            self.cameras.get(s, who, c.camera_id)  # 404 if any camera is not visible
        return req

    def browse(self, s: Session, who: Principal, open_only: bool = False) -> list[EvidenceRequest]:
        who.require(Right.REQUESTS_VIEW)
        q = (
            select(EvidenceRequest)
            .options(selectinload(EvidenceRequest.cameras))
            .order_by(EvidenceRequest.id.desc())
        )
        if open_only:
            q = q.where(EvidenceRequest.state != S.CLOSED.value)
        return list(s.scalars(q))

    def due_counts(self, s: Session, who: Principal) -> tuple[int, int]:
        """(overdue, due soon) among open requests with a statutory deadline."""
        if not who.can(Right.REQUESTS_VIEW):
            return 0, 0
        today = self._today()
        marks = [urgency(r.due_on, today) for r in self.browse(s, who, open_only=True)
                 if r.due_on is not None]  # fmt: skip
        return marks.count(Urgency.OVERDUE), marks.count(Urgency.DUE_SOON)

    def _move(
        self, s: Session, who: Principal, ref: str | int, allowed: set[RequestState],
        to: RequestState, action: str, reason: str, details: dict[str, Any] | None = None,
    ) -> EvidenceRequest:  # fmt: skip
        req = self.get(s, who, ref)
        if RequestState(req.state) not in allowed:
            raise Conflict(f"{req.ref} is {req.state.replace('_', ' ')}; cannot {action} it")
        req.state = to.value
        self._audit(s, who, req, action, reason, details)
        return req

    def verify_identity(
        self, s: Session, who: Principal, ref: str | int, how: str
    ) -> EvidenceRequest:
        """Subject access: identity confirmed today; the month runs from today."""
        who.require(Right.REQUESTS_MANAGE)
        if not how.strip():
            raise ValidationError("say how identity was confirmed")
        req = self.get(s, who, ref)
        if req.kind != RequestKind.SUBJECT_ACCESS.value:
            raise Conflict("only a subject access request verifies identity")
        req.identity_on, req.identity_by = self._today(), who.username
        req.due_on = self._due(req)
        return self._move(s, who, req.id, {S.RECEIVED}, S.IDENTITY_VERIFIED, "verify_identity",
                          how.strip(), {"due": str(req.due_on)})  # fmt: skip

    def start_search(self, s: Session, who: Principal, ref: str | int) -> EvidenceRequest:
        who.require(Right.REQUESTS_MANAGE)
        req = self.get(s, who, ref)
        allowed = {S.IDENTITY_VERIFIED}
        if req.kind != RequestKind.SUBJECT_ACCESS.value:
            allowed.add(S.RECEIVED)
        return self._move(s, who, req.id, allowed, S.SEARCHING, "search", "search started")

    def to_review(self, s: Session, who: Principal, ref: str | int, note: str) -> EvidenceRequest:
        who.require(Right.REQUESTS_MANAGE)
        return self._move(s, who, ref, {S.SEARCHING}, S.REVIEWING, "review",
                          note.strip() or "footage found; for decision")  # fmt: skip

    def decide(
        self, s: Session, who: Principal, ref: str | int, approve: bool, reasons: str,
        exemptions: str = "", client_approvers: dict[str, str] | None = None,
    ) -> EvidenceRequest:  # fmt: skip
        """Approve or refuse (supervisor or DPO), with reasons; a client's camera needs
        that client's approver named."""
        who.require(Right.REQUESTS_APPROVE)
        if not reasons.strip():
            raise ValidationError("give the reasons for the decision")
        req = self.get(s, who, ref)
        approvers = {k: v.strip() for k, v in (client_approvers or {}).items() if v.strip()}
        if approve:
            for c in req.cameras:
                if c.client_id is not None:
                    if c.camera_id not in approvers:
                        raise ValidationError(
                            f"{c.camera_id} belongs to client {c.client_id}: name the "
                            "client's approver"
                        )
                    c.client_approver = approvers[c.camera_id]
        req.decided_us, req.decided_by = self.clock.now_us(), who.username
        req.decision_reasons, req.exemptions = reasons.strip(), exemptions.strip()
        to = S.APPROVED if approve else S.REFUSED
        return self._move(s, who, req.id, {S.REVIEWING}, to, "approve" if approve else "refuse",
                          reasons.strip(), {"exemptions": req.exemptions,
                                            "client_approvers": approvers})  # fmt: skip

    def start_export(
        self, s: Session, who: Principal, ref: str | int, stills: Sequence[int] = ()
    ) -> list[ExportJob]:
        """Queue one export job per camera (with stills at the given instants)."""
        who.require(Right.EVIDENCE_EXPORT)
        req = self.get(s, who, ref)
        outside = [at for at in stills if not req.start_us <= at < req.end_us]
        if outside:
            raise ValidationError("stills must lie inside the request's window")
        req = self._move(s, who, req.id, {S.APPROVED}, S.EXPORTING, "export", "export started",
                         {"stills": len(stills)})  # fmt: skip
        jobs = []
        for n, c in enumerate(req.cameras, 1):
            job = ExportJob(
                request_id=req.id, camera_id=c.camera_id, start_us=req.start_us,
                end_us=req.end_us, exhibit_ref=f"{req.ref}/{n}", state=JobState.QUEUED.value,
                stills=json.dumps(sorted(stills)),
                created_by=who.username, created_us=self.clock.now_us(),
            )  # fmt: skip
            s.add(job)
            jobs.append(job)
        s.flush()
        return jobs

    def release(
        self, s: Session, who: Principal, ref: str | int, to: str, how: str,
        unredacted_reason: str = "",
    ) -> EvidenceRequest:  # fmt: skip
        """Record the release; a subject access request releases redacted packages only,
        or says why an export may go unredacted (evidence.md, invariant 9)."""
        who.require(Right.REQUESTS_MANAGE)
        if not to.strip() or not how.strip():
            raise ValidationError("say to whom and how the footage was released")
        req = self.get(s, who, ref)
        jobs = s.scalars(select(ExportJob).where(ExportJob.request_id == req.id)).all()
        if not jobs or any(j.state != JobState.DONE.value for j in jobs):
            raise Conflict("release only when every export of the request is done")
        details: dict[str, Any] = {}
        if req.kind == RequestKind.SUBJECT_ACCESS.value:
            details = self._sar_release(s, jobs, unredacted_reason.strip())
        req.released_us, req.released_by = self.clock.now_us(), who.username
        req.released_to, req.released_how = to.strip(), how.strip()
        return self._move(s, who, req.id, {S.EXPORTING}, S.RELEASED, "release",
                          f"released to {to.strip()} by {how.strip()}", details)  # fmt: skip

    @staticmethod
    def _sar_release(s: Session, jobs: Sequence[ExportJob], reason: str) -> dict[str, Any]:
        """The release packages of the request's exports; every export without a finished
        redaction needs ``reason`` (why no one else's picture is in it)."""
        from watchkeeper.redaction.models import Redaction, RedactionState  # no import cycle
        from watchkeeper.redaction.release import release_name

        done = s.scalars(
            select(Redaction).where(
                Redaction.export_job_id.in_([j.id for j in jobs]),
                Redaction.state == RedactionState.DONE.value,
            )
        ).all()
        redacted = {r.export_job_id for r in done}
        bare = [j.package for j in jobs if j.id not in redacted]
        if bare and not reason:
            raise Conflict(
                "a subject access request releases redacted copies: redact "
                + ", ".join(bare)
                + " in the redaction studio (a clip with no one else in it renders unchanged,"
                " with a note), or record why it may be released unredacted"
            )
        out: dict[str, Any] = {"release_packages": sorted(release_name(r.package) for r in done)}
        if bare:
            out.update(unredacted=bare, unredacted_reason=reason)
        return out

    def close(self, s: Session, who: Principal, ref: str | int, reason: str) -> EvidenceRequest:
        """Close (done, refused or withdrawn) and release the request's holds with the reason."""
        who.require(Right.REQUESTS_MANAGE)
        if not reason.strip():
            raise ValidationError("say why the request is closed")
        req = self.get(s, who, ref)
        if req.state == S.CLOSED.value:
            raise Conflict(f"{req.ref} is closed already")
        for c in req.cameras:
            release_hold(s, who.actor, c.hold_id, f"{req.ref} closed: {reason.strip()}",
                         clock=self.clock)  # fmt: skip
        req.closed_us, req.closed_by, req.close_reason = (
            self.clock.now_us(), who.username, reason.strip()
        )  # fmt: skip
        return self._move(s, who, req.id, set(S) - {S.CLOSED}, S.CLOSED, "close", reason.strip())

    def pause(self, s: Session, who: Principal, ref: str | int, reason: str) -> EvidenceRequest:
        """Stop the clock while clarification is awaited (subject access)."""
        who.require(Right.REQUESTS_MANAGE)
        req = self.get(s, who, ref)
        if req.kind != RequestKind.SUBJECT_ACCESS.value or req.state == S.CLOSED.value:
            raise Conflict("only an open subject access request can pause its clock")
        if any(p.end_on is None for p in req.pauses) or not reason.strip():
            raise ValidationError("the clock is paused already, or no reason was given")
        s.add(RequestPause(request_id=req.id, start_on=self._today(), reason=reason.strip()))
        s.flush()
        s.refresh(req)
        self._audit(s, who, req, "pause", reason.strip())
        return req

    def resume(self, s: Session, who: Principal, ref: str | int) -> EvidenceRequest:
        who.require(Right.REQUESTS_MANAGE)
        req = self.get(s, who, ref)
        open_ = [p for p in req.pauses if p.end_on is None]
        if not open_:
            raise Conflict("the clock is not paused")
        open_[0].end_on = self._today()
        req.due_on = self._due(req)
        self._audit(s, who, req, "resume", "clarification received", {"due": str(req.due_on)})
        return req

    def extend(
        self, s: Session, who: Principal, ref: str | int, months: int, reason: str
    ) -> EvidenceRequest:
        """Extend a complex subject access request; the requester is told today."""
        who.require(Right.REQUESTS_APPROVE)
        req = self.get(s, who, ref)
        if req.kind != RequestKind.SUBJECT_ACCESS.value or not reason.strip():
            raise ValidationError("only a subject access request extends, with a reason")
        pauses = [Pause(p.start_on, p.end_on) for p in req.pauses if p.end_on is not None]
        validate_extension(req.received_on, self._today(), req.identity_on, pauses)
        req.extension_months, req.extension_told_on = months, self._today()
        req.due_on = self._due(req)
        self._audit(s, who, req, "extend", reason.strip(), {"months": months,
                                                             "due": str(req.due_on)})  # fmt: skip
        return req
