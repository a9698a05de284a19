"""ONVIF, driven by onvif-zeep-async, the client the rest of Watchkeeper uses.

The checks every camera must pass live in ``onvif_checks`` and run against ipycam too
(``test_onvif_ipycam.py``); this module adds what only the simulator promises.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.simulate.media import grab_luma, mean_abs_diff
from tests.simulate.onvif_checks import (
    Peer,
    check_absolute_move,
    check_clock_skew,
    check_continuous_move_and_stop,
    check_device_information,
    check_goto_home,
    check_profiles,
    check_ptz_nodes,
    check_relative_move,
    check_services,
    check_snapshot,
    check_stream_uris,
    check_wrong_password_refused,
    connected,
    settle,
    status_probe,
)
from tests.simulate.rigs import fixed, ptz
from watchkeeper.simulate.clockcode import decode_clock_code
from watchkeeper.simulate.rig import Rig, RigCamera

pytestmark = pytest.mark.media
USER, PASSWORD = "operator", "s3cret-pass"


def _peer(cam: RigCamera) -> Peer:
    return Peer("127.0.0.1", cam.onvif_port, USER, PASSWORD)


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_device_and_media(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed("cam1", clock_offset_s=3600))
    cam = rig.camera("cam1")
    peer = _peer(cam)

    async def go() -> None:
        await check_services(peer, ptz=False)
        info = await check_device_information(peer)
        assert info.Manufacturer == "Watchkeeper" and info.HardwareId == "cam1"
        assert 3590 < await check_clock_skew(peer) < 3610, "configured clock offset is reported"
        profiles = await check_profiles(peer)
        assert [p.token for p in profiles] == ["main", "sub"]
        main = profiles[0].VideoEncoderConfiguration.Resolution
        assert (main.Width, main.Height) == (640, 360)
        uris = await check_stream_uris(peer, ["main", "sub"])
        assert uris["sub"] == cam.sub_url.replace(f"{USER}:{PASSWORD}@", "")
        assert await check_snapshot(peer, "main") == (640, 360), "the main stream's picture"

    _run(go())


def test_wrong_password_refused(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(fixed()).camera("cam1")
    _run(check_wrong_password_refused(_peer(cam)))


def test_ptz_moves_picture_and_presets_round_trip(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(ptz("ptz1")).camera("ptz1")
    peer = _peer(cam)
    probe = status_probe("main")
    opened = time.time()
    w, h, before = grab_luma(cam.sub_url)
    stamp = decode_clock_code(before, w, h)
    assert stamp is not None, "capture clock readable"
    assert opened - 1 < stamp / 1e6 < time.time(), "and it is the capture time"

    async def go() -> None:
        await check_services(peer, ptz=True)
        node = await check_ptz_nodes(peer)
        async with connected(peer) as client:
            svc = await client.create_ptz_service()
            assert (await svc.GetConfigurations())[0].NodeToken == node.token
        stopped = await check_continuous_move_and_stop(peer, "main", probe)
        async with connected(peer) as client:
            svc = await client.create_ptz_service()
            token = await svc.SetPreset({"ProfileToken": "main", "PresetName": "bus stop"})
        await check_absolute_move(peer, "main", probe, (-0.8, 0.5, 0.6))
        assert (await check_relative_move(peer, "main", probe, 0.2)).pan == pytest.approx(-0.6)
        await check_goto_home(peer, "main", probe)
        async with connected(peer) as client:
            svc = await client.create_ptz_service()
            presets = await svc.GetPresets({"ProfileToken": "main"})
            assert [(p.token, p.Name) for p in presets] == [(token, "bus stop")]
            await svc.GotoPreset({"ProfileToken": "main", "PresetToken": token})
            assert (await settle(svc, probe)).position == pytest.approx(stopped.position, abs=1e-3)
            await svc.RemovePreset({"ProfileToken": "main", "PresetToken": token})
            assert await svc.GetPresets({"ProfileToken": "main"}) in ([], None)
        await check_absolute_move(peer, "main", probe, (1.0, -1.0, 1.0))

    _run(go())
    w2, h2, after = grab_luma(cam.sub_url)
    assert (w2, h2) == (w, h)
    assert mean_abs_diff(before, after) > 15, "the picture follows the head"


def test_snapshot_of_ptz_needs_auth(make_rig: Callable[..., Rig]) -> None:
    cam = make_rig(ptz("ptz1")).camera("ptz1")
    peer = _peer(cam)
    assert _run(check_snapshot(peer, "sub")) == (640, 360), "Digest, the client's default"
    assert _run(check_snapshot(peer, "sub", basic_auth=True)) == (640, 360), "and Basic"
