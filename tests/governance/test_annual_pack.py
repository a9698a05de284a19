"""The annual review pack builds from the sample borough with a year of generated records,
and its figures match the database."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

from sqlalchemy import func, select

from tests.foundation.helpers import add_user
from tests.governance.conftest import principal
from tests.governance.year import generate_year, load_borough
from watchkeeper.auth.roles import Role
from watchkeeper.records.incident_models import Category, Incident, IncidentOutcome
from watchkeeper.records.vocab import Outcome, Source
from watchkeeper.reports.annual import annual_report, render_pdf
from watchkeeper.reports.tables import tables_zip
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock, date_to_us

YEAR = 2025


def test_the_annual_pack_builds_from_a_year_and_matches_the_database(
    any_system: System, clock: FakeClock
) -> None:
    clock.set(date_to_us(date(YEAR + 1, 1, 20)) + 9 * 3600 * 10**6)
    load_borough(any_system)
    add_user(any_system, "sue", Role.SUPERVISOR)
    sue = principal(any_system, "sue")
    began = time.monotonic()
    exp = generate_year(any_system, YEAR)
    generated = time.monotonic() - began
    with any_system.db.session() as s:
        report = annual_report(s, sue, YEAR, date(YEAR + 1, 1, 20))
        by_category = dict(
            s.execute(
                select(Category.name, func.count())
                .join(Incident, Incident.category_id == Category.id)
                .group_by(Category.name)
            ).all()
        )
        by_outcome = dict(
            s.execute(
                select(IncidentOutcome.outcome, func.count()).group_by(IncidentOutcome.outcome)
            ).all()
        )
    built = time.monotonic() - began - generated
    assert report.table("incidents_total").rows == [["total", exp.incidents]]
    assert report.table("incidents_by_month").as_dict() == dict(exp.by_month)
    assert len(exp.by_month) == 12
    by_source = {Source(k).label: n for k, n in exp.by_source.items()}
    assert report.table("incidents_by_source").as_dict() == by_source
    assert report.table("incidents_by_category").as_dict() == by_category
    labelled = {Outcome(k).label: n for k, n in by_outcome.items()}
    assert report.table("incidents_by_outcome").as_dict() == labelled
    assert sum(report.table("incidents_by_area").column("incidents")) == exp.incidents  # type: ignore[arg-type]
    faults = report.table("faults").as_dict()
    assert faults["reported"] == exp.faults
    down = report.table("downtime_by_camera")
    for cam, hours in exp.hours_down.items():
        row = next(r for r in down.rows if r[0] == cam)
        assert abs(float(row[2]) - hours) < 0.01, cam  # type: ignore[arg-type]
    timeliness = {r[0]: r for r in report.table("requests_timeliness").rows}
    for kind, c in exp.timeliness.items():
        _, on_time, late, open_in_time, open_overdue, _pct = timeliness[kind]
        assert (on_time, late) == (c["on_time"], c["late"]), kind
        assert open_in_time + open_overdue == c["open"], kind  # type: ignore[operator]
        assert open_overdue == c["open"]  # every open one is past its date by January
    uptime = {r[0]: r for r in report.table("recording_uptime").rows}
    assert set(uptime) == set(exp.uptime)
    for cam, pct in exp.uptime.items():
        assert uptime[cam][1] == exp.recorded_hours[cam] and uptime[cam][2] == pct
    summary = report.table("summary").as_dict()
    assert summary["incidents"] == exp.incidents and summary["faults_reported"] == exp.faults
    code = report.table("code_self_assessment")
    assert [r[0] for r in code.rows] == list(range(1, 13))
    assert code.rows[0][2] == "evidence"  # every camera in the borough states its purpose
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 5
    names = zipfile.ZipFile(io.BytesIO(tables_zip(report.tables))).namelist()
    assert sorted(names) == sorted(f"{t.name}.csv" for t in report.tables)
    assert generated < 60 and built < 60, (generated, built)
