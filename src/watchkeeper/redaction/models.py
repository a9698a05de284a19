"""The ``redaction`` table: one row per redacted copy (a working copy of one export part).

The row is also the job: analysis and render are queued, claimed and reported on it, as
export jobs are on ``evidence_job``. Tracks, decisions, manual boxes and settings are JSON
text (small: a 10-minute clip at 5 detections a second is a few hundred kilobytes).
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["Redaction", "RedactionState"]


class RedactionState(enum.StrEnum):
    ANALYSE_QUEUED = "analyse_queued"
    ANALYSING = "analysing"
    READY = "ready"
    """Tracks found; waiting for the reviewer."""
    RENDER_QUEUED = "render_queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


RUNNING = (RedactionState.ANALYSING.value, RedactionState.RENDERING.value)
QUEUED = (RedactionState.ANALYSE_QUEUED.value, RedactionState.RENDER_QUEUED.value)


class Redaction(Base):
    """A redacted copy of one part of an export package, from detection to render."""

    __tablename__ = "redaction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_job_id: Mapped[int] = mapped_column(ForeignKey("evidence_job.id"), index=True)
    part: Mapped[int] = mapped_column(Integer, comment="Working copy number (1 = first part)")
    source: Mapped[str] = mapped_column(Text, comment="Working copy path inside the package")
    state: Mapped[str] = mapped_column(String(16), default=RedactionState.ANALYSE_QUEUED.value)
    stage: Mapped[str] = mapped_column(String(16), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[str] = mapped_column(Text, default="{}", comment="Style, pad, rate (JSON)")
    clip: Mapped[str] = mapped_column(
        Text, default="{}", comment="Source size, frame count, rate, frame times (JSON)"
    )
    tracks: Mapped[str] = mapped_column(Text, default="[]", comment="Face tracks (JSON)")
    decisions: Mapped[str] = mapped_column(
        Text, default="{}", comment="Track id -> decision, who, when (JSON)"
    )
    manual: Mapped[str] = mapped_column(Text, default="[]", comment="Manual boxes (JSON)")
    package: Mapped[str] = mapped_column(
        Text, default="", comment="Redacted package folder beside the source package"
    )
    output: Mapped[str] = mapped_column(Text, default="", comment="Redacted MP4 in the package")
    output_sha256: Mapped[str] = mapped_column(String(64), default="")
    log_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()
    rendered_by: Mapped[str] = mapped_column(String(64), default="")
    finished_us: Mapped[int | None] = micros(nullable=True)
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(repr(v.value) for v in RedactionState) + ")", name="state"
        ),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        CheckConstraint("part >= 1", name="part"),
        Index("ix_redaction_state", "state"),
    )
