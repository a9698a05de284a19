"""evidence: requests, cameras, pauses, export jobs, download links, custody log, stills

Revision ID: 0006
Revises: 0002, 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column(
            "received_us",
            sa.BigInteger(),
            nullable=False,
            comment="When it arrived (the clocks start here)",
        ),
        sa.Column("received_on", sa.Date(), nullable=False, comment="Local date of receipt"),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("requester_org", sa.String(length=200), nullable=False),
        sa.Column("requester_contact", sa.Text(), nullable=False),
        sa.Column("lawful_basis", sa.Text(), nullable=False),
        sa.Column(
            "fields",
            sa.Text(),
            nullable=False,
            comment="Kind-specific fields (officer, force, collar...), JSON",
        ),
        sa.Column("start_us", sa.BigInteger(), nullable=False, comment="Window asked for"),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column("incidents", sa.Text(), nullable=False, comment="Linked incident refs"),
        sa.Column("identity_on", sa.Date(), nullable=True, comment="Identity confirmed (SAR)"),
        sa.Column("identity_by", sa.String(length=64), nullable=True),
        sa.Column("extension_months", sa.Integer(), nullable=False),
        sa.Column("extension_told_on", sa.Date(), nullable=True),
        sa.Column(
            "due_on",
            sa.Date(),
            nullable=True,
            comment="Computed statutory deadline; NULL when none applies",
        ),
        sa.Column("decided_us", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=False),
        sa.Column("exemptions", sa.Text(), nullable=False),
        sa.Column("released_us", sa.BigInteger(), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.Column("released_to", sa.Text(), nullable=False),
        sa.Column("released_how", sa.Text(), nullable=False),
        sa.Column("closed_us", sa.BigInteger(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('police', 'primary', 'secondary', 'subject_access', 'foi', 'media', "
            "'court_order')",
            name=op.f("ck_evidence_request_kind"),
        ),
        sa.CheckConstraint(
            "requester_name != '' AND lawful_basis != ''",
            name=op.f("ck_evidence_request_explained"),
        ),
        sa.CheckConstraint(
            "state != 'closed' OR close_reason != ''",
            name=op.f("ck_evidence_request_closed_with_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('received', 'identity_verified', 'searching', 'reviewing', 'approved', "
            "'refused', 'exporting', 'released', 'closed')",
            name=op.f("ck_evidence_request_state"),
        ),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_evidence_request_positive_window")),
        sa.CheckConstraint(
            "extension_months BETWEEN 0 AND 2", name=op.f("ck_evidence_request_extension")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_request")),
    )
    op.create_index(
        "ix_evidence_request_state", "evidence_request", ["state", "due_on"], unique=False
    )
    op.create_table(
        "evidence_request_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "end_on IS NULL OR end_on >= start_on", name=op.f("ck_evidence_request_pause_order")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
            name=op.f("fk_evidence_request_pause_request_id_evidence_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_request_pause")),
    )
    op.create_index(
        op.f("ix_evidence_request_pause_request_id"),
        "evidence_request_pause",
        ["request_id"],
        unique=False,
    )
    op.create_table(
        "evidence_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=8), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column("exhibit_ref", sa.String(length=100), nullable=False),
        sa.Column(
            "stills",
            sa.Text(),
            nullable=False,
            comment="Instants (UTC µs, JSON list) to include as stills",
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("package", sa.Text(), nullable=False, comment="Folder under DATA_DIR/exports"),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("started_us", sa.BigInteger(), nullable=True),
        sa.Column("finished_us", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_evidence_job_state"),
        ),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_evidence_job_positive_window")),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 1", name=op.f("ck_evidence_job_progress")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_evidence_job_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
            name=op.f("fk_evidence_job_request_id_evidence_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_job")),
    )
    op.create_index(
        op.f("ix_evidence_job_request_id"), "evidence_job", ["request_id"], unique=False
    )
    op.create_index("ix_evidence_job_state", "evidence_job", ["state"], unique=False)
    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("collar_number", sa.String(length=32), nullable=False),
        sa.Column("force", sa.String(length=100), nullable=False),
        sa.Column(
            "medium_id", sa.String(length=100), nullable=False, comment="Disc, drive or link"
        ),
        sa.Column("hash_checked", sa.Boolean(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('produced', 'copied', 'handed_over', 'returned', 'destroyed')",
            name=op.f("ck_evidence_custody_action"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["evidence_job.id"], name=op.f("fk_evidence_custody_job_id_evidence_job")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
            name=op.f("fk_evidence_custody_request_id_evidence_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
    )
    op.create_index(
        op.f("ix_evidence_custody_request_id"), "evidence_custody", ["request_id"], unique=False
    )
    op.create_table(
        "evidence_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "encrypted",
            sa.Boolean(),
            nullable=False,
            comment="Serves the AES-256 zip (password shown once, not kept)",
        ),
        sa.Column("expires_us", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["evidence_job.id"], name=op.f("fk_evidence_link_job_id_evidence_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_link")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_evidence_link_token_sha256")),
    )
    op.create_index(op.f("ix_evidence_link_job_id"), "evidence_link", ["job_id"], unique=False)
    op.create_table(
        "evidence_request_camera",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column(
            "client_id", sa.String(length=64), nullable=True, comment="Owner, when a client's"
        ),
        sa.Column(
            "client_approver",
            sa.String(length=200),
            nullable=True,
            comment="Who at the client approved release (needed for a client's camera)",
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_evidence_request_camera_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["recording_hold.id"],
            name=op.f("fk_evidence_request_camera_hold_id_recording_hold"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
            name=op.f("fk_evidence_request_camera_request_id_evidence_request"),
        ),
        sa.PrimaryKeyConstraint("request_id", "camera_id", name=op.f("pk_evidence_request_camera")),
    )

    op.create_table(
        "evidence_still",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False, comment="The instant asked for"),
        sa.Column("package", sa.Text(), nullable=False, comment="Package folder name"),
        sa.Column("path", sa.Text(), nullable=False, comment="File inside the package"),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column("made_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["evidence_job.id"], name=op.f("fk_evidence_still_job_id_evidence_job")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
            name=op.f("fk_evidence_still_request_id_evidence_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_still")),
    )
    op.create_index(op.f("ix_evidence_still_job_id"), "evidence_still", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_still_job_id"), table_name="evidence_still")
    op.drop_table("evidence_still")
    op.drop_table("evidence_request_camera")
    op.drop_index(op.f("ix_evidence_link_job_id"), table_name="evidence_link")
    op.drop_table("evidence_link")
    op.drop_index(op.f("ix_evidence_custody_request_id"), table_name="evidence_custody")
    op.drop_table("evidence_custody")
    op.drop_index("ix_evidence_job_state", table_name="evidence_job")
    op.drop_index(op.f("ix_evidence_job_request_id"), table_name="evidence_job")
    op.drop_table("evidence_job")
    op.drop_index(op.f("ix_evidence_request_pause_request_id"), table_name="evidence_request_pause")
    op.drop_table("evidence_request_pause")
    op.drop_index("ix_evidence_request_state", table_name="evidence_request")
    op.drop_table("evidence_request")
