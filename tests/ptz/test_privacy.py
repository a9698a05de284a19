"""Privacy zones: geometry in PTZ space, the refusal of a move onto a zone, the lift for a
recorded reason that re-applies itself, and the simulated camera's recording masked where
the zone lies (decoded from the recording itself)."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import av
import pytest
from sqlalchemy import select

from tests.ptz.conftest import head, onvif_url
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import Forbidden, ValidationError
from watchkeeper.ptz.control import PtzControl
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera, PtzPosition
from watchkeeper.ptz.privacy import ZoneBook
from watchkeeper.ptz.zones import Lens, Rect, centre_in, frame_box, to_picture, to_space
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.models import InitSegment, Segment
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

# The simulated camera crops a 2304x1152 scene; its view at zoom 0 is 2048x1152, 4x zoom.
SIM_LENS = Lens(r0_u=2048 / 2304, r0_v=1.0, zoom_max=4.0, k=1.0)
A = PtzPosition(0.3, 0.2, 0.5)
B = PtzPosition(0.1, 0.0, 0.8)


@pytest.mark.parametrize("lens", [SIM_LENS, Lens(), Lens(0.5, 0.3, 20.0, 0.5)])
def test_a_zone_drawn_at_one_position_lies_on_the_same_place_at_another(lens: Lens) -> None:
    drawn = Rect(0.60, 0.20, 0.75, 0.35)
    space = to_space(lens, A, drawn)
    back = to_picture(lens, A, space)
    assert back is not None
    assert (back.a0, back.b0, back.a1, back.b1) == pytest.approx((0.60, 0.20, 0.75, 0.35))
    # The zone's centre, seen from a position that centres it, is the picture's centre.
    cu, cv = (space.a0 + space.a1) / 2, (space.b0 + space.b1) / 2
    ru, rv = lens.r(0.9)
    aim = PtzPosition(cu / (1 - lens.k * ru), cv / (1 - lens.k * rv), 0.9)
    assert centre_in(lens, aim, space) and not centre_in(lens, A, space)
    seen = to_picture(lens, aim, space)
    assert seen is not None and (seen.a0 + seen.a1) / 2 == pytest.approx(0.5)
    assert seen.a1 - seen.a0 > back.a1 - back.a0, "zoomed in, the zone looks bigger"
    with pytest.raises(ValidationError):
        to_space(lens, A, Rect(0.5, 0.5, 1.2, 0.6))


def _who(system: System, username: str) -> Principal:
    with system.db.session() as s:
        u = system.users.get(s, username)
        return Principal(u.id, u.username, Role(u.role))


def test_a_lifted_zone_reapplies_itself(ptz_system: System) -> None:
    clock = FakeClock()
    zones = ZoneBook(ptz_system.db, clock)
    olive, sam = _who(ptz_system, "olive"), _who(ptz_system, "sam")
    zones.add("TC-001", olive, "No 12 windows", Rect(0.45, 0.45, 0.55, 0.55), PtzPosition(0, 0, 0))
    onto = PtzPosition(0.0, 0.0, 0.5)
    with pytest.raises(Forbidden, match="centres the privacy zone 'No 12 windows'"):
        zones.check_target("TC-001", onto)
    with pytest.raises(Forbidden):
        zones.lift("TC-001", olive, "No 12 windows", "suspect at the door", 10)
    with pytest.raises(ValidationError, match="reason"):
        zones.lift("TC-001", sam, "No 12 windows", "  ", 10)
    zones.lift("TC-001", sam, "No 12 windows", "police request CAD 123: suspect at the door", 10)
    zones.check_target("TC-001", onto)  # lifted: allowed
    clock.advance(9 * 60)
    zones.check_target("TC-001", onto)
    clock.advance(61)
    with pytest.raises(Forbidden):
        zones.check_target("TC-001", onto)  # ten minutes on, it applies again by itself
    with ptz_system.db.session() as s:
        lift = s.scalar(select(AuditEntry).where(AuditEntry.action == "ptz.zone.lift"))
        assert lift is not None and lift.username == "sam"
        assert lift.reason == "police request CAD 123: suspect at the door"


def _move(rig: Rig, pos: PtzPosition) -> None:
    async def go() -> None:
        cam = OnvifCamera(OnvifAddress.from_url("ptz1", onvif_url(rig, "ptz1")))
        try:
            await cam.absolute_move("main", pos)
            while (await cam.status("main")).moving:
                await asyncio.sleep(0.05)
        finally:
            await cam.close()

    asyncio.run(go())


def _frames(system: System) -> list[av.VideoFrame]:
    frames = []
    with system.db.session() as s:
        for seg in s.scalars(
            select(Segment).where(Segment.stream == "main").order_by(Segment.start_us)
        ):
            init = s.get(InitSegment, seg.init_id)
            assert init is not None
            data = init.data + (system.playback.root / seg.path).read_bytes()
            with av.open(io.BytesIO(data)) as c:
                frames += [f for f in c.decode(video=0)]
    return frames


def _mean(frame: av.VideoFrame, box: Rect) -> float:
    grey = frame.to_ndarray(format="gray")
    h, w = grey.shape
    x0, x1 = int(box.a0 * w) + 3, int(box.a1 * w) - 3
    y0, y1 = int(box.b0 * h) + 3, int(box.b1 * h) - 3
    return float(grey[y0:y1, x0:x1].mean())


def test_the_recording_is_masked_where_the_zone_lies(ptz_system: System, ptz_rig: Rig) -> None:
    """A zone drawn on the picture in Watchkeeper, given to the camera as its own mask (as
    the installer does where a camera has no ONVIF mask service), is black in the recorded
    video at two positions and zooms, and the picture around it is not."""
    PtzDirectory(ptz_system.db, ptz_system.clock).set_lens("TC-001", SIM_LENS.to_json())
    _move(ptz_rig, A)
    zone = ZoneBook(ptz_system.db, ptz_system.clock).add(
        "TC-001", _who(ptz_system, "olive"), "Garden", Rect(0.40, 0.40, 0.60, 0.65), head(ptz_rig)
    )
    z = zone.space
    ptz_rig.set_privacy_masks("ptz1", [(z.a0, z.b0, z.a1, z.b1)])
    recorder = RecorderService(
        ptz_system.db, ptz_system.playback.root,
        RecorderConfig(segment_seconds=60, fsync_each_fragment=False), ptz_system.clock,
    )  # fmt: skip
    recorder.start([StreamPlan(StreamKey("TC-001", "main"), ptz_rig.camera("ptz1").main_url)])
    time.sleep(2.5)
    _move(ptz_rig, B)
    time.sleep(2.5)
    recorder.stop()
    frames = _frames(ptz_system)
    assert len(frames) > 30
    for frame, pos in ((frames[5], A), (frames[-3], B)):
        box = to_picture(SIM_LENS, pos, z)
        assert box is not None and box.a1 - box.a0 > 0.05, "the zone is in view"
        assert _mean(frame, box) < 20, f"masked at {pos}"
        ring = Rect(max(0.0, box.a0 - 0.1), box.b0, box.a0, box.b1)
        assert _mean(frame, ring) > 30, f"the scene beside the zone is not masked at {pos}"


def test_goto_preset_onto_a_zone_is_refused(ptz_system: System, ptz_rig: Rig) -> None:
    async def body() -> None:
        control = PtzControl(
            ptz_system.db, ptz_system.users, PtzDirectory(ptz_system.db, ptz_system.clock),
            ptz_system.clock,
        )  # fmt: skip
        olive = _who(ptz_system, "olive")
        try:
            await control.take("TC-001", olive)
            cam = await control.directory.camera("TC-001")
            await cam.absolute_move("main", PtzPosition(0.5, 0.3, 0.6))
            while (await cam.status("main")).moving:
                await asyncio.sleep(0.05)
            await control.save_preset("TC-001", olive, "Window")
            await cam.absolute_move("main", PtzPosition(0.0, 0.0, 0.0))
            here = await control.position("TC-001", olive)
            await asyncio.to_thread(
                control.zones.add, "TC-001", olive, "Flat 3", Rect(0.0, 0.0, 1.0, 1.0), here
            )  # the whole picture at zoom 0: the preset's centre lies inside it
            with pytest.raises(Forbidden, match="centres the privacy zone 'Flat 3'"):
                await control.goto_preset("TC-001", olive, "Window")
        finally:
            await control.close()

    asyncio.run(body())


def test_dwelling_on_a_residential_zone_alerts_the_supervisor(
    ptz_system: System, ptz_rig: Rig
) -> None:
    _move(ptz_rig, PtzPosition(0.0, 0.0, 0.0))

    async def body() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        control = PtzControl(
            ptz_system.db, ptz_system.users, PtzDirectory(ptz_system.db, ptz_system.clock),
            ptz_system.clock, dwell_s=1.0,
        )  # fmt: skip
        sup: list[dict[str, Any]] = []
        op: list[dict[str, Any]] = []
        try:
            await asyncio.to_thread(
                control.zones.add, "TC-001", _who(ptz_system, "olive"), "Flat 3 windows",
                Rect(0.1, 0.1, 0.2, 0.2), PtzPosition(0.0, 0.0, 0.0),
            )  # fmt: skip
            control.watch("TC-001", "sam", sup.append, supervisor=True)
            control.watch("TC-001", "olive", op.append)
            await control.watch_view("TC-001")
            for _ in range(60):
                if any(m["type"] == "alert" for m in sup):
                    break
                await asyncio.sleep(0.1)
        finally:
            await control.close()
        return sup, op

    sup, op = asyncio.run(body())
    alerts = [m for m in sup if m["type"] == "alert"]
    assert alerts and alerts[0]["zone"] == "Flat 3 windows", sup
    assert not [m for m in op if m["type"] == "alert"], "operators are not sent the alert"
    views = [m for m in op if m["type"] == "view"]
    assert views and views[0]["zoom"] == pytest.approx(0.0, abs=1e-3), "tiles learn the view"
    with ptz_system.db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "ptz.zone.dwell"))
        assert entry is not None and "Flat 3 windows" in entry.reason


@pytest.mark.parametrize("lens", [SIM_LENS, Lens()])
def test_a_box_dragged_on_the_picture_fills_it_after_the_move(lens: Lens) -> None:
    box, wide = Rect(0.10, 0.30, 0.60, 0.60), PtzPosition(0.1, 0.1, 0.0)
    target = frame_box(lens, wide, box)
    assert target.zoom > 0.0
    seen = to_picture(lens, target, to_space(lens, wide, box))
    assert seen is not None
    assert ((seen.a0 + seen.a1) / 2, (seen.b0 + seen.b1) / 2) == pytest.approx((0.5, 0.5))
    assert seen.a1 - seen.a0 == pytest.approx(1.0), "the box's width fills the picture"
