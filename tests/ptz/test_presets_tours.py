"""Presets, the return home and tours against the simulated camera (real ONVIF), through
the control service; the preset round trip also through the console's socket."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.ptz.conftest import Served, head, onvif_url
from tests.ptz.ws_client import Console
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.ptz.control import PtzControl
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.models import PtzPreset
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera, PtzPosition
from watchkeeper.ptz.tours import TourRunner, TourStep
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System

pytestmark = pytest.mark.media


def _camera_presets(rig: Rig) -> dict[str, str]:
    async def read() -> dict[str, str]:
        cam = OnvifCamera(OnvifAddress.from_url("ptz1", onvif_url(rig, "ptz1")))
        try:
            return await cam.presets("main")
        finally:
            await cam.close()

    return asyncio.run(read())


def _settled(rig: Rig, timeout: float = 8.0) -> PtzPosition:
    deadline = time.monotonic() + timeout
    while (p := head(rig)).moving:
        assert time.monotonic() < deadline, "the camera never stopped"
        time.sleep(0.1)
    return p


def test_preset_round_trip_through_the_console(served: Served) -> None:
    olive = Console(served.url, served.cookie("olive"), "TC-001")
    try:
        olive.wait_for(type="presets", names=[])
        olive.send(type="take")
        olive.wait_for(type="state", you=True)
        for _ in range(5):
            olive.send(type="move", pan=1.0, tilt=0.5, zoom=0.0)
            time.sleep(0.1)
        olive.send(type="stop")
        market = _settled(served.rig)
        olive.send(type="preset_save", name="Market Place")
        olive.wait_for(type="presets", names=["Market Place"])
        assert "Market Place" in _camera_presets(served.rig).values(), "written to the camera"
        for _ in range(5):
            olive.send(type="move", pan=-1.0, tilt=-1.0, zoom=0.5)
            time.sleep(0.1)
        olive.send(type="stop")
        assert _settled(served.rig).pan < market.pan - 0.3
        olive.send(type="preset_goto", name="Market Place")
        time.sleep(0.3)
        back = _settled(served.rig)
        assert (back.pan, back.tilt, back.zoom) == pytest.approx(
            (market.pan, market.tilt, market.zoom), abs=2e-3)  # fmt: skip
        olive.send(type="preset_goto", name="Nowhere")
        assert "TC-001 has no preset 'Nowhere'" in olive.wait_for(type="error")["message"]
        olive.send(type="release")
        # "lost" follows the session's audit entry (a state without holder may be the one
        # from before the take: wait_for searches every message received)
        olive.wait_for(type="lost", reason="released")
    finally:
        olive.close()
    with served.system.db.session() as s:
        row = s.scalar(select(PtzPreset).where(PtzPreset.name == "Market Place"))
        assert row is not None and row.pan == pytest.approx(market.pan, abs=1e-3)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "ptz.session"))
        assert entry is not None and json.loads(entry.details)["presets"] == ["Market Place"]


def _who(system: System, username: str) -> Principal:
    with system.db.session() as s:
        u = system.users.get(s, username)
        return Principal(u.id, u.username, Role(u.role))


async def _with_control(
    system: System, body: Callable[[PtzControl, Principal, Principal], Awaitable[Any]]
) -> Any:
    control = PtzControl(
        system.db, system.users, PtzDirectory(system.db, system.clock), system.clock
    )
    try:
        return await body(control, _who(system, "sam"), _who(system, "olive"))
    finally:
        await control.close()


async def _save_at(control: PtzControl, sam: Principal, name: str, pos: PtzPosition) -> None:
    cam = await control.directory.camera("TC-001")
    await cam.absolute_move("main", pos)
    while (await cam.status("main")).moving:
        await asyncio.sleep(0.1)
    await control.save_preset("TC-001", sam, name)


def test_tour_visits_presets_with_dwell_and_pauses_for_an_operator(
    ptz_system: System, ptz_rig: Rig
) -> None:
    async def body(control: PtzControl, sam: Principal, olive: Principal) -> list[Any]:
        await control.take("TC-001", sam)
        await _save_at(control, sam, "West", PtzPosition(-0.5, 0.0, 0.0))
        await _save_at(control, sam, "East", PtzPosition(0.5, 0.0, 0.0))
        await control.release("TC-001", sam)
        steps = [TourStep(preset="West", dwell_s=0.6), TourStep(preset="East", dwell_s=0.6)]
        await control.start_tour("TC-001", sam, steps)
        runner = control.tour("TC-001")
        assert runner is not None
        while len(runner.visits) < 3:
            await asyncio.sleep(0.05)
        await control.take("TC-001", olive)  # an operator steps in: the tour pauses
        paused_at = len(runner.visits)
        await asyncio.sleep(1.5)
        assert len(runner.visits) == paused_at and runner.paused
        assert control.state("TC-001", "olive")["tour"] == "paused"
        await control.release("TC-001", olive)
        while len(runner.visits) < paused_at + 1:
            await asyncio.sleep(0.05)
        await control.stop_tour("TC-001", sam)
        return runner.visits

    visits = asyncio.run(_with_control(ptz_system, body))
    names = [v[0] for v in visits]
    assert names[:3] == ["West", "East", "West"]
    gaps = [b[1] - a[1] for a, b in itertools.pairwise(visits[:3])]
    assert all(0.55 < g < 1.0 for g in gaps), gaps  # the dwell, plus one request
    assert visits[3][1] - visits[2][1] > 1.5, "nothing visited while the operator held it"


def test_return_home_after_idle(ptz_system: System, ptz_rig: Rig) -> None:
    async def body(control: PtzControl, sam: Principal, olive: Principal) -> None:
        await control.take("TC-001", sam)
        await _save_at(control, sam, "Home", PtzPosition(0.3, -0.2, 0.1))
        await control.set_home("TC-001", sam, "Home", 1)
        await control.release("TC-001", sam)
        await control.take("TC-001", olive)
        control.move("TC-001", olive, (-1.0, 0.0, 0.0))
        await asyncio.sleep(0.5)
        await control.release("TC-001", olive)
        left = await asyncio.to_thread(head, ptz_rig)
        assert left.pan < 0.2, "it stays where the operator left it at first"
        await asyncio.sleep(1.2)
        home = await asyncio.to_thread(_settled, ptz_rig)
        assert (home.pan, home.tilt, home.zoom) == pytest.approx((0.3, -0.2, 0.1), abs=2e-3)

    asyncio.run(_with_control(ptz_system, body))


def test_tour_dwell_on_a_fake_clock() -> None:
    """The runner's own timing: arrivals one dwell apart, a pause holds it still."""
    now = [0.0]
    log: list[str] = []
    busy = [False]

    async def sleep(dt: float) -> None:
        now[0] += dt
        if 9.0 <= now[0] < 14.0:
            busy[0] = True
        else:
            busy[0] = False
        await asyncio.sleep(0)

    async def goto(name: str, _speed: float) -> None:
        log.append(name)

    steps = [TourStep(preset="A", dwell_s=3), TourStep(preset="B", dwell_s=2)]
    runner = TourRunner("X", steps, goto, lambda: busy[0], lambda: now[0], sleep)

    async def go() -> None:
        task = asyncio.create_task(runner.run())
        while now[0] < 20:
            await asyncio.sleep(0)
        task.cancel()

    asyncio.run(go())
    times = [round(t, 1) for _n, t in runner.visits]
    assert [n for n, _t in runner.visits][:5] == ["A", "B", "A", "B", "A"]
    assert times[:4] == [0.0, 3.0, 5.0, 8.0]
    assert times[4] >= 14.0, "paused from 9 s to 14 s"
