"""Shift log, daily check, visitor register and partner members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from watchkeeper.errors import Conflict, Forbidden, ValidationError
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.partners import MemberSpec
from watchkeeper.records.shifts import CheckAnswers, HealthSummary
from watchkeeper.records.visitors import VisitorIn
from watchkeeper.records.vocab import Scheme, Source

from .conftest import World


class FixedHealth:
    """TEST DOUBLE for the recorder's camera health."""

    def summary(self, session: Session) -> HealthSummary | None:
        return HealthSummary(total=138, online=136, recording=135)


def test_sign_on_check_and_handover(world: World) -> None:
    shifts = world.system.shifts
    answers = CheckAnswers(True, True, False, "phone line crackles", 138, 137, 137)
    with world.session() as s, pytest.raises(Conflict, match="sign on"):
        shifts.daily_check(s, world.operator, answers)
    with world.session() as s:
        shifts.sign_on(s, world.operator)
        assert shifts.check_due(s)
        check = shifts.daily_check(s, world.operator, answers)
        assert (check.cameras_online, check.phone_ok) == (137, False)
    with world.session() as s:
        assert not shifts.check_due(s)
        shifts.sign_on(s, world.operator2)
        with pytest.raises(Conflict, match="done already"):
            shifts.daily_check(s, world.operator2, answers)
        with pytest.raises(Conflict):
            shifts.sign_on(s, world.operator)
    world.clock.advance(8 * 3600)
    with world.session() as s:
        shifts.sign_off(s, world.operator, "TC-004 flickers; police want Crown footage")
    with world.session() as s:
        last = shifts.last_handover(s)
        assert last is not None and "Crown" in last.handover
        assert [x.username for x in shifts.on_duty(s)] == ["op2"]


def test_daily_check_takes_camera_counts_from_health_when_known(world: World) -> None:
    world.system.shifts.health = FixedHealth()
    with world.session() as s:
        world.system.shifts.sign_on(s, world.operator)
        check = world.system.shifts.daily_check(s, world.operator, CheckAnswers(True, True, True))
        assert (check.cameras_total, check.cameras_online, check.cameras_recording) == (
            138,
            136,
            135,
        )


def test_visitor_needs_the_declaration_and_police_views_are_linked(world: World) -> None:
    vis = world.system.visitors
    with world.session() as s, pytest.raises(ValidationError, match="declaration"):
        vis.sign_in(s, world.operator, VisitorIn("DC Jones", "review", "op1", False))
    with world.session() as s:
        ref = world.system.incidents.create(
            s, world.operator, IncidentDraft("violence", Source.POLICE)
        ).ref
        v = vis.sign_in(
            s,
            world.operator,
            VisitorIn("DC Jones", "review footage", "op1", True, "Police", police=True),
        )
        vis.viewed(s, world.operator, v.id, camera_id="TC-001", incident_ref=ref, note="10 min")
        vid = v.id
    world.clock.advance(1200)
    with world.session() as s:
        v = vis.sign_out(s, world.operator, vid)
        assert v.out_us == world.clock.now_us()
        assert v.viewed[0].camera_id == "TC-001" and v.viewed[0].incident_id is not None
        assert vis.list(s, world.operator, on_site=True) == []
    with world.session() as s, pytest.raises(Conflict):
        vis.sign_out(s, world.operator, vid)


def test_partner_members_are_managed_by_supervisors(world: World) -> None:
    spec = MemberSpec(
        "PW-001", "The Crown", Scheme.PUBWATCH, "ISA-9", date(2025, 1, 1), handset_ids="H12,H13"
    )
    with world.session() as s, pytest.raises(Forbidden):
        world.system.partners.save(s, world.operator, spec)
    with world.session() as s:
        world.system.partners.save(s, world.supervisor, spec)
        spec.contact = "licensee 07700 900000"
        world.system.partners.save(s, world.supervisor, spec, reason="new licensee")
    with world.session() as s:
        crown = world.system.partners.get(s, world.operator, "PW-001")
        assert crown.contact.startswith("licensee")
        assert [m.ref for m in world.system.partners.list(s, world.operator, "pubwatch")] == [
            "PW-001"
        ]
