"""A system on SQLite and fake time with the small register, a supervisor and operators."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests.foundation.helpers import add_user, load_small_register
from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.records.log_models import PartnerMember
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock, date_to_us


@dataclass
class Gov:
    system: System
    clock: FakeClock
    sup: Principal
    op: Principal


def principal(system: System, username: str) -> Principal:
    with system.db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return Principal(
            user.id, user.username, Role(user.role), user.client_id, user.partner_member_ref
        )


@pytest.fixture
def gov(system: System, clock: FakeClock) -> Iterator[Gov]:
    clock.set(date_to_us(date(2026, 6, 15)) + 10 * 3600 * 10**6)
    load_small_register(system)
    add_user(system, "sue", Role.SUPERVISOR)
    add_user(system, "olly", Role.OPERATOR)
    with system.db.session() as s:
        s.add(
            PartnerMember(
                ref="SW-BOOTS",
                name="Chemist, High St",
                scheme="shopwatch",
                isa_ref="ISA-SW-2026",
                isa_date=date(2026, 1, 5),
                updated_us=clock.now_us(),
            )
        )
    yield Gov(system, clock, principal(system, "sue"), principal(system, "olly"))
