"""A small rig (one PTZ camera, one fixed camera with a clock 5 s fast) per test module,
and a system on SQLite whose register points TC-001 (PTZ) and TC-002 (fixed) at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.foundation.helpers import add_user, load_small_register
from tests.simulate.conftest import footage_dir, media_ready
from tests.simulate.rigs import fixed, ptz, small_config
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.models import Camera
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock

__all__ = ["footage_dir", "media_ready", "onvif_url", "ptz_rig", "ptz_system"]
USER, PASSWORD = "operator", "s3cret-pass"


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
