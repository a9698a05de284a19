"""The annual review pack (Code principle 10) and the commercial clients' monthly report.

Both are assembled from :mod:`reports.figures` tables, printed by the one document engine
(:mod:`reports.document`) with bar charts, and every table is also a CSV. Periods are
local (Europe/London) calendar years and months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.cameras.models import Camera, CameraStatus, Client
from watchkeeper.governance.models import (
    CameraReview,
    Dpia,
    OperatorRecord,
    PartnerDisclosure,
    Sign,
)
from watchkeeper.reports.code import self_assessment, self_assessment_table
from watchkeeper.reports.document import Document
from watchkeeper.reports.figures import (
    fault_tables,
    incident_tables,
    request_tables,
    uptime_table,
)
from watchkeeper.reports.tables import Table
from watchkeeper.timeutil import date_to_us, format_local

__all__ = ["Report", "annual_report", "month_bounds", "monthly_report", "render_pdf", "year_bounds"]

CHARTED = {"incidents_by_month", "incidents_by_category", "incidents_by_source"}


@dataclass
class Report:
    title: str
    subtitle: str
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def year_bounds(year: int) -> tuple[int, int]:
    return date_to_us(date(year, 1, 1)), date_to_us(date(year + 1, 1, 1))


def month_bounds(month: str) -> tuple[int, int]:
    """``YYYY-MM`` to its local start and end."""
    y, m = (int(x) for x in month.split("-"))
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return date_to_us(date(y, m, 1)), date_to_us(nxt)


def _governance_tables(s: Session, start: int, end: int, today: date) -> list[Table]:
    review = CameraReview
    reviews = s.scalars(
        select(review).where(review.recorded_us >= start, review.recorded_us < end)
        .order_by(review.reviewed_on, review.camera_id)
    )  # fmt: skip
    in_service = Camera.status.in_([CameraStatus.ACTIVE, CameraStatus.SUSPENDED])
    overdue = s.scalars(
        select(Camera).where(
            in_service, (Camera.next_review.is_(None)) | (Camera.next_review < today)
        ).order_by(Camera.id)
    )  # fmt: skip
    disclosures = s.scalars(
        select(PartnerDisclosure)
        .where(PartnerDisclosure.at_us >= start, PartnerDisclosure.at_us < end)
    )  # fmt: skip
    training = s.scalars(
        select(OperatorRecord)
        .where(OperatorRecord.recorded_us >= start, OperatorRecord.recorded_us < end)
        .order_by(OperatorRecord.done_on)
    )  # fmt: skip
    return [
        Table("camera_reviews", "Camera reviews done",
              ["camera", "reviewed_on", "reviewer", "decision", "incidents_in_year"],
              [[r.camera_id, r.reviewed_on.isoformat(), r.reviewer, r.decision, r.incidents]
               for r in reviews]),
        Table("reviews_overdue", "Cameras overdue for review (at the pack's date)",
              ["camera", "next_review"],
              [[c.id, c.next_review.isoformat() if c.next_review else "never reviewed"]
               for c in overdue]),
        Table("dpias", "DPIA register", ["ref", "title", "approved_on", "next_review"],
              [[d.ref, d.title, d.approved_on.isoformat(), d.next_review.isoformat()]
               for d in s.scalars(select(Dpia).order_by(Dpia.ref))]),
        Table("signage", "Signage register",
              ["sign", "location", "last_inspected", "next_inspection"],
              [[x.id, x.location, x.last_inspected or "", x.next_inspection or ""]
               for x in s.scalars(select(Sign).order_by(Sign.id))]),
        Table("operator_records", "Operators' training, vetting, declarations, SIA checks",
              ["user", "kind", "title", "done_on", "expires_on"],
              [[r.username, r.kind, r.title, r.done_on.isoformat(), r.expires_on or ""]
               for r in training]),
        Table("partner_disclosures", "Disclosures to partner schemes",
              ["at", "isa_ref", "incident", "disclosed_by"],
              [[format_local(d.at_us), d.isa_ref, d.incident_ref, d.disclosed_by]
               for d in disclosures]),
    ]  # fmt: skip


def _summary(tables: list[Table]) -> Table:
    """The year at a glance, read from the pack's own tables (so it cannot disagree)."""
    by = {t.name: t for t in tables}
    timely = {str(r[0]): r[5] for r in by["requests_timeliness"].rows}
    faults = by["faults"].as_dict()
    rows: list[list[object]] = [
        ["incidents", by["incidents_total"].rows[0][1]],
        ["subject_access_on_time_percent", timely.get("subject_access")],
        ["foi_on_time_percent", timely.get("foi")],
        ["faults_reported", faults.get("reported")],
        ["mean_hours_to_repair", faults.get("mean_hours_to_repair")],
        ["camera_reviews_done", len(by["camera_reviews"].rows)],
        ["cameras_overdue_for_review", len(by["reviews_overdue"].rows)],
        ["partner_disclosures", len(by["partner_disclosures"].rows)],
    ]
    return Table("summary", "The year at a glance", ["measure", "value"], rows,
                 note="Blank: nothing to measure (e.g. no request answered).")  # fmt: skip


def annual_report(s: Session, who: Principal, year: int, today: date) -> Report:
    who.require(Right.STATS_VIEW)
    start, end = year_bounds(year)
    answers = self_assessment(s, today, start, end)
    tables = [
        *incident_tables(s, who, start, end),
        *request_tables(s, start, end, today),
        *fault_tables(s, who, start, end),
        uptime_table(s, start, end),
        *_governance_tables(s, start, end, today),
        self_assessment_table(answers),
    ]
    tables.insert(0, _summary(tables))
    return Report(
        f"CCTV annual review {year}",
        f"1 January to 31 December {year}, Europe/London. Produced {today:%d/%m/%Y}. "
        "Every table is also supplied as CSV.",
        tables,
    )


def monthly_report(s: Session, client: Client, month: str, today: date) -> Report:
    """A client's month: only incidents, faults, uptime and requests on its cameras."""
    start, end = month_bounds(month)
    cams = list(
        s.scalars(select(Camera.id).where(Camera.client_id == client.id).order_by(Camera.id))
    )
    system_reader = _reader()
    tables = [
        Table("cameras", "Cameras monitored", ["camera"], [[c] for c in cams]),
        *incident_tables(s, system_reader, start, end, cams),
        *fault_tables(s, system_reader, start, end, cams),
        uptime_table(s, start, end, cams),
        *request_tables(s, start, end, today, cams),
    ]
    return Report(
        f"Monthly monitoring report: {client.name}",
        f"{month} (Europe/London), {len(cams)} cameras. Produced {today:%d/%m/%Y}. "
        "Only this client's cameras are counted.",
        tables,
    )


def _reader() -> Principal:
    """The report engine's own reader (a scheduled report has no user behind it)."""
    return Principal(0, "reports", Role.MANAGER)


def render_pdf(report: Report) -> bytes:
    doc = Document(report.title, report.subtitle)
    for t in report.tables:
        doc.heading(t.title)
        if t.note:
            doc.para(t.note, size=8)
        if t.missing:
            doc.para(f"Not available: {t.missing}.")
            continue
        if t.name == "code_self_assessment":  # long text: a paragraph per principle
            for n, principle, status, evidence, link in t.rows:
                doc.facts([(f"{n}. {status}", f"{principle}\n{evidence}"
                            + (f" (screen: {link})" if link else ""))])  # fmt: skip
            continue
        if t.name in CHARTED and t.rows:
            doc.bar_chart("", [(str(r[0]), float(r[1])) for r in t.rows])  # type: ignore[arg-type]
        doc.table(t.header, t.rows)
    return doc.output()
