"""Each camera's video state as an operator reads it: the wall's tree, its tiles and the map.

One word per camera from its main stream in this process's recorder: ``streaming``,
``connecting``, ``stalled`` (connected, no pictures), ``offline`` (no connection) or
``not recording`` (no stream here: no address, stopped, or recorded elsewhere), with the
time it entered that state so a tile can say "offline since 21:04".
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from watchkeeper.cameras.redact import redact_text
from watchkeeper.system import System
from watchkeeper.timeutil import to_local

__all__ = ["NOT_RECORDING", "CameraState", "camera_states"]

NOT_RECORDING = "not recording"


class CameraState(BaseModel):
    state: str
    since_us: int | None = None
    since: str = ""
    """Europe/London ``HH:MM`` (``dd/mm HH:MM`` when not today)."""
    reason: str = ""


def _since(us: int, now_us: int) -> str:
    at, now = to_local(us), to_local(now_us)
    return at.strftime("%H:%M") if at.date() == now.date() else at.strftime("%d/%m %H:%M")


def camera_states(system: System, camera_ids: Iterable[str]) -> dict[str, CameraState]:
    """State of each of ``camera_ids`` (the caller has already filtered them by visibility)."""
    health = system.recorder.health() if system.recorder is not None else {}
    now = system.clock.now_us()
    out: dict[str, CameraState] = {}
    for cid in camera_ids:
        h = health.get(f"{cid}/main")
        if h is None or h.state.value == "stopped":
            out[cid] = CameraState(state=NOT_RECORDING)
        else:
            out[cid] = CameraState(
                state=h.state.value,
                since_us=h.since_us,
                since=_since(h.since_us, now),
                reason=redact_text(h.reason),
            )
    return out
