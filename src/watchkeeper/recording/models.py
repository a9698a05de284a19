"""Tables of the recording engine: init segments, segments, stream events, holds, deletions.

Every time is a ``BigInteger`` of UTC microseconds. CHECK constraints hold the invariants that
the database can see; the rest (file fsynced before the row exists) is the writer's job.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = [
    "DeletionRule",
    "InitSegment",
    "RecordingDeletion",
    "RecordingHold",
    "Segment",
    "SegmentState",
    "StreamEvent",
    "StreamState",
    "live_overlapping",
    "stored_by",
]


class SegmentState(enum.StrEnum):
    LIVE = "live"
    DELETING = "deleting"


class DeletionRule(enum.StrEnum):
    RETENTION = "retention"
    DISK_PRESSURE = "disk_pressure"
    REPAIR = "repair"


class StreamState(enum.StrEnum):
    CONNECTING = "connecting"
    STREAMING = "streaming"
    STALLED = "stalled"
    OFFLINE = "offline"
    STOPPED = "stopped"


class InitSegment(Base):
    """An ``ftyp``+``moov`` codec configuration, stored once and shared by its segments."""

    __tablename__ = "recording_init"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, comment="Of data, hex")
    codec: Mapped[str] = mapped_column(String(16), comment="e.g. h264, hevc")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    timescale: Mapped[int] = mapped_column(Integer, comment="Ticks per second inside the file")
    data: Mapped[bytes] = mapped_column(LargeBinary, comment="ftyp+moov bytes as written")
    created_us: Mapped[int] = micros()
    __table_args__ = (
        CheckConstraint("width > 0 AND height > 0 AND timescale > 0", name="positive"),
    )


class Segment(Base):
    """One finished segment file (~60 s). The row exists only after the file is durable."""

    __tablename__ = "recording_segment"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), comment="Register id")
    stream: Mapped[str] = mapped_column(String(8), comment="main or sub")
    start_us: Mapped[int] = micros(comment="Wall time of the first frame, UTC µs")
    end_us: Mapped[int] = micros(comment="Wall time the last frame ends, UTC µs")
    media_duration_us: Mapped[int] = mapped_column(
        BigInteger, comment="Sum of frame durations by the camera's clock"
    )
    run_start_us: Mapped[int] = micros(comment="Anchor of the run this segment belongs to")
    discontinuity: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="First segment of a run or of a new init segment"
    )
    frames: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigInteger, comment="File size")
    sha256: Mapped[str] = mapped_column(String(64), comment="Of the whole file, hex")
    init_id: Mapped[int] = mapped_column(ForeignKey("recording_init.id"))
    path: Mapped[str] = mapped_column(Text, comment="Relative to DATA_DIR/recordings")
    fragment_index: Mapped[bytes] = mapped_column(
        LargeBinary, comment="Packed (offset u64, size u32, start µs u64, keyframe u8) per moof"
    )
    clock_offset_us: Mapped[int | None] = mapped_column(
        BigInteger, comment="Camera clock minus server clock (ONVIF); NULL unknown"
    )
    recovered: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Indexed by crash recovery, not by the writer"
    )
    state: Mapped[str] = mapped_column(
        String(16), default=SegmentState.LIVE.value, comment="live, or deleting (phase 1)"
    )
    delete_rule: Mapped[str | None] = mapped_column(String(16), comment="Set with deleting")
    delete_marked_us: Mapped[int | None] = micros(nullable=True)
    created_us: Mapped[int] = micros()
    node_id: Mapped[str | None] = mapped_column(
        String(64), comment="Recorder node that wrote it (scale-out); NULL on one machine"
    )
    lease_generation: Mapped[int | None] = mapped_column(
        BigInteger, comment="The camera lease's generation it was written under (fencing)"
    )
    location: Mapped[str] = mapped_column(
        String(8),
        default="local",
        server_default="local",
        comment="local: DATA_DIR/recordings of node_id; s3: the bucket, key = path",
    )
    __table_args__ = (
        CheckConstraint("stream IN ('main', 'sub')", name="stream"),
        CheckConstraint("end_us > start_us", name="positive_span"),
        CheckConstraint(
            "size_bytes > 0 AND frames > 0 AND media_duration_us > 0", name="non_empty"
        ),
        CheckConstraint("length(sha256) = 64", name="sha256_len"),
        CheckConstraint("state IN ('live', 'deleting')", name="state"),
        CheckConstraint(
            "(state = 'live' AND delete_rule IS NULL) OR "
            "(state = 'deleting' AND delete_rule IS NOT NULL AND "
            "delete_rule IN ('retention', 'disk_pressure', 'repair'))",
            name="delete_rule",
        ),
        UniqueConstraint("camera_id", "stream", "start_us", name="uq_recording_segment_start"),
        Index("ix_recording_segment_span", "camera_id", "stream", "start_us", "end_us"),
        Index("ix_recording_segment_end", "end_us"),
    )


class StreamEvent(Base):
    """A change of a stream's state, with the reason; gaps are explained from these."""

    __tablename__ = "recording_stream_event"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"))
    stream: Mapped[str] = mapped_column(String(8))
    at_us: Mapped[int] = micros()
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("stream IN ('main', 'sub')", name="stream"),
        CheckConstraint(
            "state IN ('connecting', 'streaming', 'stalled', 'offline', 'stopped')", name="state"
        ),
        Index("ix_recording_stream_event_at", "camera_id", "stream", "at_us"),
    )


class RecordingHold(Base):
    """Footage that must not be deleted: incident, police request, SAR, legal."""

    __tablename__ = "recording_hold"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str | None] = mapped_column(
        ForeignKey("camera.id"), comment="NULL: every camera"
    )
    start_us: Mapped[int] = micros()
    end_us: Mapped[int] = micros()
    reference: Mapped[str] = mapped_column(String(100), comment="Incident, CAD or SAR ref")
    reason: Mapped[str] = mapped_column(Text)
    holder: Mapped[str] = mapped_column(String(100), comment="Who asked for it")
    created_us: Mapped[int] = micros()
    created_by: Mapped[str] = mapped_column(String(64))
    expires_us: Mapped[int | None] = micros(nullable=True, comment="NULL: until released")
    released_us: Mapped[int | None] = micros(nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64))
    release_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("end_us > start_us", name="positive_span"),
        CheckConstraint("reference != '' AND reason != '' AND holder != ''", name="explained"),
        CheckConstraint(
            "(released_us IS NULL AND released_by IS NULL AND release_reason IS NULL) OR "
            "(released_us IS NOT NULL AND released_by IS NOT NULL AND release_reason != '')",
            name="release_complete",
        ),
        Index("ix_recording_hold_span", "camera_id", "start_us", "end_us"),
    )


class RecordingDeletion(Base):
    """The log of every deleted segment, with the rule that deleted it. Never updated."""

    __tablename__ = "recording_deletion"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(BigInteger, comment="The row is gone; no FK")
    camera_id: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(8))
    start_us: Mapped[int] = micros()
    end_us: Mapped[int] = micros()
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    at_us: Mapped[int] = micros(index=True)
    __table_args__ = (
        CheckConstraint("rule IN ('retention', 'disk_pressure', 'repair')", name="rule"),
    )


def live_overlapping(
    camera_id: str, stream: str, start_us: int, end_us: int
) -> tuple[ColumnElement[bool], ...]:
    """Conditions for a stream's live (not being deleted) segments overlapping
    ``[start_us, end_us)``: what playback, the gap report and exports each read."""
    return (
        Segment.camera_id == camera_id,
        Segment.stream == stream,
        Segment.state == SegmentState.LIVE.value,
        Segment.start_us < end_us,
        Segment.end_us > start_us,
    )


def stored_by(node_id: str | None) -> ColumnElement[bool]:
    """Segments a recorder looks after (retention, disk, check): on one machine every row
    (``node_id`` NULL); on a recorder node only those it wrote (scale-out.md)."""
    return Segment.node_id.is_(None) if node_id is None else Segment.node_id == node_id
