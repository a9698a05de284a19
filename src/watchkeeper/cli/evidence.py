"""``watchkeeper export`` and ``watchkeeper verify``: evidence packages from a terminal."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from watchkeeper.audit.service import Actor
from watchkeeper.cli.context import fail, open_system
from watchkeeper.errors import WatchkeeperError
from watchkeeper.evidence.package import ExportSpec, build_package
from watchkeeper.evidence.signing import ensure_signing_key
from watchkeeper.evidence.verify import verify_package
from watchkeeper.timeutil import parse_local

__all__ = ["register"]


def _when(text: str) -> int:
    try:
        return parse_local(text)
    except ValueError as exc:
        raise fail(f"{text!r}: {exc}") from exc


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_cmd(
        ctx: typer.Context,
        camera: Annotated[str, typer.Argument(help="Camera id")],
        start: Annotated[
            str, typer.Option("--from", help="Start, Europe/London (or with Z / an offset)")
        ],
        end: Annotated[str, typer.Option("--to", help="End, same form as --from")],
        out: Annotated[Path, typer.Option(help="Folder to write the package into")],
        request: Annotated[str, typer.Option(help="Request reference")] = "",
        exhibit: Annotated[str, typer.Option(help="Exhibit reference")] = "",
        operator: Annotated[
            str | None, typer.Option(help="Who exports (default: this login)")
        ] = None,
        stream: Annotated[str, typer.Option(help="main or sub")] = "main",
        working: Annotated[
            bool, typer.Option(help="Make the burned-in working copy too (slower)")
        ] = True,
        still: Annotated[
            list[str] | None, typer.Option(help="A still at this instant (repeatable)")
        ] = None,
    ) -> None:
        """Build a signed evidence package of CAMERA between --from and --to."""
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        spec = ExportSpec(camera, _when(start), _when(end), stream, request, exhibit, working,
                          tuple(_when(x) for x in still or ()))  # fmt: skip
        actor = Actor(None, operator or getpass.getuser())
        with open_system(ctx) as system:
            key, _ = ensure_signing_key(system.settings.data_dir)
            with (
                Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
                as bar,
                system.db.session() as s,
            ):  # fmt: skip
                tasks = {
                    "master": bar.add_task("master copy", total=1.0),
                    "working": bar.add_task("working copy", total=1.0),
                }

                def progress(stage: str, frac: float) -> None:
                    if stage in tasks:
                        bar.update(tasks[stage], completed=frac)

                pkg = build_package(
                    s,
                    system.playback.files,  # the folder, and the object tier when configured
                    out,
                    key,
                    spec,
                    actor,
                    system.clock,
                    progress,
                )
                s.commit()
        typer.echo(f"package: {pkg.path}")
        for g in pkg.manifest["gaps"]:
            typer.echo(f"gap {g['start_london']} to {g['end_london']}: {g['reason']}")

    @app.command("verify")
    def verify_cmd(
        packages: Annotated[list[Path], typer.Argument(help="Package folder(s)")],
        key: Annotated[
            Path | None, typer.Option(help="Public key (PEM) the packages must be signed by")
        ] = None,
    ) -> None:
        """Check each package's signature and every file's hash; exit 1 naming each problem."""
        try:
            trusted = key.read_bytes() if key else None
        except OSError as exc:
            raise fail(f"cannot read {key}: {exc.strerror}") from exc
        bad = 0
        for package in packages:
            try:
                report = verify_package(package, trusted)
            except WatchkeeperError as exc:
                typer.echo(f"FAIL {package}: {exc}", err=True)
                bad += 1
                continue
            if report.ok:
                typer.echo(
                    f"{package.name}: verified, signature good, {report.checked} files "
                    f"intact; key fingerprint {report.fingerprint}"
                )
                continue
            bad += 1
            for p in report.problems:
                typer.echo(f"FAIL {package.name}: {p}", err=True)
            typer.echo(f"{package.name}: NOT verified", err=True)
        if bad:
            raise fail(f"{bad} of {len(packages)} package(s) NOT verified")
