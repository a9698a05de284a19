"""Shared CLI plumbing: global options become :class:`Settings`; errors become exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from watchkeeper.config.settings import Settings, load_settings
from watchkeeper.errors import WatchkeeperError
from watchkeeper.system import System, build_system

__all__ = ["CliState", "fail", "open_system", "state_of"]


@dataclass
class CliState:
    overrides: dict[str, object] = field(default_factory=dict)

    def settings(self, **more: object) -> Settings:
        return load_settings(**{**self.overrides, **more})


def state_of(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def global_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data folder (env WATCHKEEPER_DATA_DIR)")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Database URL (env WATCHKEEPER_DATABASE_URL); default SQLite in the data folder"
        ),
    ] = None,
    mode: Annotated[
        str | None, typer.Option(help="development or production (env WATCHKEEPER_MODE)")
    ] = None,
) -> None:
    """Watchkeeper: a public-space CCTV control centre."""
    state_of(ctx).overrides = {"data_dir": data_dir, "database_url": database_url, "mode": mode}


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def open_system(ctx: typer.Context, error_code: int = 1, **more: object) -> Iterator[System]:
    """The system built from the command's settings; Watchkeeper errors end the command."""
    try:
        system = build_system(state_of(ctx).settings(**more))
    except WatchkeeperError as exc:
        raise fail(str(exc), error_code) from exc
    try:
        yield system
    except WatchkeeperError as exc:
        raise fail(str(exc), error_code) from exc
    finally:
        system.close()
