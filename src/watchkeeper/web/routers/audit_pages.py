"""The audit trail for auditors: filter by user, action, object and time; CSV export; the
hash chain's verification state (``audit.service.verify``, fetched after the page loads
because it walks the whole chain).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import verify
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import ValidationError
from watchkeeper.timeutil import format_utc
from watchkeeper.web.deps import SessionDep, require
from watchkeeper.web.forms import FormCheck
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import format_uk, parse_uk_time

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.AUDIT_VIEW))]
Verifier = Annotated[Principal, Depends(require(Right.AUDIT_VERIFY))]
PAGE_ROWS = 300
CSV_ROWS = 100_000


@dataclass
class AuditFilter:
    user: str = ""
    action: str = ""
    subject: str = ""
    time_from: str = ""
    time_to: str = ""

    def query(self, check: FormCheck) -> Select[AuditEntry]:
        q = select(AuditEntry).order_by(AuditEntry.seq.desc())
        if self.user.strip():
            q = q.where(AuditEntry.username == self.user.strip())
        if self.action.strip():
            q = q.where(AuditEntry.action.startswith(self.action.strip(), autoescape=True))
        if self.subject.strip():
            thing = self.subject.strip()
            q = q.where(
                or_(
                    AuditEntry.object_id == thing,
                    AuditEntry.details.contains(f'"{thing}"', autoescape=True),
                )
            )
        for name, text, lower in (
            ("time_from", self.time_from, True),
            ("time_to", self.time_to, False),
        ):
            if text.strip():
                try:
                    at = parse_uk_time(text)
                except ValidationError as exc:
                    check.refused(name, exc)
                    continue
                q = q.where(AuditEntry.at_us >= at if lower else AuditEntry.at_us < at)
        return q


def _actions(s: Session) -> list[str]:
    return list(s.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/audit", response_class=HTMLResponse)
    def trail(
        request: Request,
        s: SessionDep,
        who: Viewer,
        user: str = "",
        action: str = "",
        subject: str = "",
        time_from: str = "",
        time_to: str = "",
    ) -> Response:
        f = AuditFilter(user, action, subject, time_from, time_to)
        check = FormCheck()
        q = f.query(check)
        rows = list(s.scalars(q.limit(PAGE_ROWS))) if check.ok else []
        return pages.render(
            request,
            "audit.html",
            status_code=200 if check.ok else 422,
            who=who,
            rows=rows,
            f=f,
            actions=_actions(s),
            errors=check.errors,
            limit=PAGE_ROWS,
            csv_query=request.url.query,
        )

    @router.get("/audit.csv")
    def trail_csv(
        s: SessionDep,
        who: Viewer,
        user: str = "",
        action: str = "",
        subject: str = "",
        time_from: str = "",
        time_to: str = "",
    ) -> Response:
        check = FormCheck()
        q = AuditFilter(user, action, subject, time_from, time_to).query(check)
        if not check.ok:
            raise ValidationError("; ".join(check.errors.values()))
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["seq", "utc", "london", "user", "action", "object_type", "object_id",
                    "reason", "details", "hash"])  # fmt: skip
        for e in s.scalars(q.limit(CSV_ROWS)):
            when = format_uk(e.at_us, seconds=True)
            w.writerow(
                [e.seq, format_utc(e.at_us), when, e.username, e.action, e.object_type,
                 e.object_id, e.reason, e.details, e.hash]
            )  # fmt: skip
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
        )

    @router.get("/audit/verify", response_class=HTMLResponse)
    def verify_state(request: Request, s: SessionDep, who: Verifier) -> Response:
        return pages.render(request, "_audit_verify.html", who=who, result=verify(s))

    return router
