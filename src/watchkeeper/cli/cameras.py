"""``watchkeeper cameras``: import, export and list the camera register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.io import export_csv, export_yaml, parse_import
from watchkeeper.cameras.redact import redact_url
from watchkeeper.cli.context import fail, open_system
from watchkeeper.cli.users import CLI_ACTOR
from watchkeeper.errors import ImportRejected

__all__ = ["CLI_PRINCIPAL", "register"]

CLI_PRINCIPAL = Principal(user_id=0, username="cli", role=Role.ADMIN)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The camera register.", no_args_is_help=True)
    app.add_typer(group, name="cameras")

    @group.command("import")
    def import_cmd(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A .csv file or a YAML site file")],
        reason: Annotated[str, typer.Option(help="Why the register changes (audited)")] = "import",
    ) -> None:
        """Create or update cameras from FILE; any bad row and nothing changes."""
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise fail(f"{file}: cannot read: {exc.strerror}") from exc
        try:
            parsed = parse_import(text, str(file))
            with open_system(ctx) as system, system.db.session() as s:
                result = system.cameras.apply(
                    s, parsed.cameras, CLI_ACTOR, reason, sites=parsed.sites, names=parsed.names
                )
        except ImportRejected as exc:
            for line in exc.problems:
                typer.echo(line, err=True)
            raise fail(f"{file}: {len(exc.problems)} problem(s); nothing was imported") from exc
        typer.echo(
            f"{file}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )

    @group.command("export")
    def export_cmd(
        ctx: typer.Context,
        format: Annotated[Literal["csv", "yaml"], typer.Option(help="csv or yaml")] = "yaml",
        output: Annotated[
            Path | None, typer.Option("-o", help="File to write; default stdout")
        ] = None,
    ) -> None:
        """Write the register (credentials masked as ***)."""
        with open_system(ctx) as system, system.db.session() as s:
            cams = system.cameras.list(s, CLI_PRINCIPAL)
            text = export_csv(cams) if format == "csv" else export_yaml(cams)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"{len(cams)} cameras written to {output}")

    @group.command("list")
    def list_cmd(ctx: typer.Context) -> None:
        """One line per camera: id, status, kind, site / area, name, main stream."""
        with open_system(ctx) as system, system.db.session() as s:
            for c in system.cameras.list(s, CLI_PRINCIPAL):
                typer.echo(
                    f"{c.id:10} {c.status.value:14} {c.kind.value:5} "
                    f"{c.area.site.name} / {c.area.name}: {c.name}  "
                    f"{redact_url(c.main_url)}"
                )
