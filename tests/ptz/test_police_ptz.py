"""The police PTZ grant on the simulated PTZ camera: a police viewer steers a camera shared
with PTZ, below every council operator; control ends with the share; each police control
session is audited with force and collar number; no grant, no steering."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select
from websockets.exceptions import InvalidStatus

from tests.foundation.helpers import ROOT, add_user
from tests.ptz.conftest import Served, head
from tests.ptz.ws_client import Console
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import ValidationError
from watchkeeper.police.accounts import set_account
from watchkeeper.police.shares import ShareSpec

pytestmark = pytest.mark.media


def _who(served: Served, username: str) -> Principal:
    with served.system.db.session() as s:
        u = served.system.users.get(s, username)
        return Principal(u.id, u.username, Role(u.role))


def _police(served: Served) -> None:
    add_user(served.system, "pc-view", Role.POLICE_VIEWER)
    with served.system.db.session() as s:
        user = served.system.users.get(s, "pc-view")
        set_account(s, ROOT, user, "Borough Police", "CR101", served.system.clock)


def _share(served: Served, camera: str = "TC-001", ptz: bool = True, by: str = "olive") -> int:
    spec = ShareSpec(camera, "fight outside the bus station", cad_ref="CAD-77", ptz=ptz)
    with served.system.db.session() as s:
        return served.system.shares.share(s, _who(served, by), spec).id


def _until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _sessions(served: Served, username: str) -> list[AuditEntry]:
    with served.system.db.session() as s:
        q = select(AuditEntry).where(
            AuditEntry.action == "ptz.session", AuditEntry.username == username
        )
        rows = list(s.scalars(q.order_by(AuditEntry.seq)))
        s.expunge_all()
        return rows


def test_police_steer_under_the_grant_below_operators_until_the_share_ends(
    served: Served,
) -> None:
    _police(served)
    share_id = _share(served)
    police = Console(served.url, served.cookie("pc-view"), "TC-001")
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    try:
        assert police.wait_for(type="hello")["can_steer"] is True
        police.send(type="take")
        police.wait_for(type="state", holder="pc-view", you=True)
        olive.wait_for(type="state", holder="pc-view", holder_role="police_viewer")
        for _ in range(6):
            police.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
            time.sleep(0.1)
        _until(lambda: head(served.rig).pan > 0.05)
        # Steering only: a police holder cannot change the camera's presets.
        police.send(type="preset_save", name="police-view")
        assert "not change" in police.wait_for(type="error")["message"]

        olive.send(type="take")  # an operator (the lowest council priority) always wins
        olive.wait_for(type="state", holder="olive", you=True)
        lost = police.wait_for(type="lost")
        assert lost["reason"] == "taken over" and lost["by"] == "olive"
        police.messages.clear()
        police.send(type="take")
        assert "held by olive" in police.wait_for(type="error")["message"]
        seen = olive.mark()
        olive.send(type="release")
        olive.wait_for(type="state", holder=None, after=seen)

        police.messages.clear()
        police.send(type="take")
        police.wait_for(type="state", holder="pc-view", you=True)
        with served.system.db.session() as s:
            served.system.shares.end(s, _who(served, "olive"), share_id, "incident over")
        ended = time.monotonic()
        assert police.wait_for(type="lost", timeout=5)["reason"] == "share ended"
        assert time.monotonic() - ended < 2.5, "control ends within the gate's second"
        police.messages.clear()
        police.send(type="take")
        assert "allows steering" in police.wait_for(type="error")["message"]
    finally:
        police.ws.close()
        olive.ws.close()
    _until(lambda: len(_sessions(served, "pc-view")) >= 2)
    first, second = _sessions(served, "pc-view")[:2]
    assert first.reason == "taken over" and second.reason == "share ended"
    for entry in (first, second):
        details = json.loads(entry.details)
        assert details["force"] == "Borough Police" and details["collar_number"] == "CR101"
        assert details["police"] is True and entry.object_id == "TC-001"
    assert json.loads(first.details)["taken_over_by"] == "olive"


def test_police_without_the_grant_or_for_another_camera_are_refused(served: Served) -> None:
    _police(served)
    _share(served, ptz=False)
    police = Console(served.url, served.cookie("pc-view"), "TC-001")
    try:
        assert police.wait_for(type="hello")["can_steer"] is False
        police.send(type="take")
        assert "allows steering" in police.wait_for(type="error")["message"]
        police.messages.clear()
        police.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
        assert "take control first" in police.wait_for(type="error", timeout=5)["message"]
    finally:
        police.ws.close()
    with pytest.raises(InvalidStatus):  # TC-002 is not shared: as if it did not exist
        Console(served.url, served.cookie("pc-view"), "TC-002")
    assert _sessions(served, "pc-view") == []


def test_the_grant_needs_a_ptz_camera(served: Served) -> None:
    with pytest.raises(ValidationError, match="fixed camera"):
        _share(served, camera="TC-002")
    share_id = _share(served)
    with served.system.db.session() as s:
        (row,) = [sh for sh in served.system.shares.active(s) if sh.id == share_id]
        assert row.ptz is True
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "police.share")).one()
        assert json.loads(entry.details)["ptz"] is True
