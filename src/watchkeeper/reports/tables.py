"""A report table: the one shape every figure takes, printed in PDFs and downloaded as CSV.

A report is a list of tables; the PDF prints them and the CSV files are them, so the two
can never disagree. A table whose source data the system does not hold carries a
``missing`` note instead of invented rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Table", "tables_zip", "to_csv"]


@dataclass
class Table:
    name: str
    """File name stem of its CSV (``incidents_by_month``)."""
    title: str
    header: list[str]
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""
    """What the figures include and exclude, printed under the title."""
    missing: str = ""
    """Set when the system does not hold the data: said in the report, not invented."""

    def column(self, name: str) -> list[object]:
        i = self.header.index(name)
        return [r[i] for r in self.rows]

    def as_dict(self) -> dict[str, object]:
        """First column to second: for two-column count tables."""
        return {str(r[0]): r[1] for r in self.rows}


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.header)
    for r in table.rows:
        w.writerow(["" if v is None else v for v in r])
    if table.missing:
        w.writerow([f"# not available: {table.missing}"])
    return buf.getvalue()


def tables_zip(tables: Sequence[Table]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for t in tables:
            z.writestr(f"{t.name}.csv", to_csv(t))
    return buf.getvalue()
