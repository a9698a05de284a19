"""cluster: recorder nodes, camera leases; segments say which node wrote them, under which
lease generation, and where they are (local disk or the object store)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Plain CREATE TABLE and ADD COLUMN (nullable or with a default), so the same steps run on
SQLite and PostgreSQL and existing rows read as single-machine, local segments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_node",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column(
            "host", sa.String(length=255), nullable=False, comment="Host name the node runs on"
        ),
        sa.Column("pid", sa.Integer(), nullable=False, comment="Process id on that host"),
        sa.Column(
            "started_us",
            sa.BigInteger(),
            nullable=False,
            comment="Database clock when the node (re)started",
        ),
        sa.Column(
            "heartbeat_us",
            sa.BigInteger(),
            nullable=False,
            comment="Database clock at the last renewal",
        ),
        sa.Column("capacity", sa.Float(), nullable=False, comment="Balancing weight"),
        sa.Column("cameras", sa.Integer(), nullable=False, comment="Leases held"),
        sa.Column("streams", sa.Integer(), nullable=False, comment="Streams running"),
        sa.Column("db_backlog", sa.Integer(), nullable=False, comment="Rows queued, unwritten"),
        sa.Column("disk_level", sa.String(length=16), nullable=False, comment="Disk alarm level"),
        sa.Column("disk_free_fraction", sa.Float(), nullable=True, comment="Free / total"),
        sa.Column("stopped_us", sa.BigInteger(), nullable=True, comment="Set by a clean stop"),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_cluster_node_capacity")),
        sa.CheckConstraint(
            "disk_level IN ('ok', 'warn', 'alarm', 'critical')",
            name=op.f("ck_cluster_node_disk"),
        ),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_cluster_node")),
    )
    op.create_table(
        "camera_lease",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=True, comment="NULL: free"),
        sa.Column(
            "generation",
            sa.BigInteger(),
            nullable=False,
            comment="Raised by one at every claim; carried into each row",
        ),
        sa.Column(
            "expires_us", sa.BigInteger(), nullable=False, comment="Database clock; 0 when free"
        ),
        sa.Column(
            "acquired_us", sa.BigInteger(), nullable=False, comment="Database clock at the claim"
        ),
        sa.CheckConstraint("generation >= 0", name=op.f("ck_camera_lease_generation")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_camera_lease_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["cluster_node.node_id"],
            name=op.f("fk_camera_lease_node_id_cluster_node"),
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_camera_lease")),
    )
    op.add_column(
        "recording_segment",
        sa.Column(
            "node_id",
            sa.String(length=64),
            nullable=True,
            comment="Recorder node that wrote it (scale-out); NULL on one machine",
        ),
    )
    op.add_column(
        "recording_segment",
        sa.Column(
            "lease_generation",
            sa.BigInteger(),
            nullable=True,
            comment="The camera lease's generation it was written under (fencing)",
        ),
    )
    op.add_column(
        "recording_segment",
        sa.Column(
            "location",
            sa.String(length=8),
            nullable=False,
            server_default="local",
            comment="local: DATA_DIR/recordings of node_id; s3: the bucket, key = path",
        ),
    )


def downgrade() -> None:
    op.drop_column("recording_segment", "location")
    op.drop_column("recording_segment", "lease_generation")
    op.drop_column("recording_segment", "node_id")
    op.drop_table("camera_lease")
    op.drop_table("cluster_node")
