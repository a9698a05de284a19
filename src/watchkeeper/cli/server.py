"""``watchkeeper init``, ``serve`` and ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import select

from watchkeeper.audit.anchor import CHECKPOINT_FILE, CheckpointWriter
from watchkeeper.auth.models import User
from watchkeeper.auth.passwords import generate_password
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.io import parse_import
from watchkeeper.cameras.redact import redact_url
from watchkeeper.cli.context import open_system, state_of
from watchkeeper.cli.users import CLI_ACTOR
from watchkeeper.config.settings import ensure_secret_file
from watchkeeper.errors import ConfigError
from watchkeeper.evidence.signing import KEY_FILE, ensure_signing_key
from watchkeeper.governance.schedule import MonthlyReports
from watchkeeper.police.accounts import set_account
from watchkeeper.system import (
    System,
    live_recorder_config,
    start_analytics,
    start_export_worker,
    start_recorder,
    start_redaction_worker,
)

if TYPE_CHECKING:
    from watchkeeper.simulate import Rig

__all__ = ["audit_checkpoints", "find_example", "register"]

FIRST_ADMIN = "admin"


def find_example(name: str = "borough.yaml") -> Path | None:
    """The sample borough shipped in the repository's ``examples`` folder."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "examples" / name
        if candidate.is_file():
            return candidate
    return None


def apply_site_file(system: System, path: Path, reason: str) -> None:
    """Validate a site file (errors name file, line and field) and bring the register to it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    parsed = parse_import(text, str(path))
    with system.db.session() as s:
        r = system.cameras.apply(
            s, parsed.cameras, CLI_ACTOR, reason, sites=parsed.sites, names=parsed.names
        )
    typer.echo(
        f"register {path.name}: {r.created} created, {r.updated} updated, {r.unchanged} unchanged"
    )


def ensure_admin(system: System) -> str | None:
    """Create the first administrator if there is none; returns the new password."""
    with system.db.session() as s:
        if s.scalar(select(User.id).where(User.role == Role.ADMIN.value).limit(1)) is not None:
            return None
        password = generate_password()
        system.users.create(
            s,
            UserSpec(
                username=FIRST_ADMIN,
                role=Role.ADMIN.value,
                full_name="First administrator",
                password=password,
            ),
            CLI_ACTOR,
            "first administrator created by init",
        )
        return password


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(ctx: typer.Context) -> None:
        """Create data folder, secret key, database and first administrator."""
        data_dir = state_of(ctx).settings(mode="development").data_dir
        if ensure_secret_file(data_dir):
            typer.echo(f"secret key written to {data_dir / 'secret.key'} (keep it private)")
        if ensure_signing_key(data_dir)[1]:
            typer.echo(f"evidence signing key written to {data_dir / KEY_FILE} (keep it private)")
        with open_system(ctx) as system:
            password = ensure_admin(system)
            typer.echo(f"data folder: {system.settings.data_dir.resolve()}")
            typer.echo(f"database: {system.db.engine.url.render_as_string(hide_password=True)}")
            if password:
                typer.echo(f"administrator: {FIRST_ADMIN}  password (shown once): {password}")
            else:
                typer.echo("an administrator exists already; no password printed")

    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[
            str | None, typer.Option(help="Bind address (env WATCHKEEPER_HOST)")
        ] = None,
        port: Annotated[int | None, typer.Option(help="Port (env WATCHKEEPER_PORT)")] = None,
        record: Annotated[
            bool, typer.Option(help="Record in this process (live video needs it)")
        ] = True,
    ) -> None:
        """Run the web server and the recorder (live video subscribes to its streams)."""
        import uvicorn

        from watchkeeper.web.serving import server_config

        with open_system(ctx, host=host, port=port) as system:
            if system.settings.site_file is not None:
                apply_site_file(system, system.settings.site_file, "site file applied at start")
            node = None
            if record and system.settings.cluster.enabled:  # one recorder node (scale-out.md)
                from watchkeeper.cluster.run import start_node

                node = start_node(system, live_recorder_config(system.settings))
            elif record:
                start_recorder(system, live_recorder_config(system.settings))
                start_analytics(system)
            start_export_worker(system)
            start_redaction_worker(system)
            typer.echo(f"Watchkeeper on http://{system.settings.host}:{system.settings.port}/")
            checkpoints = audit_checkpoints(system)
            reports = MonthlyReports(system.db, system.governance.clients).start()
            try:
                uvicorn.Server(server_config(system, log_level="info")).run()
            finally:
                reports.stop()
                checkpoints.stop()
                if node is not None:
                    node.stop()  # last rows under the leases, then the leases handed on
                    system.recorder = None

    @app.command("demo")
    def demo(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="Bind address")] = None,
        port: Annotated[int | None, typer.Option(help="Port")] = None,
        site_file: Annotated[Path | None, typer.Option(help="Register to load")] = None,
        cameras: Annotated[
            bool, typer.Option(help="Start simulated cameras for the register's local cameras")
        ] = True,
        record: Annotated[bool, typer.Option(help="Record the register's cameras")] = True,
    ) -> None:
        """A working control room on the embedded default: the sample borough, demo users."""
        import uvicorn

        from watchkeeper.web.serving import server_config

        overrides: dict[str, Any] = {"host": host, "port": port, "mode": "development"}
        with open_system(ctx, **overrides) as system:
            ensure_admin(system)
            register_file = site_file or system.settings.site_file or find_example()
            if register_file is not None:
                apply_site_file(system, register_file, "demo register")
            rig = start_demo_rig(system) if cameras else None
            logins = demo_users(system)
            if record:
                start_recorder(system, live_recorder_config(system.settings))
                start_analytics(system)
            start_export_worker(system)
            start_redaction_worker(system)
            url = f"http://{system.settings.host}:{system.settings.port}/"
            typer.echo(f"\nWatchkeeper demo control room: {url}")
            for username, role, password in logins:
                typer.echo(f"  log in as {username:12} ({role}) password {password}")
            typer.echo("(demo passwords are new at each start)\n", err=False)
            try:
                uvicorn.Server(server_config(system, log_level="warning")).run()
            finally:
                if rig is not None:
                    rig.stop()


def audit_checkpoints(system: System) -> CheckpointWriter:
    """Signed checkpoints of the audit head, every few minutes, while the server runs."""
    writer = CheckpointWriter(
        system.db,
        system.settings.data_dir / CHECKPOINT_FILE,
        system.clock,
        system.settings.audit_checkpoint_minutes,
    )
    writer.start()
    return writer


def start_demo_rig(system: System) -> Rig | None:
    """Simulated cameras for the register's local cameras, attached to the register."""
    from watchkeeper.demo import attach_rig, demo_rig_config, simulated_cameras
    from watchkeeper.simulate import Rig

    cams = simulated_cameras(system)
    if not cams:
        return None
    typer.echo(f"starting {len(cams)} simulated cameras (the first run prepares footage)...")
    rig = Rig(demo_rig_config(cams)).start()
    attach_rig(system, cams, rig.cameras, CLI_ACTOR)
    for c, r in zip(cams, rig.cameras, strict=True):
        typer.echo(f"  {c.camera_id} ({c.kind.value}) -> {redact_url(r.main_url)}")
    return rig


DEMO_USERS = [
    ("operator", Role.OPERATOR, "Demo Operator"),
    ("supervisor", Role.SUPERVISOR, "Demo Supervisor"),
    (FIRST_ADMIN, Role.ADMIN, "Demo Administrator"),
    ("police", Role.POLICE_VIEWER, "Demo Force Control Room"),
    ("officer", Role.POLICE_OFFICER, "Demo Investigating Officer"),
]
DEMO_FORCE = ("Demo Constabulary", {"police": "FCR1", "officer": "4521"})
"""Force and collar numbers of the demo's police link accounts."""


def demo_users(system: System) -> list[tuple[str, str, str]]:
    """Create or reset the demo's users with fresh passwords (licences valid for a year)."""
    from datetime import timedelta

    today = system.users.today()
    out = []
    with system.db.session() as s:
        for username, role, name in DEMO_USERS:
            password = generate_password()
            licensed = role in (Role.OPERATOR, Role.SUPERVISOR)
            spec = UserSpec(
                username=username,
                role=role.value,
                full_name=name,
                password=password,
                sia_number="1012-3456-7890-1234" if licensed else "",
                sia_expiry=today + timedelta(days=365) if licensed else None,
                sia_status="active" if licensed else "",
                sia_checked_on=today if licensed else None,
            )
            exists = s.scalar(select(User.id).where(User.username == username)) is not None
            if exists:
                system.users.update(s, username, spec, CLI_ACTOR, "demo start: password reset")
                system.users.set_disabled(s, username, False, CLI_ACTOR, "demo start")
            else:
                system.users.create(s, spec, CLI_ACTOR, "demo user")
            if username in DEMO_FORCE[1]:
                user = system.users.get(s, username)
                set_account(s, CLI_ACTOR, user, DEMO_FORCE[0], DEMO_FORCE[1][username],
                            system.clock)  # fmt: skip
            out.append((username, role.value, password))
    return out
