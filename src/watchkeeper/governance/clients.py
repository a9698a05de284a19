"""Commercial clients: contract, contacts, cameras, own retention and disclosure approvers,
client users, and the monthly monitoring report.

A month's report is generated once and kept (what the client was sent is what is shown
again); generating it again on demand replaces it and is audited. The schedule
(:meth:`ClientService.generate_due`, run hourly by the server's ``MonthlyReports`` timer
or by the ``reports monthly`` command from cron) makes last month's report for every
client that has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Camera, Client
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.governance.models import ClientReport, ClientTerms
from watchkeeper.reports.annual import monthly_report, render_pdf
from watchkeeper.timeutil import Clock, to_local

__all__ = ["ClientService", "TermsIn", "previous_month"]


@dataclass
class TermsIn:
    contract_ref: str = ""
    contract_start: date | None = None
    contract_end: date | None = None
    contacts: str = ""
    retention_days: int | None = None
    disclosure_approvers: str = ""
    report_to: str = ""


def previous_month(today: date) -> str:
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def _check_month(month: str) -> str:
    try:
        y, m = (int(x) for x in month.split("-"))
        date(y, m, 1)
    except ValueError:
        raise ValidationError(f"a month is YYYY-MM, not {month!r}") from None
    return f"{y:04d}-{m:02d}"


class ClientService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def today(self) -> date:
        return to_local(self.clock.now_us()).date()

    def all(self, s: Session, who: Principal) -> list[Client]:
        who.require(Right.GOVERNANCE_VIEW)
        return list(s.scalars(select(Client).order_by(Client.name)))

    def get(self, s: Session, who: Principal, client_id: str) -> Client:
        who.require(Right.GOVERNANCE_VIEW)
        client = s.get(Client, client_id)
        if client is None:
            raise NotFound(f"no client {client_id!r}")
        return client

    def terms(self, s: Session, client_id: str) -> ClientTerms | None:
        return s.get(ClientTerms, client_id)

    def cameras(self, s: Session, client_id: str) -> list[Camera]:
        return list(
            s.scalars(select(Camera).where(Camera.client_id == client_id).order_by(Camera.id))
        )

    def users(self, s: Session, client_id: str) -> list[User]:
        return list(
            s.scalars(select(User).where(User.client_id == client_id).order_by(User.username))
        )

    def reports(self, s: Session, client_id: str) -> list[ClientReport]:
        q = select(ClientReport).where(ClientReport.client_id == client_id)
        return list(s.scalars(q.order_by(ClientReport.month.desc())))

    def save_terms(self, s: Session, who: Principal, client_id: str, data: TermsIn) -> ClientTerms:
        who.require(Right.GOVERNANCE_MANAGE)
        self.get(s, who, client_id)
        if data.retention_days is not None and not 1 <= data.retention_days <= 3660:
            raise ValidationError("retention is 1 to 3660 days")
        if data.contract_start and data.contract_end and data.contract_end <= data.contract_start:
            raise ValidationError("the contract must end after it starts")
        terms = s.get(ClientTerms, client_id)
        if terms is None:
            terms = ClientTerms(client_id=client_id)
            s.add(terms)
        for k, v in data.__dict__.items():
            setattr(terms, k, v.strip() if isinstance(v, str) else v)
        terms.updated_us = self.clock.now_us()
        s.flush()
        record(s, who.actor, "client.terms", "client", client_id, "",
               {k: str(v) for k, v in data.__dict__.items()}, clock=self.clock)  # fmt: skip
        return terms

    def own_reports(self, s: Session, who: Principal) -> list[ClientReport]:
        """A client viewer's own client's reports (none for an account without a client)."""
        who.require(Right.CLIENT_REPORTS)
        return self.reports(s, who.client_id) if who.client_id else []

    def report(self, s: Session, who: Principal, client_id: str, month: str) -> ClientReport:
        """One month's report: for the centre's staff, or the client's own viewers."""
        if not (who.can(Right.CLIENT_REPORTS) and who.client_id == client_id):
            who.require(Right.GOVERNANCE_VIEW)
        row = s.scalar(
            select(ClientReport).where(
                ClientReport.client_id == client_id, ClientReport.month == _check_month(month)
            )
        )
        if row is None:
            raise NotFound(f"no report for {client_id} in {month}")
        return row

    def generate(
        self, s: Session, who: Principal | None, client_id: str, month: str
    ) -> ClientReport:
        """Make (or remake) ``client_id``'s report for ``month``; ``who`` None: the schedule."""
        if who is not None:
            who.require(Right.GOVERNANCE_MANAGE)
        month = _check_month(month)
        client = s.get(Client, client_id)
        if client is None:
            raise NotFound(f"no client {client_id!r}")
        if month > f"{self.today():%Y-%m}":
            raise ValidationError("that month has not begun")
        pdf = render_pdf(monthly_report(s, client, month, self.today()))
        row = s.scalar(
            select(ClientReport).where(
                ClientReport.client_id == client_id, ClientReport.month == month
            )
        )
        if row is None:
            row = ClientReport(client_id=client_id, month=month)
            s.add(row)
        row.pdf, row.generated_us = pdf, self.clock.now_us()
        row.generated_by = who.username if who is not None else "schedule"
        s.flush()
        actor = who.actor if who is not None else Actor.system("reports")
        record(s, actor, "client.report", "client", client_id, "", {"month": month},
               clock=self.clock)  # fmt: skip
        return row

    def generate_due(self, s: Session) -> list[ClientReport]:
        """Last month's report for every client that has none yet (the schedule's job)."""
        month = previous_month(self.today())
        made = []
        for client_id in s.scalars(select(Client.id).order_by(Client.id)):
            exists = s.scalar(
                select(ClientReport.id).where(
                    ClientReport.client_id == client_id, ClientReport.month == month
                )
            )
            if exists is None:
                made.append(self.generate(s, None, client_id, month))
        return made
