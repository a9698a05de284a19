"""redaction: redacted copies of export parts, their tracks, decisions and job state

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_STATES = (
    "'analyse_queued', 'analysing', 'ready', 'render_queued', 'rendering', 'done', "
    "'failed', 'cancelled'"
)


def upgrade() -> None:
    op.create_table(
        "redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_job_id", sa.Integer(), nullable=False),
        sa.Column(
            "part", sa.Integer(), nullable=False, comment="Working copy number (1 = first part)"
        ),
        sa.Column(
            "source", sa.Text(), nullable=False, comment="Working copy path inside the package"
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False, comment="Style, pad, rate (JSON)"),
        sa.Column(
            "clip",
            sa.Text(),
            nullable=False,
            comment="Source size, frame count, rate, frame times (JSON)",
        ),
        sa.Column("tracks", sa.Text(), nullable=False, comment="Face tracks (JSON)"),
        sa.Column(
            "decisions", sa.Text(), nullable=False, comment="Track id -> decision, who, when (JSON)"
        ),
        sa.Column("manual", sa.Text(), nullable=False, comment="Manual boxes (JSON)"),
        sa.Column(
            "package",
            sa.Text(),
            nullable=False,
            comment="Redacted package folder beside the source package",
        ),
        sa.Column("output", sa.Text(), nullable=False, comment="Redacted MP4 in the package"),
        sa.Column("output_sha256", sa.String(length=64), nullable=False),
        sa.Column("log_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("rendered_by", sa.String(length=64), nullable=False),
        sa.Column("finished_us", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(f"state IN ({_STATES})", name=op.f("ck_redaction_state")),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_redaction_progress")),
        sa.CheckConstraint("part >= 1", name=op.f("ck_redaction_part")),
        sa.ForeignKeyConstraint(
            ["export_job_id"],
            ["evidence_job.id"],
            name=op.f("fk_redaction_export_job_id_evidence_job"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction")),
    )
    op.create_index("ix_redaction_state", "redaction", ["state"], unique=False)
    op.create_index(
        op.f("ix_redaction_export_job_id"), "redaction", ["export_job_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_redaction_export_job_id"), table_name="redaction")
    op.drop_index("ix_redaction_state", table_name="redaction")
    op.drop_table("redaction")
