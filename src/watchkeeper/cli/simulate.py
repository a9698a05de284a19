"""``watchkeeper simulate``: run simulated cameras, prepare their footage, inject faults."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from watchkeeper.errors import WatchkeeperError

if TYPE_CHECKING:
    from watchkeeper.simulate.config import RigConfig

__all__ = ["register"]


def _build_config(
    cameras: int, ptz: int, rtsp_port: int, onvif_port: int, control_port: int,
    config: Path | None, user: str, password: str, host: str,
) -> RigConfig:  # fmt: skip
    from watchkeeper.simulate.config import RigConfig, default_cameras, load_rig_config

    if config is not None:
        return load_rig_config(config)
    return RigConfig(
        host=host, rtsp_port=rtsp_port, onvif_port=onvif_port, control_port=control_port,
        user=user, password=password, cameras=default_cameras(cameras, ptz),
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command group to the main CLI."""
    sim = typer.Typer(help="Simulated IP cameras for the demo and the tests.")

    @sim.callback(invoke_without_command=True)
    def run(
        ctx: typer.Context,
        cameras: Annotated[int, typer.Option(min=0, max=256, help="Fixed cameras.")] = 4,
        ptz: Annotated[int, typer.Option(min=0, max=64, help="PTZ cameras.")] = 1,
        rtsp_port: Annotated[int, typer.Option(help="RTSP port (0: any free).")] = 8554,
        onvif_port: Annotated[int, typer.Option(help="First ONVIF port, +1 per camera.")] = 8080,
        control_port: Annotated[int, typer.Option(help="Fault-control port.")] = 8079,
        config: Annotated[Path | None, typer.Option(help="Rig YAML (overrides flags).")] = None,
        user: Annotated[str, typer.Option(help="Camera user name.")] = "admin",
        password: Annotated[str, typer.Option(help="Camera password.")] = "admin",  # noqa: S107
        host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    ) -> None:
        """Run the cameras until Ctrl-C, printing each camera's URLs."""
        if ctx.invoked_subcommand is not None:
            return
        from watchkeeper.simulate.server import RigServer

        try:
            rig = RigServer(_build_config(
                cameras, ptz, rtsp_port, onvif_port, control_port, config, user, password, host
            ))  # fmt: skip
            rig.build()
            rig.start()
        except (WatchkeeperError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        rig.run(announce=lambda line: typer.echo(line))

    @sim.command()
    def prepare(
        config: Annotated[Path | None, typer.Option(help="Rig YAML; default: demo rig.")] = None,
        cameras: Annotated[int, typer.Option(min=0, max=256)] = 4,
        ptz: Annotated[int, typer.Option(min=0, max=64)] = 1,
    ) -> None:
        """Make the cached footage now (set-up scripts call this; it takes a few minutes)."""
        from watchkeeper.simulate.config import RigConfig, default_cameras, load_rig_config
        from watchkeeper.simulate.footage import ensure_footage

        try:
            rig = load_rig_config(config) if config else RigConfig(
                cameras=default_cameras(cameras, ptz))  # fmt: skip
            typer.echo(f"footage ready in {ensure_footage(rig)}")
        except WatchkeeperError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc

    @sim.command()
    def fault(
        camera: Annotated[str, typer.Argument(help="Camera name, e.g. cam1.")],
        kind: Annotated[
            str,
            typer.Argument(
                help="drop, offline, reboot, resolution, stall, "
                "corrupt, jump-forward, jump-backward, clock-offset"
            ),
        ],
        seconds: Annotated[float | None, typer.Option(help="Duration or offset.")] = None,
        control: Annotated[str, typer.Option(help="Rig control URL.")] = "http://127.0.0.1:8079",
        user: Annotated[str, typer.Option()] = "admin",
        password: Annotated[str, typer.Option()] = "admin",  # noqa: S107 - simulator default
    ) -> None:
        """Make a running simulated camera misbehave."""
        from watchkeeper.simulate.faults import FaultKind
        from watchkeeper.simulate.rig import send_fault

        try:
            result = send_fault(control, user, password, camera, FaultKind(kind), seconds)
        except (WatchkeeperError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(" ".join(f"{k}={v}" for k, v in result.items()))

    app.add_typer(sim, name="simulate")
