"""police link: police accounts (force, collar number), camera shares and their viewers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "police_account",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "force",
            sa.String(length=100),
            nullable=False,
            comment="The police force the user serves",
        ),
        sa.Column(
            "collar_number",
            sa.String(length=32),
            nullable=False,
            comment="Collar (shoulder) number",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_police_account_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_police_account")),
    )
    op.create_table(
        "camera_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column(
            "cad_ref", sa.String(length=64), nullable=False, comment="Police CAD or log number"
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "ptz",
            sa.Boolean(),
            nullable=False,
            comment="Police may steer, below the operators' priority",
        ),
        sa.Column("shared_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "shared_by", sa.String(length=64), nullable=False, comment="User name as it was then"
        ),
        sa.Column("shared_us", sa.BigInteger(), nullable=False),
        sa.Column("expires_us", sa.BigInteger(), nullable=False),
        sa.Column("ended_us", sa.BigInteger(), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_camera_share_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_camera_share_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["app_user.id"], name=op.f("fk_camera_share_shared_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_share")),
    )
    with op.batch_alter_table("camera_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_camera_share_camera_id"), ["camera_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_camera_share_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_camera_share_expires_us"), ["expires_us"], unique=False
        )
    op.create_table(
        "share_viewer",
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("force", sa.String(length=100), nullable=False),
        sa.Column("collar_number", sa.String(length=32), nullable=False),
        sa.Column("first_us", sa.BigInteger(), nullable=False),
        sa.Column("last_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["camera_share.id"],
            name=op.f("fk_share_viewer_share_id_camera_share"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_share_viewer_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("share_id", "user_id", name=op.f("pk_share_viewer")),
    )


def downgrade() -> None:
    op.drop_table("share_viewer")
    op.drop_index("ix_camera_share_expires_us", table_name="camera_share")
    op.drop_index("ix_camera_share_incident_id", table_name="camera_share")
    op.drop_index("ix_camera_share_camera_id", table_name="camera_share")
    op.drop_table("camera_share")
    op.drop_table("police_account")
