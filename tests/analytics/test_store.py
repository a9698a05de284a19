"""Analytics rows on SQLite and PostgreSQL: zones, motion search by time of day, the
timeline strip, the alert queue (acknowledge, incident with the span held), visibility."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from tests.foundation.helpers import add_user, load_small_register
from watchkeeper.analytics.models import Alert, AlertRule, DetectionRow
from watchkeeper.analytics.spans import MotionSpan
from watchkeeper.analytics.store import (
    add_span,
    camera_zones,
    motion_timeline,
    search_motion,
    set_zone,
)
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.records.incident_models import IncidentCamera
from watchkeeper.system import System
from watchkeeper.timeutil import LONDON, from_datetime

S = 1_000_000
CAM = "TC-001"


def principal_of_user(system: System, s: Session, username: str) -> Principal:
    u = next(u for u in system.users.list(s) if u.username == username)
    return Principal(u.id, u.username, Role(u.role), client_id=u.client_id)


def local(h: int, m: int = 0) -> int:
    return from_datetime(datetime(2026, 11, 20, h, m, tzinfo=LONDON))


def test_zones_spans_search_and_timeline(any_system: System) -> None:
    system = any_system
    load_small_register(system)
    with system.db.session() as s:
        set_zone(s, CAM, "door", "zone", [[0, 0], [0.5, 0], [0.5, 1]], 0.01, "t", 0)
        set_zone(s, CAM, "door", "zone", [[0, 0], [0.6, 0], [0.6, 1]], 0.02, "t", 0)  # replace
        with pytest.raises(ValidationError, match="sensitivity"):
            set_zone(s, CAM, "x", "zone", [[0, 0], [1, 0], [1, 1]], 2.0, "t", 0)
        zones = camera_zones(s, CAM)
        assert [(z.name, z.sensitivity, z.points[1]) for z in zones] == [("door", 0.02, (0.6, 0.0))]
        for h, zone in ((1, "door"), (3, "door"), (3, "yard"), (12, "door"), (23, "door")):
            add_span(
                s, MotionSpan(CAM, zone, local(h), local(h) + 20 * S, 0.1, local(h)), b"\xff\xd8x"
            )
    with system.db.session() as s:
        night = search_motion(s, [CAM], local(0), local(23, 59), "door", 2 * 60, 4 * 60)
        assert [(h.zone, h.start_us) for h in night] == [("door", local(3))]
        late = search_motion(s, [CAM], local(0), local(23, 59), "", 22 * 60, 4 * 60)
        assert sorted(h.start_us for h in late) == [local(1), local(3), local(3), local(23)]
        assert all(h.has_thumbnail for h in late)
        assert search_motion(s, ["BK-001"], local(0), local(23, 59)) == []
        with pytest.raises(ValidationError):
            search_motion(s, [CAM], local(2), local(1))
        assert search_motion(s, [CAM], local(0), local(23, 59), people=True) == []
        s.add(DetectionRow(camera_id=CAM, at_us=local(12) + 5 * S, label="person", score=2.0,
                           zone="door", box="[0.1, 0.1, 0.2, 0.4]", crop=None))  # fmt: skip
        s.flush()
        with_people = search_motion(s, [CAM], local(0), local(23, 59), people=True)
        assert [h.start_us for h in with_people] == [local(12)]
        strip = motion_timeline(s, CAM, local(0), local(23, 59), 100)
        assert len(strip) == 4  # the two 03:00 spans are one on the strip


def test_alert_queue_acknowledge_incident_and_visibility(any_system: System) -> None:
    system = any_system
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "acme-viewer", Role.CLIENT_VIEWER, client_id="acme")
    now = system.clock.now_us()
    with system.db.session() as s:
        rule = AlertRule(name="closed", camera_id=CAM, zone="all", object="motion", start_min=0,
                         end_min=1440, loiter_s=0, cooldown_s=0, active=True, updated_us=now,
                         updated_by="t")  # fmt: skip
        s.add(rule)
        s.flush()
        ids = []
        for k in (1, 2):
            a = Alert(rule_id=rule.id, rule_name="closed", camera_id=CAM, zone="all",
                      object="motion", start_us=now - 60 * S, end_us=now - 50 * S,
                      raised_us=now - 50 * S + k, status="open")  # fmt: skip
            s.add(a)
            s.flush()
            ids.append(a.id)
    queue = system.alerts
    assert queue is not None
    with system.db.session() as s:
        op = principal_of_user(system, s, "olive")
        assert [a.id for a in queue.list(s, op)] == [ids[1], ids[0]]
        with pytest.raises(ValidationError, match="note"):
            queue.acknowledge(s, op, ids[0], "  ")
        queue.acknowledge(s, op, ids[0], "a fox")
        with pytest.raises(Conflict):
            queue.acknowledge(s, op, ids[0], "again")
        with pytest.raises(ValidationError):
            queue.make_incident(s, op, ids[1], "no-such-category")
    with system.db.session() as s:
        assert s.get(Alert, ids[1]).status == "open"  # the savepoint left nothing half-made
        op = principal_of_user(system, s, "olive")
        inc = queue.make_incident(s, op, ids[1], "violence")
        ref = inc.ref
    with system.db.session() as s:
        a = s.get(Alert, ids[1])
        assert a is not None and (a.status, a.incident_ref) == ("incident", ref)
        marked = s.query(IncidentCamera).filter_by(camera_id=CAM).one()
        assert marked.start_us <= now - 60 * S and marked.end_us >= now - 50 * S
        viewer = principal_of_user(system, s, "acme-viewer")
        if CAM not in {c.id for c in system.cameras.list(s, viewer)}:
            with pytest.raises(NotFound):
                queue.get(s, viewer, ids[0])
