"""Tables of analytics: zones and masks, motion spans, alert rules and alerts."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["Alert", "AlertRule", "AnalyticsZone", "DetectionRow", "MotionSpanRow"]


class AnalyticsZone(Base):
    """A zone (motion counted, rules refer to it by name) or a mask (never analysed)."""

    __tablename__ = "analytics_zone"
    __table_args__ = (
        CheckConstraint("kind IN ('zone', 'mask')", name="kind"),
        CheckConstraint("sensitivity > 0 AND sensitivity <= 1", name="sensitivity"),
        Index("ix_analytics_zone_camera_name", "camera_id", "name", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    points: Mapped[str] = mapped_column(Text, comment="JSON [[x, y], ...], fractions 0..1")
    sensitivity: Mapped[float] = mapped_column(
        Float, comment="Fraction of the zone that must change to count as motion"
    )
    updated_us: Mapped[int] = micros()
    updated_by: Mapped[str] = mapped_column(String(64))


class MotionSpanRow(Base):
    """A stretch of motion in one zone of one camera, written when it closes."""

    __tablename__ = "motion_span"
    __table_args__ = (
        CheckConstraint("end_us > start_us", name="order"),
        Index("ix_motion_span_camera_start", "camera_id", "start_us"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    zone: Mapped[str] = mapped_column(String(64))
    start_us: Mapped[int] = micros(comment="Wall time of the first analysed frame with motion")
    end_us: Mapped[int] = micros(comment="Last frame with motion plus one analysis interval")
    peak: Mapped[float] = mapped_column(Float, comment="Largest changed fraction of the zone")
    peak_us: Mapped[int] = micros()
    thumbnail: Mapped[bytes | None] = mapped_column(
        LargeBinary, comment="JPEG of the frame with most motion (masks blacked out)"
    )


class AlertRule(Base):
    """Zone x object x schedule, with loitering and a cool-down."""

    __tablename__ = "alert_rule"
    __table_args__ = (
        CheckConstraint("object IN ('motion', 'person', 'vehicle')", name="object"),
        CheckConstraint("start_min >= 0 AND start_min < 1440", name="start_min"),
        CheckConstraint("end_min >= 0 AND end_min <= 1440", name="end_min"),
        CheckConstraint("loiter_s >= 0 AND cooldown_s >= 0", name="seconds"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    zone: Mapped[str] = mapped_column(String(64), comment="Zone name; 'all' = whole picture")
    object: Mapped[str] = mapped_column(String(16))
    start_min: Mapped[int] = mapped_column(
        Integer, comment="Schedule start, minutes after local midnight (Europe/London)"
    )
    end_min: Mapped[int] = mapped_column(
        Integer, comment="Schedule end; before start means the schedule crosses midnight"
    )
    loiter_s: Mapped[int] = mapped_column(
        Integer, comment="Presence needed before the alert fires (0 = at once)"
    )
    cooldown_s: Mapped[int] = mapped_column(Integer, comment="Quiet time between two alerts")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_us: Mapped[int] = micros()
    updated_by: Mapped[str] = mapped_column(String(64))


class Alert(Base):
    """A rule that fired: queued for the console until acknowledged or made an incident."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'incident')", name="status"),
        Index("ix_alert_status_raised", "status", "raised_us"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id"), index=True)
    rule_name: Mapped[str] = mapped_column(String(100))
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    zone: Mapped[str] = mapped_column(String(64))
    object: Mapped[str] = mapped_column(String(16))
    start_us: Mapped[int] = micros(comment="When the object was first seen in the zone")
    end_us: Mapped[int] = micros(comment="Last seen (grows until the span closes)")
    raised_us: Mapped[int] = micros()
    status: Mapped[str] = mapped_column(String(16))
    ack_by: Mapped[str] = mapped_column(String(64), default="")
    ack_us: Mapped[int | None] = micros(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    incident_ref: Mapped[str] = mapped_column(String(32), default="")


class DetectionRow(Base):
    """An object the detector found on a motion region, with a snapshot crop."""

    __tablename__ = "detection"
    __table_args__ = (
        CheckConstraint("score >= 0", name="score"),
        Index("ix_detection_camera_at", "camera_id", "at_us"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    at_us: Mapped[int] = micros(comment="Wall time of the analysed frame")
    label: Mapped[str] = mapped_column(
        String(16), comment="person (the shipped model's only class)"
    )
    score: Mapped[float] = mapped_column(Float, comment="Detector confidence (SVM margin for HOG)")
    zone: Mapped[str] = mapped_column(String(64), comment="Zone holding the box's foot point")
    box: Mapped[str] = mapped_column(
        Text, comment="JSON [x0, y0, x1, y1], fractions of the picture"
    )
    crop: Mapped[bytes | None] = mapped_column(
        LargeBinary, comment="JPEG of the box (masks blacked out)"
    )
