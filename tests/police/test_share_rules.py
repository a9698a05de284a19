"""The share rules on SQLite and PostgreSQL, on fake time: what a police account sees is
exactly the cameras of shares in force, which lapse with their time or their incident."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.foundation.helpers import ROOT, add_user, load_small_register
from tests.police.conftest import open_incident
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import NotFound
from watchkeeper.police.accounts import set_account
from watchkeeper.police.shares import ShareSpec
from watchkeeper.records.vocab import Outcome
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock


def who(system: System, username: str) -> Principal:
    with system.db.session() as s:
        u = system.users.get(s, username)
        return Principal(u.id, u.username, Role(u.role))


def seen_ids(system: System, p: Principal) -> list[str]:
    with system.db.session() as s:
        return list(s.scalars(system.cameras.visible(p).with_only_columns(Camera.id)))


@pytest.mark.postgres
def test_police_sight_follows_the_shares(any_system: System, clock: FakeClock) -> None:
    system = any_system
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "pc-view", Role.POLICE_VIEWER)
    add_user(system, "dc-jones", Role.POLICE_OFFICER)
    with system.db.session() as s:
        set_account(s, ROOT, system.users.get(s, "pc-view"), "Borough Police", "CR1", clock)
    olive, police, officer = (who(system, n) for n in ("olive", "pc-view", "dc-jones"))
    ref = open_incident(system, olive)
    assert seen_ids(system, police) == []
    with system.db.session() as s:
        by_time = system.shares.share(s, olive, ShareSpec("TC-001", "follow", cad_ref="C1",
                                                          minutes=10))  # fmt: skip
        system.shares.share(s, olive, ShareSpec("RP-001", "suspect", incident_ref=ref))
    assert sorted(seen_ids(system, police)) == ["RP-001", "TC-001"]
    assert seen_ids(system, officer) == []  # the portal role watches nothing
    with system.db.session() as s, pytest.raises(NotFound):
        system.cameras.get(s, police, "BK-001")
    with system.db.session() as s:
        system.shares.seen(s, police, system.shares.active(s))
    clock.advance(10 * 60)  # TC-001's time runs out
    assert seen_ids(system, police) == ["RP-001"]
    with system.db.session() as s:
        system.incidents.set_outcomes(s, olive, ref, [Outcome.ARREST])
        system.incidents.close(s, olive, ref, "arrested")
    assert seen_ids(system, police) == []  # at once, before any sweep
    with system.db.session() as s:
        assert system.shares.sweep(s) == 2
        assert system.shares.sweep(s) == 0
        ended = {sh.camera_id: sh.end_reason for sh in system.shares.for_incident(s, 1)}
        assert ended == {"RP-001": "its incident closed"}
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.like("police.%"))).all()
        views = [r for r in rows if r.action == "police.share.view"]
        assert sorted(r.username for r in views) == ["pc-view", "pc-view"]
        ends = {r.object_id: r.reason for r in rows if r.action == "police.share.end"}
        assert ends[str(by_time.id)] == "time ran out"
