"""``watchkeeper incidents`` and ``watchkeeper stats``: the occurrence log from a terminal.

Read-only: the CLI acts as an auditor-like reader; writing to the log happens on
screen or over the API, where the operator is known.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cli.context import fail, open_system
from watchkeeper.records.search import SearchQuery, search_incidents
from watchkeeper.records.stats import fault_stats, incident_stats, to_csv
from watchkeeper.timeutil import date_to_us, format_local

__all__ = ["CLI_READER", "register"]

CLI_READER = Principal(user_id=0, username="cli", role=Role.AUDITOR)


def _day(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return date_to_us(date.fromisoformat(text))
    except ValueError as exc:
        raise fail(f"not a date: {text!r} (use YYYY-MM-DD)") from exc


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The incident (occurrence) log.", no_args_is_help=True)
    app.add_typer(group, name="incidents")

    @group.command("search")
    def search_cmd(
        ctx: typer.Context,
        words: Annotated[str, typer.Argument(help="Words or a reference; '' lists all")] = "",
        category: Annotated[str | None, typer.Option(help="Category id")] = None,
        area: Annotated[str | None, typer.Option(help="Area id")] = None,
        camera: Annotated[str | None, typer.Option(help="Camera id")] = None,
        since: Annotated[str | None, typer.Option(help="From date, YYYY-MM-DD")] = None,
        until: Annotated[str | None, typer.Option(help="Before date, YYYY-MM-DD")] = None,
        limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    ) -> None:
        """List incidents matching WORDS and filters, newest first."""
        q = SearchQuery(
            text=words,
            from_us=_day(since),
            to_us=_day(until),
            category_id=category,
            area_id=area,
            camera_id=camera,
            limit=limit,
        )
        with open_system(ctx) as system, system.db.session() as s:
            for i in search_incidents(s, CLI_READER, q):
                typer.echo(
                    f"{i.ref}  {format_local(i.opened_us, seconds=False)}  {i.status:6}  "
                    f"{i.category.name}: {i.summary[:60]}"
                )

    @group.command("show")
    def show_cmd(ctx: typer.Context, ref: str) -> None:
        """Show one incident with its cameras and timeline."""
        with open_system(ctx) as system, system.db.session() as s:
            i = system.incidents.get(s, CLI_READER, ref)
            typer.echo(f"{i.ref}  {i.status}  {i.category.name}  source {i.source}")
            typer.echo(f"opened {format_local(i.opened_us)} by {i.operator_name}")
            if i.closed_us:
                typer.echo(f"closed {format_local(i.closed_us)}")
            typer.echo(f"location: {i.location}  police: {i.police_ref}  crime: {i.crime_ref}")
            for c in i.cameras:
                typer.echo(
                    f"camera {c.camera_id} {format_local(c.start_us)} to {format_local(c.end_us)}"
                    f" hold {c.hold_id}{' released' if c.released_us else ''}"
                )
            for e in i.entries:
                why = f" (why: {e.reason})" if e.reason else ""
                typer.echo(f"  {format_local(e.at_us)}  {e.kind:9} {e.author_name}: {e.text}{why}")

    @app.command("stats")
    def stats_cmd(
        ctx: typer.Context,
        since: Annotated[str, typer.Option(help="From date, YYYY-MM-DD")],
        until: Annotated[str, typer.Option(help="Before date, YYYY-MM-DD")],
        output: Annotated[Path | None, typer.Option("-o", help="CSV file; default stdout")] = None,
    ) -> None:
        """Incident and fault figures for a period, as CSV."""
        start, end = _day(since) or 0, _day(until) or 0
        with open_system(ctx) as system, system.db.session() as s:
            body = to_csv(
                incident_stats(s, CLI_READER, start, end), fault_stats(s, CLI_READER, start, end)
            )
        if output is None:
            typer.echo(body, nl=False)
        else:
            output.write_text(body, encoding="utf-8")
