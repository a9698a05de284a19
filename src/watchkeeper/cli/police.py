"""``watchkeeper police``: the police link's accounts (force and collar number)."""

from __future__ import annotations

from typing import Annotated

import typer

from watchkeeper.audit.service import Actor
from watchkeeper.cli.context import open_system
from watchkeeper.police.accounts import set_account

__all__ = ["register"]

CLI_ACTOR = Actor.system("cli")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The police link: police accounts.", no_args_is_help=True)
    app.add_typer(group, name="police")

    @group.command("account")
    def account(
        ctx: typer.Context,
        username: str,
        force: Annotated[str, typer.Option(help="The police force the user serves")],
        collar: Annotated[str, typer.Option(help="The officer's collar number")],
    ) -> None:
        """Set a police user's force and collar number (police_viewer, police_officer)."""
        with open_system(ctx) as system, system.db.session() as s:
            user = system.users.get(s, username)
            set_account(s, CLI_ACTOR, user, force, collar, system.clock)
        typer.echo(f"police account {username}: {force}, collar number {collar}")
