"""Camera health as the daily check sees it, read from what the recorder wrote.

Counting from the database, not from a running recorder's memory, gives the same answer
whether the recorder runs in the web process, in worker processes or on another node.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.recording.models import Segment, StreamEvent, StreamState
from watchkeeper.records.shifts import HealthSummary
from watchkeeper.timeutil import US_PER_S, Clock

__all__ = ["RecordedHealth"]


class RecordedHealth:
    """Active cameras; those whose main stream is streaming; those recorded lately.

    ``None`` while no recorder has ever reported on an active camera.
    """

    def __init__(self, clock: Clock, recent_seconds: int = 300) -> None:
        self.clock = clock
        self.recent_us = recent_seconds * US_PER_S

    def summary(self, session: Session) -> HealthSummary | None:
        active = select(Camera.id).where(Camera.status == CameraStatus.ACTIVE)
        total = session.scalar(select(func.count()).select_from(active.subquery())) or 0
        latest = (
            select(StreamEvent.camera_id, func.max(StreamEvent.at_us).label("at"))
            .where(StreamEvent.stream == "main", StreamEvent.camera_id.in_(active))
            .group_by(StreamEvent.camera_id)
            .subquery()
        )
        if not session.scalar(select(func.count()).select_from(latest)):
            return None  # the recorder has never run here: the operator counts by eye
        online = (
            session.scalar(
                select(func.count())
                .select_from(StreamEvent)
                .join(
                    latest,
                    (StreamEvent.camera_id == latest.c.camera_id)
                    & (StreamEvent.at_us == latest.c.at),
                )
                .where(
                    StreamEvent.stream == "main", StreamEvent.state == StreamState.STREAMING.value
                )
            )
            or 0
        )
        since = self.clock.now_us() - self.recent_us
        recording = (
            session.scalar(
                select(func.count(func.distinct(Segment.camera_id))).where(
                    Segment.stream == "main", Segment.end_us >= since, Segment.camera_id.in_(active)
                )
            )
            or 0
        )
        return HealthSummary(total=total, online=online, recording=recording)
