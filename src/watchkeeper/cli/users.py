"""``watchkeeper user``: add, list, disable and enable users."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from watchkeeper.audit.service import Actor
from watchkeeper.auth.passwords import generate_password
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cli.context import open_system

__all__ = ["register"]

CLI_ACTOR = Actor.system("cli")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Users, roles and SIA licences.", no_args_is_help=True)
    app.add_typer(group, name="user")

    @group.command("add")
    def add(
        ctx: typer.Context,
        username: str,
        role: Annotated[Role, typer.Option(help="Role of the user")],
        full_name: Annotated[str, typer.Option(help="Full name")] = "",
        client: Annotated[str | None, typer.Option(help="Client id (client viewers)")] = None,
        sia_number: Annotated[str, typer.Option(help="SIA PSS licence number")] = "",
        sia_expiry: Annotated[str | None, typer.Option(help="Licence expiry, YYYY-MM-DD")] = None,
        sia_status: Annotated[str, typer.Option(help="active, expired, suspended, revoked")] = "",
        reason: Annotated[str, typer.Option(help="Why the user is added (audited)")] = "",
    ) -> None:
        """Add a user with a generated password, printed once."""
        password = generate_password()
        spec = UserSpec(
            username=username,
            role=role.value,
            full_name=full_name,
            password=password,
            client_id=client,
            sia_number=sia_number,
            sia_expiry=date.fromisoformat(sia_expiry) if sia_expiry else None,
            sia_status=sia_status or ("active" if sia_number else ""),
            sia_checked_on=date.today() if sia_number else None,
        )
        with open_system(ctx) as system, system.db.session() as s:
            system.users.create(s, spec, CLI_ACTOR, reason)
        typer.echo(f"user {username} ({role.value}) added; password (shown once): {password}")

    @group.command("list")
    def list_users(ctx: typer.Context) -> None:
        """List users with their role, licence and whether they can log in."""
        with open_system(ctx) as system, system.db.session() as s:
            for u in system.users.list(s):
                blocked = system.users.login_blocker(u)
                licence = system.users.licence(u).message
                typer.echo(
                    f"{u.username:20} {u.role:15} {licence or '-':45} "
                    f"{'BLOCKED: ' + blocked if blocked else 'can log in'}"
                )

    @group.command("disable")
    def disable(
        ctx: typer.Context,
        username: str,
        reason: Annotated[str, typer.Option(help="Why (audited)")],
    ) -> None:
        """Disable a user and end their sessions."""
        with open_system(ctx) as system, system.db.session() as s:
            system.users.set_disabled(s, username, True, CLI_ACTOR, reason)
        typer.echo(f"user {username} disabled")

    @group.command("enable")
    def enable(
        ctx: typer.Context,
        username: str,
        reason: Annotated[str, typer.Option(help="Why (audited)")],
    ) -> None:
        """Enable a user again and clear any lock-out."""
        with open_system(ctx) as system, system.db.session() as s:
            system.users.set_disabled(s, username, False, CLI_ACTOR, reason)
        typer.echo(f"user {username} enabled")
