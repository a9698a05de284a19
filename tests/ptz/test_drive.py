"""The drive's last word to a camera is a stop, even when a move was on its way.

A camera double here stands for the ONVIF camera (its motors cannot run in a test): it
holds a continuous move "on the wire" until the drive is closed, as a slow network does.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from watchkeeper.ptz.drive import Drive
from watchkeeper.ptz.onvif import OnvifCamera


class SlowCamera:
    camera_id = "TC-001"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.move_started = asyncio.Event()

    async def continuous_move(self, token: str, *args: Any) -> None:
        self.calls.append("move")
        self.move_started.set()
        await asyncio.sleep(10)  # the answer never comes before close

    async def stop(self, token: str) -> None:
        self.calls.append("stop")


def test_a_move_cut_off_in_flight_is_followed_by_a_stop() -> None:
    async def go() -> list[str]:
        cam = SlowCamera()
        drive = Drive(cast(OnvifCamera, cam), "main", time.monotonic, lambda _: None, lambda: None)
        drive.want((1.0, 0.0, 0.0))
        await asyncio.wait_for(cam.move_started.wait(), 2)
        await drive.close()
        return cam.calls

    assert asyncio.run(go()) == ["move", "stop"]
