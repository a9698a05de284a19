"""The alert queue: operators see alerts on their cameras, acknowledge them with a note, or
make one an incident in one action (the camera and the alert's span marked and held).

Every acknowledgement and conversion is audited. A camera the user cannot see hides its
alerts (and answers 404 for them), as everywhere else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.analytics.models import Alert
from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.service import CameraService
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.incidents import IncidentDraft, IncidentService
from watchkeeper.records.vocab import Source
from watchkeeper.timeutil import Clock, format_local

__all__ = ["MARGIN_US", "AlertQueue"]

MARGIN_US = 30_000_000
"""Footage marked on an incident made from an alert: the alert's span and 30 s either side."""
STATUSES = ("open", "acknowledged", "incident")


class AlertQueue:
    def __init__(self, clock: Clock, cameras: CameraService, incidents: IncidentService) -> None:
        self.clock = clock
        self.cameras = cameras
        self.incidents = incidents

    def _visible(self, s: Session, who: Principal) -> set[str]:
        return {c.id for c in self.cameras.list(s, who)}

    def list(
        self, s: Session, who: Principal, status: str = "open", limit: int = 200
    ) -> list[Alert]:
        who.require(Right.VIDEO_LIVE)
        if status not in (*STATUSES, "all"):
            raise ValidationError("status: open, acknowledged, incident or all")
        q = select(Alert).where(Alert.camera_id.in_(self._visible(s, who)))
        if status != "all":
            q = q.where(Alert.status == status)
        return list(s.scalars(q.order_by(Alert.raised_us.desc()).limit(max(1, min(limit, 500)))))

    def get(self, s: Session, who: Principal, alert_id: int) -> Alert:
        """The alert if its camera is visible to ``who``; the route names the right."""
        alert = s.get(Alert, alert_id)
        if alert is None or alert.camera_id not in self._visible(s, who):
            raise NotFound(f"no alert {alert_id}")
        return alert

    def acknowledge(self, s: Session, who: Principal, alert_id: int, note: str) -> Alert:
        alert = self.get(s, who, alert_id)
        note = note.strip()
        if not note:
            raise ValidationError("note: say what you saw or did")
        if len(note) > 2000:
            raise ValidationError("note: at most 2000 characters")
        if alert.status != "open":
            raise Conflict(f"alert {alert_id} is already {alert.status}")
        alert.status, alert.note = "acknowledged", note
        alert.ack_by, alert.ack_us = who.username, self.clock.now_us()
        s.flush()
        record(s, who.actor, "alert.acknowledge", "alert", str(alert.id), note,
               {"camera": alert.camera_id, "rule": alert.rule_name})  # fmt: skip
        return alert

    def make_incident(
        self, s: Session, who: Principal, alert_id: int, category_id: str, summary: str = ""
    ) -> Incident:
        """Open an incident from the alert, with its camera and span marked (held); all or
        nothing (a savepoint), so a refused hold leaves no half-made incident."""
        with s.begin_nested():
            return self._make_incident(s, who, alert_id, category_id, summary)

    def _make_incident(
        self, s: Session, who: Principal, alert_id: int, category_id: str, summary: str
    ) -> Incident:
        alert = self.get(s, who, alert_id)
        if alert.status == "incident":
            raise Conflict(f"alert {alert_id} is already incident {alert.incident_ref}")
        text = summary.strip() or (
            f"{alert.rule_name}: {alert.object} in {alert.zone} on {alert.camera_id} "
            f"at {format_local(alert.start_us)}"
        )
        inc = self.incidents.create(
            s, who, IncidentDraft(category_id=category_id, source=Source.ALARM, summary=text,
                                  opened_us=min(alert.start_us, self.clock.now_us()))
        )  # fmt: skip
        end = max(alert.end_us, alert.start_us + 1_000_000) + MARGIN_US
        self.incidents.mark_cameras(
            s, who, inc.ref, [alert.camera_id], alert.start_us - MARGIN_US, end,
            note=f"alert {alert.id} ({alert.rule_name})",
        )  # fmt: skip
        alert.status, alert.incident_ref = "incident", inc.ref
        if not alert.ack_us:
            alert.ack_by, alert.ack_us = who.username, self.clock.now_us()
        s.flush()
        record(s, who.actor, "alert.incident", "alert", str(alert.id), "",
               {"camera": alert.camera_id, "incident": inc.ref})  # fmt: skip
        return inc
