"""Which cameras a police account may see: those under an active share, nothing else.

Kept apart from the shares service so the camera register (``CameraService.visible``, the
one place every video route asks) can use it without importing the service.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from watchkeeper.police.models import CameraShare
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.vocab import IncidentStatus

__all__ = ["active_shares", "shared_camera_ids"]


def active_shares(now_us: int) -> Select[CameraShare]:
    """Shares in force at ``now_us``: not ended, not expired, their incident (if any) open.

    Expiry and an incident's close take effect here, at once, with no job to run.
    """
    open_incidents = select(Incident.id).where(Incident.status != IncidentStatus.CLOSED.value)
    return select(CameraShare).where(
        CameraShare.ended_us.is_(None),
        CameraShare.expires_us > now_us,
        or_(CameraShare.incident_id.is_(None), CameraShare.incident_id.in_(open_incidents)),
    )


def shared_camera_ids(now_us: int) -> Select[str]:
    """The ids of cameras shared with the police link at ``now_us``."""
    return active_shares(now_us).with_only_columns(CameraShare.camera_id).distinct()
