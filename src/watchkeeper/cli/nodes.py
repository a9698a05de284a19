"""CLI: ``nodes``: recorder nodes, their leases, cameras per node and lag (scale-out.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from watchkeeper.cli.context import open_system

__all__ = ["register"]

ERROR = 2


def register(app: typer.Typer) -> None:
    app.command("nodes")(nodes_cmd)


def nodes_cmd(
    ctx: typer.Context,
    leases: Annotated[bool, typer.Option("--leases", help="List every camera's lease too")] = False,
) -> None:
    """Recorder nodes sharing this database: state, heartbeat, cameras, backlog, disk."""
    from watchkeeper.cluster.status import cluster_status

    with open_system(ctx, error_code=ERROR) as system:
        if system.db.dialect != "postgresql":
            typer.echo("single machine (SQLite): no recorder nodes; see docs/design/scale-out.md")
            return
        with system.db.session() as s:
            nodes, rows = cluster_status(s, system.settings.cluster.lease_s)
    if not nodes:
        typer.echo("no recorder nodes have run against this database")
    for n in nodes:
        free = "?" if n.disk_free_fraction is None else f"{n.disk_free_fraction:.0%}"
        typer.echo(
            f"{n.node_id}\t{n.state}\theartbeat {n.heartbeat_age_s:.1f} s ago\t"
            f"{len(n.cameras)} cameras\t{n.streams} streams\tbacklog {n.db_backlog} rows\t"
            f"disk {n.disk_level} ({free} free)\t{n.host} pid {n.pid}"
        )
    free_cams = [x.camera_id for x in rows if x.node_id is None]
    typer.echo(
        f"{len(rows)} cameras leased: "
        + ", ".join(f"{n.node_id} {len(n.cameras)}" for n in nodes if n.cameras)
        + (f"; not recorded by any node: {', '.join(free_cams)}" if free_cams else "")
    )
    if leases:
        for x in rows:
            held = f"{x.node_id} (generation {x.generation}, {x.expires_in_s:.1f} s left)"
            typer.echo(f"{x.camera_id}\t{held if x.node_id else 'free'}")
