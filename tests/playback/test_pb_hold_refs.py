"""Hold references on the timeline are for those who may see holds (issue 10, item 10).

A client viewer sees its camera's footage is held, never the council's incident number.
"""

from __future__ import annotations

from tests.foundation.helpers import ROOT, load_small_register

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.playback.timeline import HIDDEN_REFERENCE, build_timeline
from watchkeeper.recording.holds import create_hold
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S

T0 = 1_767_225_600_000_000


def test_only_hold_viewers_see_the_reference(system: System) -> None:
    load_small_register(system)
    with system.db.session() as s:
        create_hold(
            s,
            ROOT,
            "RP-001",
            T0,
            T0 + 60 * US_PER_S,
            "2026-000123",
            "assault",
            "PC 1",
            clock=system.clock,
        )
    who = {
        role: Principal(
            1, role.value, role, client_id="acme" if role is Role.CLIENT_VIEWER else None
        )
        for role in (Role.OPERATOR, Role.CLIENT_VIEWER, Role.POLICE_LIAISON, Role.AUDITOR)
    }
    seen = {}
    with system.db.session() as s:
        for role, principal in who.items():
            t = build_timeline(s, "RP-001", T0 - US_PER_S, T0 + 120 * US_PER_S, who=principal)
            assert [(h.start_us, h.end_us) for h in t.holds] == [(T0, T0 + 60 * US_PER_S)]
            seen[role] = t.holds[0].reference
    assert seen == {
        Role.OPERATOR: "2026-000123",
        Role.AUDITOR: "2026-000123",
        Role.CLIENT_VIEWER: HIDDEN_REFERENCE,
        Role.POLICE_LIAISON: HIDDEN_REFERENCE,
    }
