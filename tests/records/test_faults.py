"""Fault log: lifecycle, time to repair, and the recorder's offline hook."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from watchkeeper.errors import Conflict, Forbidden, ValidationError
from watchkeeper.records.faults import camera_offline
from watchkeeper.records.log_models import Fault
from watchkeeper.records.stats import fault_stats

from .conftest import World


def test_fault_goes_open_acknowledged_fixed_with_times(world: World) -> None:
    svc = world.system.faults
    t0 = world.clock.now_us()
    with world.session() as s:
        f = svc.report(s, world.operator, "image blurred", camera_id="TC-001", maintainer="Acme")
        fid = f.id
    world.clock.advance(1800)
    with world.session() as s:
        svc.acknowledge(s, world.operator, fid, maintainer_ref="ACME-77")
    world.clock.advance(3 * 3600 - 1800)
    with world.session() as s:
        f = svc.fix(s, world.operator, fid, "lens cleaned")
        assert f.status == "fixed"
        assert f.acknowledged_us == t0 + 1800 * 10**6
        assert f.fixed_us == t0 + 3 * 3600 * 10**6
        assert [e.text for e in f.events][-1] == "lens cleaned"
    with world.session() as s, pytest.raises(Conflict):
        svc.note(s, world.operator, fid, "again")
    with world.session() as s:
        st = fault_stats(s, world.supervisor, t0, world.clock.now_us() + 1)
        assert (st.reported, st.fixed, st.unfixed) == (1, 1, 0)
        assert st.mean_hours_to_repair == 3.0
        assert st.by_camera["TC-001"] == 1


def test_a_fault_names_a_camera_or_a_component(world: World) -> None:
    with world.session() as s, pytest.raises(ValidationError):
        world.system.faults.report(s, world.operator, "broken")
    with world.session() as s:
        f = world.system.faults.report(s, world.operator, "Airwave link down", component="radio")
        assert f.camera_id is None
    with world.session() as s, pytest.raises(Forbidden):
        world.system.faults.report(s, world.partner, "x", component="radio")


def test_camera_offline_opens_one_fault_and_adds_to_it(world: World) -> None:
    now = world.clock.now_us()
    with world.session() as s:
        first = camera_offline(s, "TC-002", now, "no RTSP response", clock=world.clock)
    with world.session() as s:
        again = camera_offline(s, "TC-002", now + 10**7, "reconnect failed", clock=world.clock)
        assert again.id == first.id
        other = camera_offline(s, "TC-003", now, "timeout", clock=world.clock)
        assert other.id != first.id
    with world.session() as s:
        fault = s.scalar(select(Fault).where(Fault.id == first.id))
        assert fault is not None and fault.reported_by == "recorder"
        assert [e.text for e in fault.events] == [
            "camera offline: no RTSP response",
            "camera offline: reconnect failed",
        ]
        world.system.faults.fix(s, world.operator, first.id, "switch rebooted")
    with world.session() as s:
        fresh = camera_offline(s, "TC-002", now + 10**9, "down again", clock=world.clock)
        assert fresh.id != first.id
