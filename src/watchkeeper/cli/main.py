"""Entry point of the ``watchkeeper`` command: one Typer app, a module per command group.

Each command module exposes ``register(app)``; this file only assembles them, so
adding a command group never touches another group's code.
"""

from __future__ import annotations

import typer

__all__ = ["build_app", "main"]


def build_app() -> typer.Typer:
    from watchkeeper.cli import commands
    from watchkeeper.cli.context import global_options

    app = typer.Typer(
        name="watchkeeper",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        callback=global_options,
    )
    for module in commands.MODULES:
        module.register(app)
    return app


def main() -> None:
    build_app()()
