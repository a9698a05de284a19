"""``watchkeeper reports``: the clients' monthly reports on schedule, the annual pack.

``reports monthly`` is what a cron job or systemd timer runs early each month: it makes
last month's report for every client that has none (run again, it does nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from watchkeeper.cli.context import fail, open_system
from watchkeeper.cli.records import CLI_READER
from watchkeeper.reports.annual import annual_report, render_pdf
from watchkeeper.reports.tables import tables_zip
from watchkeeper.timeutil import to_local

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Clients' monthly reports and the annual review.", no_args_is_help=True
    )
    app.add_typer(group, name="reports")

    @group.command("monthly")
    def monthly_cmd(ctx: typer.Context) -> None:
        """Make last month's monitoring report for every client without one."""
        with open_system(ctx) as system, system.db.session() as s:
            made = system.governance.clients.generate_due(s)
            for r in made:
                typer.echo(f"{r.client_id} {r.month}: {len(r.pdf)} bytes")
            if not made:
                typer.echo("every client has last month's report")

    @group.command("annual")
    def annual_cmd(
        ctx: typer.Context,
        year: Annotated[int, typer.Argument(help="Calendar year")],
        out: Annotated[
            Path, typer.Option("-o", help="Folder for the PDF and the CSV zip")
        ] = Path(),
    ) -> None:
        """Write the annual review pack (PDF) and every table (CSV, zipped)."""
        with open_system(ctx) as system, system.db.session() as s:
            today = to_local(system.clock.now_us()).date()
            if not 2000 <= year <= today.year:
                raise fail(f"no annual pack for {year}")
            report = annual_report(s, CLI_READER, year, today)
            out.mkdir(parents=True, exist_ok=True)
            pdf = out / f"cctv-annual-review-{year}.pdf"
            pdf.write_bytes(render_pdf(report))
            (out / f"cctv-annual-review-{year}.zip").write_bytes(tables_zip(report.tables))
        typer.echo(f"wrote {pdf} and its tables")
