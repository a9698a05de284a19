"""``watchkeeper audit``: verify the hash chain."""

from __future__ import annotations

import typer

from watchkeeper.audit.service import verify
from watchkeeper.cli.context import fail, open_system

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    def verify_cmd(ctx: typer.Context) -> None:
        """Check every entry's hash; exit non-zero naming the first bad entry."""
        with open_system(ctx) as system, system.db.session() as s:
            result = verify(s)
        if not result.ok:
            raise fail(
                f"audit chain broken at entry {result.first_bad_seq}: {result.problem} "
                f"({result.checked} entries before it are intact)"
            )
        typer.echo(f"audit chain intact: {result.checked} entries")
