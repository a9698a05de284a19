"""CLI: ``storage status``, ``storage tier``, ``storage lock``: the object tier (scale-out.md)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from watchkeeper.audit.service import Actor, record
from watchkeeper.cli.context import open_system
from watchkeeper.errors import WatchkeeperError
from watchkeeper.timeutil import parse_local

__all__ = ["register"]

ERROR = 2


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The object-store tier of older footage", no_args_is_help=True)
    group.command("status")(status_cmd)
    group.command("tier")(tier_cmd)
    group.command("lock")(lock_cmd)
    app.add_typer(group, name="storage")


def status_cmd(ctx: typer.Context) -> None:
    """Where the segments are: on this disk or in the bucket (count and size)."""
    from watchkeeper.recording.models import Segment

    with open_system(ctx, error_code=ERROR) as system:
        cfg = system.settings.storage
        typer.echo(f"bucket: {cfg.bucket or 'none (footage stays on local disk)'}")
        with system.db.session() as s:
            rows = s.execute(
                select(
                    Segment.location, func.count(), func.coalesce(func.sum(Segment.size_bytes), 0)
                )
                .group_by(Segment.location)
                .order_by(Segment.location)
            ).all()
    for where, n, size in rows:
        typer.echo(f"{where}\t{n} segments\t{int(size) / 1e9:.2f} GB")


def tier_cmd(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Move at most this many")
    ] = None,
) -> None:
    """Move the segments older than tier_after_hours to the bucket now (one pass)."""
    from watchkeeper.storage.tier import TierMover

    with open_system(ctx, error_code=ERROR) as system:
        store = system.playback.files.store
        if store is None:
            typer.echo("error: no bucket configured (storage.bucket)", err=True)
            raise typer.Exit(ERROR)
        cluster = system.settings.cluster
        store.ensure_bucket()
        mover = TierMover(
            system.db, system.playback.root, store, system.settings.storage, system.clock,
            cluster.name if cluster.enabled else None,
        )  # fmt: skip
        report = mover.run_once(limit)
    for e in report.errors:
        typer.echo(f"not moved: {e}", err=True)
    typer.echo(
        f"moved {report.moved} segments ({report.bytes / 1e6:.1f} MB, {report.locked} under "
        f"Object Lock) in {report.seconds:.1f} s"
    )
    if report.errors:
        raise typer.Exit(1)


def lock_cmd(
    ctx: typer.Context,
    package: Annotated[Path, typer.Argument(help="An evidence package folder")],
    until: Annotated[str, typer.Option("--until", help="Local date-time the lock ends")],
    user: Annotated[str | None, typer.Option("--user", help="Who is acting (audited)")] = None,
) -> None:
    """Copy an evidence package to the bucket under Object Lock (compliance): nobody can
    delete or overwrite it before ``--until``."""
    from watchkeeper.storage.locked import lock_package

    with open_system(ctx, error_code=ERROR) as system:
        store = system.playback.files.store
        if store is None:
            typer.echo("error: no bucket configured (storage.bucket)", err=True)
            raise typer.Exit(ERROR)
        try:
            until_us = parse_local(until)
        except (WatchkeeperError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(ERROR) from exc
        store.ensure_bucket()
        keys = lock_package(store, package, until_us, system.clock.now_us())
        with system.db.session() as s:
            record(
                s, Actor(None, user or getpass.getuser()), "evidence.object_lock", "package",
                package.name, f"locked in the bucket until {until}",
                {"files": len(keys), "retain_until_us": until_us, "bucket": store.bucket},
                system.clock,
            )  # fmt: skip
    typer.echo(f"{len(keys)} files locked in the bucket until {until}")
