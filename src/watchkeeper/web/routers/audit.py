"""Reading and verifying the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from watchkeeper.audit.anchor import CHECKPOINT_FILE, verify_anchored
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.timeutil import format_utc
from watchkeeper.web.bounds import Cursor
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.schemas import AuditPublic

__all__ = ["router"]

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
def list_audit(
    s: SessionDep,
    who: Annotated[Principal, Depends(require(Right.AUDIT_VIEW))],
    action: str | None = None,
    object_id: str | None = None,
    username: str | None = None,
    before_seq: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditPublic]:
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action == action)
    if object_id:
        q = q.where(AuditEntry.object_id == object_id)
    if username:
        q = q.where(AuditEntry.username == username)
    if before_seq:
        q = q.where(AuditEntry.seq < before_seq)
    return [
        AuditPublic(
            seq=e.seq,
            at=format_utc(e.at_us),
            username=e.username,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            reason=e.reason,
            details=e.details,
        )
        for e in s.scalars(q)
    ]


@router.get("/verify")
def verify_chain(
    system: SystemDep,
    s: SessionDep,
    who: Annotated[Principal, Depends(require(Right.AUDIT_VERIFY))],
) -> dict[str, object]:
    checkpoints = system.settings.data_dir / CHECKPOINT_FILE
    result = verify_anchored(s, system.db.audit_key, checkpoints)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "first_bad_seq": result.first_bad_seq,
        "problem": result.problem,
    }
