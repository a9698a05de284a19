"""CLI: ``record``, ``check``, ``holds add/list/release``, ``gaps``.

Each command builds what it needs from settings (the composition root for a CLI process),
does one thing, and maps the error tree to an exit code with a one-line message.
"""

from __future__ import annotations

import getpass
import logging
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from watchkeeper.audit.service import Actor
from watchkeeper.config.settings import Settings, load_settings
from watchkeeper.db.engine import Database
from watchkeeper.errors import WatchkeeperError
from watchkeeper.timeutil import SystemClock, format_local, parse_local

__all__ = ["register"]

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (settings)")]
User = Annotated[str | None, typer.Option("--user", help="Who is acting (audited)")]


def _settings(data_dir: Path | None) -> Settings:
    return load_settings(data_dir=data_dir)


def _fail(exc: WatchkeeperError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


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
    data_dir: DataDir = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Recorder processes sharing the cameras")
    ] = 1,
) -> None:
    """Record the active cameras until interrupted (SIGINT or SIGTERM)."""
    from watchkeeper.recording.config import RecorderConfig
    from watchkeeper.recording.worker import run_shard, run_workers

    try:
        if workers > 1:
            typer.echo(f"recording with {workers} worker processes; Ctrl-C to stop")
            run_workers(workers, data_dir)
        else:
            typer.echo("recording; Ctrl-C to stop")
            if not logging.getLogger().handlers:  # one line per state change per camera
                logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
            n, finished = run_shard(data_dir, RecorderConfig())
            typer.echo(f"stopped; {finished} of {n} streams had a segment open to finish")
    except WatchkeeperError as exc:
        raise _fail(exc) from exc


def check_cmd(
    data_dir: DataDir = None,
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed")] = False,
    full: Annotated[bool, typer.Option("--full", help="Hash every file (slow)")] = False,
) -> None:
    """Reconcile the recording index with the files; exit 1 listing each problem left."""
    from watchkeeper.recording.check import check
    from watchkeeper.recording.service import recordings_root

    try:
        settings = _settings(data_dir)
        db = Database(settings.db_url)
        report = check(
            db, recordings_root(settings.data_dir), SystemClock(), full=full, repair=repair
        )
    except WatchkeeperError as exc:
        raise _fail(exc) from exc
    for p in report.problems:
        typer.echo(str(p))
    typer.echo(
        f"{report.rows} rows, {report.files} files, {len(report.problems)} problems"
        + (", all fixed" if report.problems and report.clean else "")
    )
    if not report.clean:
        raise typer.Exit(1)


def gaps_cmd(
    camera: Annotated[str, typer.Argument(help="Camera id")],
    day: Annotated[str, typer.Option("--day", help="Local date, YYYY-MM-DD")],
    stream: Annotated[str, typer.Option("--stream")] = "main",
    data_dir: DataDir = None,
) -> None:
    """Recorded spans and gaps of a camera on a day, with reasons."""
    from watchkeeper.recording.gaps import day_report

    try:
        settings = _settings(data_dir)
        db = Database(settings.db_url)
        with db.session() as s:
            rep = day_report(
                s, camera, date.fromisoformat(day), stream, now_us=SystemClock().now_us()
            )
    except (WatchkeeperError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for sp in rep.spans:
        typer.echo(f"recorded {format_local(sp.start_us)} - {format_local(sp.end_us)}")
    for g in rep.gaps:
        typer.echo(f"GAP      {format_local(g.start_us)} - {format_local(g.end_us)}  {g.reason}")
    typer.echo(f"{rep.recorded_us / 3.6e9:.2f} h recorded, {len(rep.gaps)} gaps")


def holds_add(
    reference: Annotated[str, typer.Option("--reference", help="Incident, CAD or SAR ref")],
    reason: Annotated[str, typer.Option("--reason")],
    holder: Annotated[str, typer.Option("--holder", help="Who asked for it")],
    start: Annotated[str, typer.Option("--from", help="Local time, e.g. 2026-11-29T21:00")],
    end: Annotated[str, typer.Option("--to", help="Local time")],
    camera: Annotated[str | None, typer.Option("--camera", help="Omit for every camera")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="Local time")] = None,
    user: User = None,
    data_dir: DataDir = None,
) -> None:
    """Hold footage so that neither retention nor disk pressure deletes it."""
    from watchkeeper.recording.holds import create_hold

    try:
        db = Database(_settings(data_dir).db_url)
        with db.session() as s:
            h = create_hold(
                s,
                _actor(user),
                camera,
                parse_local(start),
                parse_local(end),
                reference,
                reason,
                holder,
                parse_local(expires) if expires else None,
            )
            typer.echo(f"hold {h.id} created")
    except (WatchkeeperError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def holds_list(data_dir: DataDir = None) -> None:
    """Holds in force: who holds what, why, until when."""
    from watchkeeper.recording.holds import active_holds

    try:
        db = Database(_settings(data_dir).db_url)
        with db.session() as s:
            for h in active_holds(s, SystemClock().now_us()):
                until = format_local(h.expires_us) if h.expires_us else "released"
                typer.echo(
                    f"{h.id}\t{h.camera_id or 'ALL'}\t{format_local(h.start_us)} - "
                    f"{format_local(h.end_us)}\t{h.reference}\t{h.holder}\t"
                    f"until {until}\t{h.reason}"
                )
    except WatchkeeperError as exc:
        raise _fail(exc) from exc


def holds_release(
    hold_id: Annotated[int, typer.Argument(help="Hold id")],
    reason: Annotated[str, typer.Option("--reason")],
    user: User = None,
    data_dir: DataDir = None,
) -> None:
    """Release a hold (audited)."""
    from watchkeeper.recording.holds import release_hold

    try:
        db = Database(_settings(data_dir).db_url)
        with db.session() as s:
            release_hold(s, _actor(user), hold_id, reason)
        typer.echo(f"hold {hold_id} released")
    except WatchkeeperError as exc:
        raise _fail(exc) from exc
