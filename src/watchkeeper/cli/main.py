"""Entry point of the ``watchkeeper`` command: one Typer app, a module per command group.

Each command module exposes ``register(app)``; this file only assembles them, so
adding a command group never touches another group's code.
"""

from __future__ import annotations

import typer

__all__ = ["build_app", "main"]


def build_app() -> typer.Typer:
    from watchkeeper.cli import commands

    app = typer.Typer(
        name="watchkeeper",
        help="Watchkeeper: a public-space CCTV control centre.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for module in commands.MODULES:
        module.register(app)
    return app


def main() -> None:
    build_app()()
