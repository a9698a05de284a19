"""The product's ONVIF client (``watchkeeper.ptz.onvif``) against ipycam, a camera no one
here wrote, for what ipycam implements correctly: ContinuousMove and Stop, AbsoluteMove,
RelativeMove, GotoHomePosition, profiles and stream URIs. (Its GetStatus and preset
replies use undeclared XML prefixes, see tests/simulate/test_onvif_ipycam.py, so its head
is read from its own controller.)"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.simulate.test_onvif_ipycam import MAIN, PASSWORD, USER, IpyCam, ipy
from watchkeeper.errors import AuthError
from watchkeeper.ptz.capabilities import probe
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera, PtzPosition

__all__ = ["ipy"]


def _cam(ipy: IpyCam, password: str = PASSWORD) -> OnvifCamera:
    return OnvifCamera(OnvifAddress("IPY-1", "127.0.0.1", ipy.peer.port, USER, password))


def _head(ipy: IpyCam) -> tuple[float, float, float, bool]:
    s = ipy.camera.ptz.get_status()
    return s["pan"], s["tilt"], s["zoom"], bool(s["moving"])


def _settle(ipy: IpyCam) -> tuple[float, float, float]:
    deadline = time.monotonic() + 8
    while _head(ipy)[3]:
        assert time.monotonic() < deadline, "ipycam's head never stopped"
        time.sleep(0.1)
    return _head(ipy)[:3]


def test_capabilities_and_moves_through_the_product_client(ipy: IpyCam) -> None:
    async def go() -> None:
        cam = _cam(ipy)
        try:
            caps = await probe(cam)
            assert caps.profile_token == MAIN and caps.home_supported
            assert caps.stream_uris[0].endswith("/video_main")
            await cam.goto_home(MAIN)
            await asyncio.to_thread(_settle, ipy)
            await cam.continuous_move(MAIN, 1.0, 0.0, 0.0, 2.0)
            await asyncio.sleep(0.5)
            assert _head(ipy)[3], "moving while told to"
            await cam.stop(MAIN)
            pan, tilt, _zoom = await asyncio.to_thread(_settle, ipy)
            assert pan > 0.1 and tilt == pytest.approx(0.0)
            await cam.absolute_move(MAIN, PtzPosition(-0.5, 0.25, 0.5))
            assert await asyncio.to_thread(_settle, ipy) == pytest.approx(
                (-0.5, 0.25, 0.5), abs=1e-3
            )
            await cam.relative_move(MAIN, 0.2, 0.0, 0.0)
            assert (await asyncio.to_thread(_settle, ipy))[0] == pytest.approx(-0.3, abs=1e-3)
            await cam.goto_home(MAIN)
            assert await asyncio.to_thread(_settle, ipy) == pytest.approx((0, 0, 0), abs=1e-3)
        finally:
            await cam.close()

    asyncio.run(go())


def test_wrong_password_is_an_auth_error_without_the_password(ipy: IpyCam) -> None:
    async def go() -> None:
        cam = _cam(ipy, "definitely-wrong")
        try:
            await cam.stop(MAIN)
        finally:
            await cam.close()

    with pytest.raises(AuthError, match="camera IPY-1 refused the credentials") as info:
        asyncio.run(go())
    assert "definitely-wrong" not in str(info.value)
