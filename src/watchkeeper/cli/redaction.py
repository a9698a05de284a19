"""``watchkeeper redaction``: start, render and follow redactions from a terminal.

The reviewer's decisions are made in the studio (a screen); the terminal starts the face
search, queues a render, and runs or follows the jobs with a progress bar.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy import select

from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.cli.context import fail, open_system
from watchkeeper.errors import WatchkeeperError
from watchkeeper.redaction import service
from watchkeeper.redaction.jobs import RedactionWorker
from watchkeeper.redaction.models import QUEUED, RUNNING
from watchkeeper.redaction.plan import Settings
from watchkeeper.system import System

__all__ = ["register"]


def _who(system: System, username: str) -> Principal:
    with system.db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise fail(f"no user {username!r}")
        who = Principal(user.id, user.username, Role(user.role))
    if not who.can(Right.REDACTION_MANAGE):
        raise fail(f"{username} ({who.role.value}) may not redact")
    return who


def register(app: typer.Typer) -> None:
    red = typer.Typer(help="Redacted copies of export packages (faces obscured).")
    app.add_typer(red, name="redaction")

    @red.command("list")
    def list_cmd(ctx: typer.Context) -> None:
        """Every redaction, newest first."""
        with open_system(ctx) as system, system.db.session() as s:
            for r in service.browse(s):
                typer.echo(f"{r.id:5}  job {r.export_job_id} part {r.part}  {r.state:14} "
                           f"{r.progress:4.0%} {r.stage}  {r.output_sha256}")  # fmt: skip

    @red.command("start")
    def start_cmd(
        ctx: typer.Context,
        job: Annotated[int, typer.Argument(help="Finished export job id")],
        by: Annotated[str, typer.Option(help="Who starts it (a supervisor or the DPO)")],
        part: Annotated[int, typer.Option(help="Working copy number")] = 1,
        rate: Annotated[float, typer.Option(help="Face detections per second")] = 2.0,
        scale: Annotated[float, typer.Option(help="Enlarge frames before detection")] = 1.0,
    ) -> None:
        """Queue the face search on a working copy of a finished export package."""
        with open_system(ctx) as system:
            who = _who(system, by)
            try:
                with system.db.session() as s:
                    r = service.create(s, who, system.settings.data_dir / "exports", job, part,
                                       system.clock, Settings(rate=rate, scale=scale))  # fmt: skip
                    s.commit()
                    typer.echo(f"redaction {r.id} queued; review it at /redaction/{r.id}")
            except WatchkeeperError as exc:
                raise fail(str(exc)) from exc

    @red.command("render")
    def render_cmd(
        ctx: typer.Context,
        rid: Annotated[int, typer.Argument(help="Redaction id")],
        by: Annotated[str, typer.Option(help="Who renders it")],
    ) -> None:
        """Queue the render with the decisions made in the studio."""
        with open_system(ctx) as system:
            who = _who(system, by)
            try:
                with system.db.session() as s:
                    service.queue_render(s, who, service.get(s, rid), system.clock)
                    s.commit()
            except WatchkeeperError as exc:
                raise fail(str(exc)) from exc
            typer.echo(f"redaction {rid}: render queued")

    @red.command("run")
    def run_cmd(
        ctx: typer.Context,
        rid: Annotated[int, typer.Argument(help="Redaction id to follow")],
        work: Annotated[
            bool, typer.Option(help="Run queued jobs in this process (no server running)")
        ] = True,
    ) -> None:
        """Follow a redaction's job with a progress bar until it finishes."""
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        with open_system(ctx) as system:
            worker = RedactionWorker(system.db, system.settings.data_dir, system.clock)
            if work:
                worker.start()
            try:
                with Progress(TextColumn("{task.description}"), BarColumn(),
                              TaskProgressColumn()) as bar:  # fmt: skip
                    task = bar.add_task("queued", total=1.0)
                    while True:
                        with system.db.session() as s:
                            r = service.get(s, rid)
                            state, stage, frac = r.state, r.stage, r.progress
                            error, output, sha = r.error, r.output, r.output_sha256
                        bar.update(task, completed=frac, description=f"{state} {stage}")
                        if state not in (*QUEUED, *RUNNING):
                            break
                        time.sleep(0.5)
            finally:
                if work:
                    worker.stop()
        typer.echo(f"redaction {rid}: {state}" + (f": {error}" if error else ""))
        if output:
            typer.echo(f"{output}  sha256 {sha}")
        if state == "failed":
            raise typer.Exit(1)
