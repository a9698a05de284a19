"""CLI: ``record``, ``check``, ``holds add/list/release``, ``gaps``.

Each command builds its process through the one composition root (``open_system``, so the
global ``--data-dir``, ``--database-url`` and ``--mode`` apply), does one thing, and maps
the error tree to exit code 2 with a one-line message (``check`` uses 1 for problems found).
"""

from __future__ import annotations

import getpass
import logging
from datetime import date
from typing import Annotated

import typer

from watchkeeper.audit.service import Actor
from watchkeeper.cli.context import open_system, state_of
from watchkeeper.errors import WatchkeeperError
from watchkeeper.timeutil import format_local, parse_local

__all__ = ["register"]

User = Annotated[str | None, typer.Option("--user", help="Who is acting (audited)")]
ERROR = 2


def _fail(exc: WatchkeeperError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(ERROR)


def _actor(user: str | None) -> Actor:
    return Actor(None, user or getpass.getuser())


def register(app: typer.Typer) -> None:
    """Add the recording commands to the ``watchkeeper`` app."""
    app.command("record")(record_cmd)
    app.command("check")(check_cmd)
    app.command("gaps")(gaps_cmd)
    holds = typer.Typer(help="Holds: footage that must not be deleted", no_args_is_help=True)
    holds.command("add")(holds_add)
    holds.command("list")(holds_list)
    holds.command("release")(holds_release)
    app.add_typer(holds, name="holds")


def record_cmd(
    ctx: typer.Context,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Recorder processes sharing the cameras")
    ] = 1,
) -> None:
    """Record the active cameras until interrupted (SIGINT or SIGTERM)."""
    from watchkeeper.config.settings import Settings
    from watchkeeper.recording.worker import run_shard, run_workers

    try:
        settings: Settings = state_of(ctx).settings()
        if workers > 1:
            typer.echo(f"recording with {workers} worker processes; Ctrl-C to stop")
            run_workers(workers, settings)
        else:
            typer.echo("recording; Ctrl-C to stop")
            if not logging.getLogger().handlers:  # one line per state change per camera
                logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
            n, finished = run_shard(settings)
            typer.echo(f"stopped; {finished} of {n} streams had a segment open to finish")
    except WatchkeeperError as exc:
        raise _fail(exc) from exc


def check_cmd(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Hash every file and tiered object (slow)")
    ] = False,
) -> None:
    """Reconcile the recording index with the files; exit 1 listing each problem left."""
    from watchkeeper.recording.check import check

    with open_system(ctx, error_code=ERROR) as system:
        cluster = system.settings.cluster  # a recorder node checks the files it wrote
        report = check(
            system.db, system.playback.root, system.clock, full=full, repair=repair,
            node_id=cluster.name if cluster.enabled else None,
            store=system.playback.files.store, tiered=True,  # HEAD; --full reads back
        )  # fmt: skip
    for p in report.problems:
        typer.echo(str(p))
    typer.echo(
        f"{report.rows} rows, {report.files} files, {len(report.problems)} problems"
        + (", all fixed" if report.problems and report.clean else "")
    )
    if not report.clean:
        raise typer.Exit(1)


def gaps_cmd(
    ctx: typer.Context,
    camera: Annotated[str, typer.Argument(help="Camera id")],
    day: Annotated[str, typer.Option("--day", help="Local date, YYYY-MM-DD")],
    stream: Annotated[str, typer.Option("--stream")] = "main",
) -> None:
    """Recorded spans and gaps of a camera on a day, with reasons."""
    from watchkeeper.recording.gaps import day_report

    try:
        on = date.fromisoformat(day)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ERROR) from exc
    with open_system(ctx, error_code=ERROR) as system, system.db.session() as s:
        rep = day_report(s, camera, on, stream, now_us=system.clock.now_us())
    for sp in rep.spans:
        typer.echo(f"recorded {format_local(sp.start_us)} - {format_local(sp.end_us)}")
    for g in rep.gaps:
        typer.echo(f"GAP      {format_local(g.start_us)} - {format_local(g.end_us)}  {g.reason}")
    typer.echo(f"{rep.recorded_us / 3.6e9:.2f} h recorded, {len(rep.gaps)} gaps")


def holds_add(
    ctx: typer.Context,
    reference: Annotated[str, typer.Option("--reference", help="Incident, CAD or SAR ref")],
    reason: Annotated[str, typer.Option("--reason")],
    holder: Annotated[str, typer.Option("--holder", help="Who asked for it")],
    start: Annotated[str, typer.Option("--from", help="Local time, e.g. 2026-11-29T21:00")],
    end: Annotated[str, typer.Option("--to", help="Local time")],
    camera: Annotated[str | None, typer.Option("--camera", help="Omit for every camera")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="Local time")] = None,
    user: User = None,
) -> None:
    """Hold footage so that neither retention nor disk pressure deletes it."""
    from watchkeeper.recording.holds import create_hold

    try:
        span = parse_local(start), parse_local(end)
        until = parse_local(expires) if expires else None
    except (WatchkeeperError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ERROR) from exc
    with open_system(ctx, error_code=ERROR) as system, system.db.session() as s:
        h = create_hold(s, _actor(user), camera, *span, reference, reason, holder, until)
        typer.echo(f"hold {h.id} created")


def holds_list(ctx: typer.Context) -> None:
    """Holds in force: who holds what, why, until when."""
    from watchkeeper.recording.holds import active_holds

    with open_system(ctx, error_code=ERROR) as system, system.db.session() as s:
        for h in active_holds(s, system.clock.now_us()):
            until = format_local(h.expires_us) if h.expires_us else "released"
            typer.echo(
                f"{h.id}\t{h.camera_id or 'ALL'}\t{format_local(h.start_us)} - "
                f"{format_local(h.end_us)}\t{h.reference}\t{h.holder}\t"
                f"until {until}\t{h.reason}"
            )


def holds_release(
    ctx: typer.Context,
    hold_id: Annotated[int, typer.Argument(help="Hold id")],
    reason: Annotated[str, typer.Option("--reason")],
    user: User = None,
) -> None:
    """Release a hold (audited)."""
    from watchkeeper.recording.holds import release_hold

    with open_system(ctx, error_code=ERROR) as system, system.db.session() as s:
        release_hold(s, _actor(user), hold_id, reason)
    typer.echo(f"hold {hold_id} released")
