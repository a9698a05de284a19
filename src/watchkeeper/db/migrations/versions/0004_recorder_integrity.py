"""recorder integrity: per-camera RTSP transport

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-12-01

A camera's RTP can come interleaved over the RTSP connection (tcp, the default and what
every camera recorded so far used), over UDP, or auto (TCP, falling back to UDP when the
camera refuses TCP).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("camera") as batch:
        batch.add_column(
            sa.Column(
                "rtsp_transport",
                sa.Enum("tcp", "udp", "auto", name="rtsptransport", native_enum=False, length=8),
                nullable=False,
                server_default="tcp",
                comment="tcp, udp, or auto (TCP, then UDP if the camera refuses TCP)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("camera") as batch:
        batch.drop_column("rtsp_transport")
