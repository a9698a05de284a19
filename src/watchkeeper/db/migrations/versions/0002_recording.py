"""recording: init segments, segments, stream events, holds, deletion log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_deletion",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment_id", sa.BigInteger(), nullable=False, comment="The row is gone; no FK"),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=8), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "rule IN ('retention', 'disk_pressure', 'repair')",
            name=op.f("ck_recording_deletion_rule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_deletion")),
    )
    with op.batch_alter_table("recording_deletion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_deletion_at_us"), ["at_us"], unique=False)

    op.create_table(
        "recording_init",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="Of data, hex"),
        sa.Column("codec", sa.String(length=16), nullable=False, comment="e.g. h264, hevc"),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column(
            "timescale", sa.Integer(), nullable=False, comment="Ticks per second inside the file"
        ),
        sa.Column("data", sa.LargeBinary(), nullable=False, comment="ftyp+moov bytes as written"),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "width > 0 AND height > 0 AND timescale > 0", name=op.f("ck_recording_init_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_init")),
        sa.UniqueConstraint("sha256", name=op.f("uq_recording_init_sha256")),
    )
    op.create_table(
        "recording_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=True, comment="NULL: every camera"),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column(
            "reference", sa.String(length=100), nullable=False, comment="Incident, CAD or SAR ref"
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False, comment="Who asked for it"),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("expires_us", sa.BigInteger(), nullable=True, comment="NULL: until released"),
        sa.Column("released_us", sa.BigInteger(), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(released_us IS NULL AND released_by IS NULL AND release_reason IS NULL) OR "
            "(released_us IS NOT NULL AND released_by IS NOT NULL AND release_reason != '')",
            name=op.f("ck_recording_hold_release_complete"),
        ),
        sa.CheckConstraint(
            "reference != '' AND reason != '' AND holder != ''",
            name=op.f("ck_recording_hold_explained"),
        ),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_recording_hold_positive_span")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_recording_hold_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_hold")),
    )
    with op.batch_alter_table("recording_hold", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recording_hold_span", ["camera_id", "start_us", "end_us"], unique=False
        )

    op.create_table(
        "recording_segment",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False, comment="Register id"),
        sa.Column("stream", sa.String(length=8), nullable=False, comment="main or sub"),
        sa.Column(
            "start_us",
            sa.BigInteger(),
            nullable=False,
            comment="Wall time of the first frame, UTC µs",
        ),
        sa.Column(
            "end_us",
            sa.BigInteger(),
            nullable=False,
            comment="Wall time the last frame ends, UTC µs",
        ),
        sa.Column(
            "media_duration_us",
            sa.BigInteger(),
            nullable=False,
            comment="Sum of frame durations by the camera's clock",
        ),
        sa.Column(
            "run_start_us",
            sa.BigInteger(),
            nullable=False,
            comment="Anchor of the run this segment belongs to",
        ),
        sa.Column(
            "discontinuity",
            sa.Boolean(),
            nullable=False,
            comment="First segment of a run or of a new init segment",
        ),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False, comment="File size"),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="Of the whole file, hex"),
        sa.Column("init_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False, comment="Relative to DATA_DIR/recordings"),
        sa.Column(
            "fragment_index",
            sa.LargeBinary(),
            nullable=False,
            comment="Packed (offset u64, size u32, start µs u64, keyframe u8) per moof",
        ),
        sa.Column(
            "clock_offset_us",
            sa.BigInteger(),
            nullable=True,
            comment="Camera clock minus server clock (ONVIF); NULL unknown",
        ),
        sa.Column(
            "recovered",
            sa.Boolean(),
            nullable=False,
            comment="Indexed by crash recovery, not by the writer",
        ),
        sa.Column(
            "state", sa.String(length=16), nullable=False, comment="live, or deleting (phase 1)"
        ),
        sa.Column("delete_rule", sa.String(length=16), nullable=True, comment="Set with deleting"),
        sa.Column("delete_marked_us", sa.BigInteger(), nullable=True),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(state = 'live' AND delete_rule IS NULL) OR "
            "(state = 'deleting' AND delete_rule IS NOT NULL AND "
            "delete_rule IN ('retention', 'disk_pressure', 'repair'))",
            name=op.f("ck_recording_segment_delete_rule"),
        ),
        sa.CheckConstraint(
            "state IN ('live', 'deleting')", name=op.f("ck_recording_segment_state")
        ),
        sa.CheckConstraint("stream IN ('main', 'sub')", name=op.f("ck_recording_segment_stream")),
        sa.CheckConstraint(
            "size_bytes > 0 AND frames > 0 AND media_duration_us > 0",
            name=op.f("ck_recording_segment_non_empty"),
        ),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_recording_segment_positive_span")),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_recording_segment_sha256_len")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_recording_segment_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["init_id"],
            ["recording_init.id"],
            name=op.f("fk_recording_segment_init_id_recording_init"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_segment")),
        sa.UniqueConstraint("camera_id", "stream", "start_us", name="uq_recording_segment_start"),
    )
    with op.batch_alter_table("recording_segment", schema=None) as batch_op:
        batch_op.create_index("ix_recording_segment_end", ["end_us"], unique=False)
        batch_op.create_index(
            "ix_recording_segment_span", ["camera_id", "stream", "start_us", "end_us"], unique=False
        )

    op.create_table(
        "recording_stream_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=8), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('connecting', 'streaming', 'stalled', 'offline', 'stopped')",
            name=op.f("ck_recording_stream_event_state"),
        ),
        sa.CheckConstraint(
            "stream IN ('main', 'sub')", name=op.f("ck_recording_stream_event_stream")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_recording_stream_event_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_stream_event")),
    )
    with op.batch_alter_table("recording_stream_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recording_stream_event_at", ["camera_id", "stream", "at_us"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recording_stream_event", schema=None) as batch_op:
        batch_op.drop_index("ix_recording_stream_event_at")

    op.drop_table("recording_stream_event")
    with op.batch_alter_table("recording_segment", schema=None) as batch_op:
        batch_op.drop_index("ix_recording_segment_span")
        batch_op.drop_index("ix_recording_segment_end")

    op.drop_table("recording_segment")
    with op.batch_alter_table("recording_hold", schema=None) as batch_op:
        batch_op.drop_index("ix_recording_hold_span")

    op.drop_table("recording_hold")
    op.drop_table("recording_init")
    with op.batch_alter_table("recording_deletion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_deletion_at_us"))

    op.drop_table("recording_deletion")
