"""Statistics and reports screens: charts in the page, every table as CSV, the annual pack.

``/statistics`` draws incidents by month, category, area, source and outcome, and faults
and downtime, over a chosen period (Chart.js, served from this origin). ``/reports``
holds the requests' timeliness, recording uptime, the Surveillance Camera Code
self-assessment and the annual review pack (PDF with charts, and a zip of every table
as CSV). All need ``stats.view``; downloads are audited.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound
from watchkeeper.reports.annual import annual_report, render_pdf
from watchkeeper.reports.figures import fault_tables, incident_tables
from watchkeeper.reports.tables import Table, tables_zip, to_csv
from watchkeeper.system import System
from watchkeeper.timeutil import date_to_us, to_local
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import FormCheck
from watchkeeper.web.routers.gov_forms import attachment, form_date
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.STATS_VIEW))]
CHARTS = {
    "incidents_by_month": "bar",
    "incidents_by_category": "bar",
    "incidents_by_area": "bar",
    "incidents_by_source": "doughnut",
    "incidents_by_outcome": "bar",
    "downtime_by_camera": "bar",
}


def _period(system: System, start: str, end: str) -> tuple[date, date, dict[str, str]]:
    """The chosen local dates (default: the last 365 days), end inclusive."""
    check = FormCheck()
    today = to_local(system.clock.now_us()).date()
    first = form_date(check, "from", start) or today - timedelta(days=364)
    last = form_date(check, "to", end) or today
    if last < first:
        check.add("to", "the period must end after it starts")
        first, last = today - timedelta(days=364), today
    return first, last, check.errors


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def statistics_tables(
        system: System, s: SessionDep, who: Principal, first: date, last: date
    ) -> list[Table]:
        a, b = date_to_us(first), date_to_us(last + timedelta(days=1))
        return [*incident_tables(s, who, a, b), *fault_tables(s, who, a, b)]

    @router.get("/statistics", response_class=HTMLResponse)
    def statistics(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        start: str = "",
        end: str = "",
    ) -> Response:
        first, last, errors = _period(system, start, end)
        tables = statistics_tables(system, s, who, first, last)
        charts = []
        for t in tables:
            if t.name in CHARTS:
                labels = [str(r[0]) for r in t.rows]
                values = [r[2] if t.name == "downtime_by_camera" else r[1] for r in t.rows]
                charts.append({"name": t.name, "title": t.title, "type": CHARTS[t.name],
                               "labels": labels, "values": values})  # fmt: skip
        return pages.render(
            request,
            "statistics.html",
            who=who,
            first=first,
            last=last,
            errors=errors,
            tables=tables,
            charts=charts,
            query=f"start={first.isoformat()}&end={last.isoformat()}",
        )

    @router.get("/statistics/{table}.csv")
    def statistics_csv(
        table: str,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        start: str = "",
        end: str = "",
    ) -> Response:
        first, last, _ = _period(system, start, end)
        tables = statistics_tables(system, s, who, first, last)
        if table == "all":
            body = "".join(f"# {t.title}\n{to_csv(t)}\n" for t in tables)
        else:
            found = [t for t in tables if t.name == table]
            if not found:
                raise NotFound(f"no table {table!r}")
            body = to_csv(found[0])
        return attachment(body, "text/csv", f"{table}-{first}-{last}.csv")

    @router.get("/reports", response_class=HTMLResponse)
    def reports(
        request: Request, system: SystemDep, s: SessionDep, who: Viewer, year: int | None = None
    ) -> Response:
        today = to_local(system.clock.now_us()).date()
        chosen = year if year is not None and 2000 <= year <= today.year else today.year
        report = annual_report(s, who, chosen, today)
        return pages.render(
            request,
            "reports.html",
            who=who,
            year=chosen,
            years=list(range(today.year, today.year - 6, -1)),
            report=report,
            shown=(
                "summary",
                "requests_timeliness",
                "requests_by_kind",
                "faults",
                "recording_uptime",
            ),
            code=report.table("code_self_assessment"),
        )

    def _pack(system: System, s: SessionDep, who: Principal, year: int) -> tuple[str, list[Table]]:
        today = to_local(system.clock.now_us()).date()
        if not 2000 <= year <= today.year:
            raise NotFound(f"no annual pack for {year}")
        report = annual_report(s, who, year, today)
        return report.title, report.tables

    @router.get("/reports/annual/{year}.pdf")
    def annual_pdf(year: int, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        today = to_local(system.clock.now_us()).date()
        if not 2000 <= year <= today.year:
            raise NotFound(f"no annual pack for {year}")
        pdf = render_pdf(annual_report(s, who, year, today))
        record(s, who.actor, "report.annual", "report", str(year), "", {"format": "pdf"},
               clock=system.clock)  # fmt: skip
        return attachment(pdf, "application/pdf", f"cctv-annual-review-{year}.pdf")

    @router.get("/reports/annual/{year}.zip")
    def annual_zip(year: int, system: SystemDep, s: SessionDep, who: Viewer) -> Response:
        _, tables = _pack(system, s, who, year)
        record(s, who.actor, "report.annual", "report", str(year), "", {"format": "csv"},
               clock=system.clock)  # fmt: skip
        return attachment(tables_zip(tables), "application/zip", f"cctv-annual-review-{year}.zip")

    @router.get("/reports/annual/{year}/{table}.csv")
    def annual_csv(
        year: int, table: str, system: SystemDep, s: SessionDep, who: Viewer
    ) -> Response:
        _, tables = _pack(system, s, who, year)
        found = [t for t in tables if t.name == table]
        if not found:
            raise NotFound(f"no table {table!r}")
        return attachment(to_csv(found[0]), "text/csv", f"{table}-{year}.csv")

    return router
