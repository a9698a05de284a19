"""``watchkeeper audit``: verify the hash chain and its anchor; write a checkpoint."""

from __future__ import annotations

import typer

from watchkeeper.audit.anchor import CHECKPOINT_FILE, seal, verify_anchored, write_checkpoint
from watchkeeper.audit.service import Actor
from watchkeeper.cli.context import fail, open_system

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    def verify_cmd(ctx: typer.Context) -> None:
        """Check every entry's hash, the head's signature and the checkpoints.

        Exits non-zero naming the first bad entry.
        """
        with open_system(ctx) as system, system.db.session() as s:
            path = system.settings.data_dir / CHECKPOINT_FILE
            result = verify_anchored(s, system.db.audit_key, path)
        if not result.ok:
            raise fail(
                f"audit chain broken at entry {result.first_bad_seq}: {result.problem} "
                f"({result.checked} entries before it are intact)"
            )
        typer.echo(f"audit chain intact: {result.checked} entries")

    @group.command("checkpoint")
    def checkpoint_cmd(ctx: typer.Context) -> None:
        """Append a signed checkpoint of the log's head to the data folder (for cron)."""
        with open_system(ctx) as system, system.db.session() as s:
            assert system.db.audit_key is not None
            path = system.settings.data_dir / CHECKPOINT_FILE
            cp = write_checkpoint(s, system.db.audit_key, path, system.clock)
        if cp is None:
            typer.echo("no new entries since the last checkpoint")
        else:
            typer.echo(f"checkpoint at entry {cp.seq} written to {path}")

    @group.command("seal")
    def seal_cmd(ctx: typer.Context) -> None:
        """Sign the log's head with the system key, once the chain and checkpoints verify.

        After upgrading from a version without the signed head, or changing the key.
        """
        with open_system(ctx) as system, system.db.session() as s:
            assert system.db.audit_key is not None
            path = system.settings.data_dir / CHECKPOINT_FILE
            actor = Actor.system("cli")
            result = seal(s, system.db.audit_key, path, actor, system.clock)
        if not result.ok:
            raise fail(f"not sealed: entry {result.first_bad_seq}: {result.problem}")
        typer.echo(f"audit head signed after {result.checked} entries")
