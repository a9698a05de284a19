"""ptz: what each PTZ camera can do (from ONVIF), its clock offset, presets, privacy zones

Revision ID: 0007
Revises: 0002, 0003
Create Date: 2026-12-01

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ptz_camera",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column(
            "profile_token",
            sa.String(length=64),
            nullable=False,
            comment="The media profile PTZ commands name",
        ),
        sa.Column(
            "capabilities",
            sa.Text(),
            nullable=False,
            comment="JSON: spaces, speed ranges, preset count, privacy masks",
        ),
        sa.Column(
            "priorities",
            sa.Text(),
            nullable=False,
            comment="JSON: role -> control priority, overriding the defaults",
        ),
        sa.Column(
            "home_preset",
            sa.String(length=100),
            nullable=False,
            comment="Preset to return to when left idle ('' = none)",
        ),
        sa.Column(
            "home_after_s",
            sa.Integer(),
            nullable=False,
            comment="Idle seconds before returning home (0 = never)",
        ),
        sa.Column(
            "tour",
            sa.Text(),
            nullable=False,
            comment="JSON: [{preset, dwell_s, speed}] visited in order",
        ),
        sa.Column(
            "lens",
            sa.Text(),
            nullable=False,
            comment="JSON: how the picture maps to PTZ space (ptz.zones.Lens)",
        ),
        sa.Column(
            "clock_offset_us",
            sa.BigInteger(),
            nullable=True,
            comment="Camera clock minus server clock, from GetSystemDateAndTime",
        ),
        sa.Column("clock_checked_us", sa.BigInteger(), nullable=True),
        sa.Column(
            "probed_us", sa.BigInteger(), nullable=False, comment="When the capabilities were read"
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_ptz_camera_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_ptz_camera")),
    )
    op.create_table(
        "ptz_preset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "token", sa.String(length=64), nullable=False, comment="The camera's own preset token"
        ),
        sa.Column("pan", sa.Float(), nullable=False),
        sa.Column("tilt", sa.Float(), nullable=False),
        sa.Column("zoom", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_ptz_preset_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ptz_preset")),
        sa.UniqueConstraint("camera_id", "name", name="uq_ptz_preset_camera_name"),
    )
    with op.batch_alter_table("ptz_preset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ptz_preset_camera_id"), ["camera_id"], unique=False)

    op.create_table(
        "ptz_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("u0", sa.Float(), nullable=False),
        sa.Column("v0", sa.Float(), nullable=False),
        sa.Column("u1", sa.Float(), nullable=False),
        sa.Column("v1", sa.Float(), nullable=False),
        sa.Column("residential", sa.Boolean(), nullable=False),
        sa.Column(
            "lifted_until_us",
            sa.BigInteger(),
            nullable=True,
            comment="Lifted by a supervisor until then; applies again after",
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_ptz_zone_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ptz_zone")),
        sa.UniqueConstraint("camera_id", "name", name="uq_ptz_zone_camera_name"),
    )
    with op.batch_alter_table("ptz_zone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ptz_zone_camera_id"), ["camera_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ptz_zone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ptz_zone_camera_id"))
    op.drop_table("ptz_zone")
    with op.batch_alter_table("ptz_preset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ptz_preset_camera_id"))
    op.drop_table("ptz_preset")
    op.drop_table("ptz_camera")
