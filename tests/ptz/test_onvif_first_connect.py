"""The 2 s camera deadline bounds the camera's part, not this process's WSDL parsing.

A busy machine can take longer than the deadline to parse the ONVIF WSDLs on a process's
first connect; a healthy camera must not be reported as silent for it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import onvif.client
import pytest

from tests.ptz.conftest import onvif_url
from watchkeeper.ptz import onvif as wk_onvif
from watchkeeper.ptz.onvif import DEFAULT_TIMEOUT_S, OnvifAddress, OnvifCamera
from watchkeeper.simulate.rig import Rig

pytestmark = pytest.mark.media

SLOW_PARSE_S = DEFAULT_TIMEOUT_S + 0.5


def test_a_first_connect_with_slow_wsdl_parsing_still_reaches_the_camera(
    ptz_rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing made slower than the deadline (as on a loaded machine), from a cold cache."""
    monkeypatch.setattr(onvif.client, "_DOCUMENT_CACHE", {})
    monkeypatch.setattr(wk_onvif, "_LOADED", set())
    real = onvif.client._cached_document
    parsed: list[str] = []

    async def slow_parse(url: str) -> Any:
        if url not in onvif.client._DOCUMENT_CACHE:
            parsed.append(url.rsplit("/", 1)[1])
            await asyncio.sleep(SLOW_PARSE_S)
        return await real(url)

    monkeypatch.setattr(onvif.client, "_cached_document", slow_parse)
    cam = OnvifCamera(OnvifAddress.from_url("TC-001", onvif_url(ptz_rig, "ptz1")))

    async def go() -> tuple[float, float]:
        try:
            t0 = time.monotonic()
            profiles = await cam.profiles()
            t1 = time.monotonic()
            await cam.status(profiles[0].token)
            return t1 - t0, time.monotonic() - t1
        finally:
            await cam.close()

    first, ptz = asyncio.run(go())
    assert first > SLOW_PARSE_S, "the slow parse did happen, outside the deadline"
    assert ptz > SLOW_PARSE_S, "the PTZ WSDL is parsed on the first PTZ connect"
    assert sorted(parsed) == ["devicemgmt.wsdl", "media.wsdl", "ptz.wsdl"], "each parsed once"
