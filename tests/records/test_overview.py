"""The dashboard's queries on SQLite and PostgreSQL: cameras not streaming, holds lapsing,
camera reviews due, and handover acknowledgements (once per person)."""

from __future__ import annotations

from datetime import date

import pytest

from watchkeeper.audit.service import Actor
from watchkeeper.cameras.models import Camera, CameraStatus
from watchkeeper.errors import Conflict
from watchkeeper.recording.holds import create_hold
from watchkeeper.recording.models import StreamEvent
from watchkeeper.records import handover
from watchkeeper.timeutil import US_PER_DAY, US_PER_S
from watchkeeper.web.overview import cameras_not_streaming, expiring_holds, reviews_due

from .conftest import World


def _activate(world: World) -> None:
    with world.session() as s:
        for n in (1, 2, 3):
            cam = s.get(Camera, f"TC-00{n}")
            assert cam is not None
            cam.purpose, cam.dpia_ref = "Crime prevention", "DPIA-1"
            cam.status = CameraStatus.ACTIVE
            cam.next_review = date(2025, 12, 1) if n == 3 else None


def test_cameras_not_streaming_uses_each_cameras_latest_event(any_world: World) -> None:
    _activate(any_world)
    now = any_world.clock.now_us()
    with any_world.session() as s:
        assert cameras_not_streaming(s) is None  # the recorder never reported
        # TC-001 went offline then came back; TC-002 was streaming then stalled; the
        # rows are added out of time order, so the latest is by time, not by id
        events = [
            ("TC-001", now - 10, "streaming"),
            ("TC-001", now - 20, "offline"),
            ("TC-002", now - 5, "stalled"),
            ("TC-002", now - 30, "streaming"),
        ]
        for cam, at, state in events:
            s.add(StreamEvent(camera_id=cam, stream="main", at_us=at, state=state, reason=""))
        s.add(StreamEvent(camera_id="TC-001", stream="sub", at_us=now, state="offline"))
    with any_world.session() as s:
        alarms = {a.camera_id: a.state for a in cameras_not_streaming(s) or []}
    assert alarms == {"TC-002": "stalled", "TC-003": "never seen"}


def test_holds_lapsing_and_reviews_due(any_world: World) -> None:
    _activate(any_world)
    now = any_world.clock.now_us()
    with any_world.session() as s:
        for cam, days in (("TC-001", 2), ("TC-002", 9)):
            create_hold(s, Actor.system(), cam, now - 60 * US_PER_S, now, "R", "why", "me",
                        expires_us=now + days * US_PER_DAY, clock=any_world.clock)  # fmt: skip
    with any_world.session() as s:
        assert [h.camera_id for h in expiring_holds(s, now)] == ["TC-001"]
        assert [c.id for c in reviews_due(s, date(2025, 11, 15))] == ["TC-003"]
        assert reviews_due(s, date(2025, 10, 1)) == []


def test_handover_is_acknowledged_once_per_person(any_world: World) -> None:
    shifts = any_world.system.shifts
    with any_world.session() as s:
        shifts.sign_on(s, any_world.operator)
        shift = shifts.sign_off(s, any_world.operator, "TC-004 flickers")
    with any_world.session() as s:
        handover.acknowledge(s, any_world.operator2, shift.id, any_world.clock)
        with pytest.raises(Conflict):
            handover.acknowledge(s, any_world.operator2, shift.id, any_world.clock)
    with any_world.session() as s:
        assert [a.username for a in handover.acknowledgements(s, shift.id)] == ["op2"]
