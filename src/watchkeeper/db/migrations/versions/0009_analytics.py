"""analytics: zones and masks, motion spans, alert rules and alerts (issue 14)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column(
            "zone", sa.String(length=64), nullable=False, comment="Zone name; 'all' = whole picture"
        ),
        sa.Column("object", sa.String(length=16), nullable=False),
        sa.Column(
            "start_min",
            sa.Integer(),
            nullable=False,
            comment="Schedule start, minutes after local midnight (Europe/London)",
        ),
        sa.Column(
            "end_min",
            sa.Integer(),
            nullable=False,
            comment="Schedule end; before start means the schedule crosses midnight",
        ),
        sa.Column(
            "loiter_s",
            sa.Integer(),
            nullable=False,
            comment="Presence needed before the alert fires (0 = at once)",
        ),
        sa.Column(
            "cooldown_s", sa.Integer(), nullable=False, comment="Quiet time between two alerts"
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "object IN ('motion', 'person', 'vehicle')", name=op.f("ck_alert_rule_object")
        ),
        sa.CheckConstraint("end_min >= 0 AND end_min <= 1440", name=op.f("ck_alert_rule_end_min")),
        sa.CheckConstraint("loiter_s >= 0 AND cooldown_s >= 0", name=op.f("ck_alert_rule_seconds")),
        sa.CheckConstraint(
            "start_min >= 0 AND start_min < 1440", name=op.f("ck_alert_rule_start_min")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_alert_rule_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rule")),
    )
    op.create_index(op.f("ix_alert_rule_camera_id"), "alert_rule", ["camera_id"], unique=False)

    op.create_table(
        "analytics_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "points", sa.Text(), nullable=False, comment="JSON [[x, y], ...], fractions 0..1"
        ),
        sa.Column(
            "sensitivity",
            sa.Float(),
            nullable=False,
            comment="Fraction of the zone that must change to count as motion",
        ),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("kind IN ('zone', 'mask')", name=op.f("ck_analytics_zone_kind")),
        sa.CheckConstraint(
            "sensitivity > 0 AND sensitivity <= 1", name=op.f("ck_analytics_zone_sensitivity")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_analytics_zone_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_zone")),
    )
    op.create_index(
        "ix_analytics_zone_camera_name", "analytics_zone", ["camera_id", "name"], unique=True
    )

    op.create_table(
        "motion_span",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column(
            "start_us",
            sa.BigInteger(),
            nullable=False,
            comment="Wall time of the first analysed frame with motion",
        ),
        sa.Column(
            "end_us",
            sa.BigInteger(),
            nullable=False,
            comment="Last frame with motion plus one analysis interval",
        ),
        sa.Column(
            "peak", sa.Float(), nullable=False, comment="Largest changed fraction of the zone"
        ),
        sa.Column("peak_us", sa.BigInteger(), nullable=False),
        sa.Column(
            "thumbnail",
            sa.LargeBinary(),
            nullable=True,
            comment="JPEG of the frame with most motion (masks blacked out)",
        ),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_motion_span_order")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_motion_span_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_span")),
    )
    op.create_index(
        "ix_motion_span_camera_start", "motion_span", ["camera_id", "start_us"], unique=False
    )

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("rule_name", sa.String(length=100), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("object", sa.String(length=16), nullable=False),
        sa.Column(
            "start_us",
            sa.BigInteger(),
            nullable=False,
            comment="When the object was first seen in the zone",
        ),
        sa.Column(
            "end_us",
            sa.BigInteger(),
            nullable=False,
            comment="Last seen (grows until the span closes)",
        ),
        sa.Column("raised_us", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ack_by", sa.String(length=64), nullable=False),
        sa.Column("ack_us", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("incident_ref", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'incident')", name=op.f("ck_alert_status")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_alert_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rule.id"], name=op.f("fk_alert_rule_id_alert_rule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    op.create_index(op.f("ix_alert_rule_id"), "alert", ["rule_id"], unique=False)
    op.create_index("ix_alert_status_raised", "alert", ["status", "raised_us"], unique=False)

    op.create_table(
        "detection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column(
            "at_us", sa.BigInteger(), nullable=False, comment="Wall time of the analysed frame"
        ),
        sa.Column(
            "label",
            sa.String(length=16),
            nullable=False,
            comment="person (the shipped model's only class)",
        ),
        sa.Column(
            "score",
            sa.Float(),
            nullable=False,
            comment="Detector confidence (SVM margin for HOG)",
        ),
        sa.Column(
            "zone",
            sa.String(length=64),
            nullable=False,
            comment="Zone holding the box's foot point",
        ),
        sa.Column(
            "box",
            sa.Text(),
            nullable=False,
            comment="JSON [x0, y0, x1, y1], fractions of the picture",
        ),
        sa.Column(
            "crop",
            sa.LargeBinary(),
            nullable=True,
            comment="JPEG of the box (masks blacked out)",
        ),
        sa.CheckConstraint("score >= 0", name=op.f("ck_detection_score")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_detection_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection")),
    )
    op.create_index("ix_detection_camera_at", "detection", ["camera_id", "at_us"], unique=False)


def downgrade() -> None:
    op.drop_table("detection")
    op.drop_table("alert")
    op.drop_table("motion_span")
    op.drop_table("analytics_zone")
    op.drop_table("alert_rule")
