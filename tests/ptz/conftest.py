"""A small rig (one PTZ camera, one fixed camera with a clock 5 s fast) per test module,
and a system on SQLite whose register points TC-001 (PTZ) and TC-002 (fixed) at it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.browser.conftest import browser_page, serve_app
from tests.conftest import make_settings
from tests.foundation.helpers import add_user, load_small_register
from tests.simulate.conftest import footage_dir, media_ready
from tests.simulate.rigs import fixed, ptz, small_config
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera, PtzPosition
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock

__all__ = [
    "Served",
    "browser_page",
    "footage_dir",
    "head",
    "media_ready",
    "onvif_url",
    "ptz_rig",
    "ptz_system",
    "send_home",
    "served",
]
USER, PASSWORD = "operator", "s3cret-pass"
T = TypeVar("T")


def onvif_url(rig: Rig, name: str, password: str = PASSWORD) -> str:
    """The camera's ONVIF address as the register holds it: credentials in the URL."""
    return rig.camera(name).onvif_url.replace("http://", f"http://{USER}:{password}@")


@pytest.fixture(scope="module")
def ptz_rig(media_ready: None, footage_dir: Path) -> Iterator[Rig]:
    with Rig(small_config(footage_dir, ptz("ptz1"), fixed("cam1", clock_offset_s=5))) as rig:
        yield rig


@pytest.fixture
def ptz_system(tmp_path: Path, ptz_rig: Rig) -> Iterator[System]:
    """TC-001 is the simulated PTZ camera, TC-002 the fixed one; olive (operator), sam
    (supervisor), rex (operator, licence expired) and mo (manager) may log in."""
    system = build_system(make_settings(tmp_path / "data"), clock=SystemClock())
    load_small_register(system)
    with system.db.session() as s:
        tc1, tc2 = s.get(Camera, "TC-001"), s.get(Camera, "TC-002")
        assert tc1 is not None and tc2 is not None
        tc1.onvif_url, tc1.main_url = onvif_url(ptz_rig, "ptz1"), ""
        tc2.onvif_url = onvif_url(ptz_rig, "cam1")
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "sam", Role.SUPERVISOR)
    add_user(system, "mo", Role.MANAGER)
    add_user(system, "rex", Role.OPERATOR, expiry_days=-1)
    yield system
    system.close()


def _in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on its own loop in a worker thread (Playwright's sync API keeps a
    loop running in the test's thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


RIG_TIMEOUT_S = 10.0
"""The tests' own reads and resets of the simulated camera: a busy test machine may be
slow; the product's 2 s bound is tested where it is the subject."""


def head(rig: Rig, name: str = "ptz1") -> PtzPosition:
    """Where the simulated camera points now, read over ONVIF GetStatus."""

    async def read() -> PtzPosition:
        cam = OnvifCamera(OnvifAddress.from_url(name, onvif_url(rig, name)), timeout=RIG_TIMEOUT_S)
        try:
            return await cam.status("main")
        finally:
            await cam.close()

    return _in_thread(read)


def send_home(rig: Rig, name: str = "ptz1") -> None:
    """Drive the camera to the centre, zoomed out, and wait until it is there."""

    async def go() -> None:
        cam = OnvifCamera(OnvifAddress.from_url(name, onvif_url(rig, name)), timeout=RIG_TIMEOUT_S)
        try:
            await cam.absolute_move("main", PtzPosition(0.0, 0.0, 0.0))
            deadline = time.monotonic() + 10
            while (await cam.status("main")).moving and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        finally:
            await cam.close()

    _in_thread(go)


@dataclass
class Served:
    url: str
    system: System
    rig: Rig

    def cookie(self, username: str) -> str:
        with self.system.db.session() as s:
            token = self.system.users.open_session(s, self.system.users.get(s, username))
        return f"wk_session={token}"


@pytest.fixture
def served(ptz_system: System, ptz_rig: Rig) -> Iterator[Served]:
    """The app of ``ptz_system`` on a free port, the camera sent home first."""
    send_home(ptz_rig)
    with serve_app(ptz_system) as url:
        yield Served(url, ptz_system, ptz_rig)
