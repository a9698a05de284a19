"""hardening: log-in throttle, audit head anchor and guards

Revision ID: 0005
Revises: 0002, 0003
Create Date: 2026-12-01

Failed log-ins move from two columns of ``app_user`` (a count that never decayed and
a lock that also ended sessions) to ``login_throttle``: one counter per account and
per source address, counting failures in a window. The audit head gains ``mac``, an
HMAC under the system key, and triggers that refuse to delete the head or move it
anywhere but onto the entry just appended. PostgreSQL also refuses TRUNCATE of the
log and its head (a statement-level trigger; row triggers do not see TRUNCATE).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

HEAD_GUARD_SQLITE = [
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'audit head cannot be deleted'); END",
    "CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head "
    "WHEN (SELECT count(*) FROM audit_head) > 0 "
    "BEGIN SELECT RAISE(ABORT, 'audit head exists already'); END",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
    "WHEN NOT ("
    "(NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND NEW.hash = OLD.hash AND NEW.mac = OLD.mac)"
    " OR (NEW.id = OLD.id AND NEW.seq = OLD.seq"
    " AND NEW.hash = (SELECT hash FROM audit_log WHERE seq = NEW.seq))"
    ") BEGIN SELECT RAISE(ABORT, 'audit head moves only onto a new entry'); END",
]
HEAD_GUARD_POSTGRES = [
    "CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'audit head cannot be deleted'; END IF; "
    "IF TG_OP = 'INSERT' THEN "
    "  IF EXISTS (SELECT 1 FROM audit_head) THEN "
    "    RAISE EXCEPTION 'audit head exists already'; END IF; "
    "  RETURN NEW; END IF; "
    "IF NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND NEW.hash = OLD.hash "
    "  AND NEW.mac = OLD.mac THEN RETURN NEW; END IF; "
    "IF NEW.id = OLD.id AND NEW.seq = OLD.seq "
    "  AND NEW.hash = (SELECT hash FROM audit_log WHERE seq = NEW.seq) THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit head moves only onto a new entry'; END $$",
    "CREATE TRIGGER audit_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_guard()",
    "CREATE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit log is append-only (TRUNCATE refused)'; END $$",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()",
]


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column(
            "key",
            sa.String(length=80),
            nullable=False,
            comment="'user:' + SHA-256 of the typed name, or 'addr:' + the source address",
        ),
        sa.Column(
            "window_start_us",
            sa.BigInteger(),
            nullable=False,
            comment="When the current counting window opened",
        ),
        sa.Column(
            "failures",
            sa.Integer(),
            nullable=False,
            comment="Attempts not (yet) known good in the window",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    # Plain ALTER TABLE on both databases (SQLite 3.35+): a batch rebuild of app_user
    # would cascade-delete every session and token on SQLite.
    op.execute("ALTER TABLE app_user DROP COLUMN failed_logins")
    op.execute("ALTER TABLE app_user DROP COLUMN locked_until_us")
    op.add_column(
        "audit_head",
        sa.Column(
            "mac",
            sa.String(length=64),
            nullable=False,
            server_default="",
            comment="HMAC-SHA256 of seq and hash under the system key",
        ),
    )
    dialect = op.get_bind().dialect.name
    for statement in HEAD_GUARD_POSTGRES if dialect == "postgresql" else HEAD_GUARD_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_truncate()")
        op.execute("DROP TRIGGER IF EXISTS audit_head_guard ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_guard()")
    else:
        for name in ("audit_head_no_delete", "audit_head_no_insert", "audit_head_forward_only"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("ALTER TABLE audit_head DROP COLUMN mac")
    op.add_column("app_user", sa.Column("locked_until_us", sa.BigInteger(), nullable=True))
    op.add_column(
        "app_user", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.drop_table("login_throttle")
