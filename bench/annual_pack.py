"""Benchmark: the annual review pack over the sample borough with a year of records.

A realistic year: 9,000 incidents (the design's figure) with camera spans and outcomes,
150 camera faults, 80 SAR and FOI requests, recorded footage in the deletion log, over
the 138 cameras of examples/borough.yaml, on SQLite.

Reported: the figures (every table), the PDF with charts, the CSV zip; and, as the
reference in the same run, a plain fetch of the rows the figures are made from (incidents,
outcomes, faults, requests, deletion log) with no counting at all, the least work any
report must do. The ratio says what the counting, tables and document add.

    PYTHONPATH=src python -m bench.annual_pack [--incidents 9000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text
from tests.foundation.helpers import add_user
from tests.governance.conftest import principal
from tests.governance.year import generate_year, load_borough

from watchkeeper.auth.roles import Role
from watchkeeper.config.settings import Settings
from watchkeeper.reports.annual import annual_report, render_pdf
from watchkeeper.reports.tables import tables_zip
from watchkeeper.system import build_system
from watchkeeper.timeutil import FakeClock, date_to_us

YEAR = 2025
RAW = (
    "SELECT opened_us, category_id, area_id, source FROM incident",
    "SELECT incident_id, outcome FROM incident_outcome",
    "SELECT camera_id, reported_us, fixed_us FROM fault",
    "SELECT kind, due_on, released_us, closed_us FROM evidence_request",
    "SELECT camera_id, start_us, end_us FROM recording_deletion",
)


def best_of(n: int, fn: object) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=9000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(date_to_us(date(YEAR + 1, 1, 20)))
        system = build_system(Settings(mode="development", data_dir=Path(tmp)), clock=clock)
        load_borough(system)
        add_user(system, "sue", Role.SUPERVISOR)
        sue = principal(system, "sue")
        t0 = time.perf_counter()
        generate_year(system, YEAR, incidents=args.incidents)
        generated = time.perf_counter() - t0
        today = date(YEAR + 1, 1, 20)
        with system.db.session() as s:

            def reference() -> None:
                for q in RAW:
                    s.execute(text(q)).all()

            def figures() -> None:
                annual_report(s, sue, YEAR, today)

            report = annual_report(s, sue, YEAR, today)
            ref = best_of(5, reference)
            fig = best_of(5, figures)
            pdf_s = best_of(3, lambda: render_pdf(report))
            zip_s = best_of(3, lambda: tables_zip(report.tables))
            size = len(render_pdf(report))
        system.close()
    print(f"year of records: {args.incidents} incidents, generated in {generated:.2f} s")
    print(f"reference (plain fetch of the source rows):  {ref * 1000:8.1f} ms")
    print(f"figures (every table of the pack):          {fig * 1000:8.1f} ms  "
          f"{fig / ref:5.1f}x reference")  # fmt: skip
    print(f"PDF with charts ({size // 1024} KiB):              {pdf_s * 1000:8.1f} ms")
    print(f"CSV zip:                                    {zip_s * 1000:8.1f} ms")
    total = fig + pdf_s + zip_s
    print(f"whole pack (figures + PDF + CSV):           {total * 1000:8.1f} ms  "
          f"{total / ref:5.1f}x reference")  # fmt: skip


if __name__ == "__main__":
    main()
