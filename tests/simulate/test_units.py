"""Pure parts of the simulator, without GStreamer: framing, clock code, PTZ motion, config."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticError

from watchkeeper.errors import ConfigError, ValidationError
from watchkeeper.simulate.annexb import AccessUnit, corrupt, split_access_units
from watchkeeper.simulate.clockcode import BLOCKS, code_bits, code_geometry, decode_clock_code
from watchkeeper.simulate.config import CameraSpec, RigConfig, default_cameras, load_rig_config
from watchkeeper.simulate.faults import CameraState, FaultKind, FaultRequest
from watchkeeper.simulate.ptz import MAX_PAN_SPEED, Position, PtzHead, viewport
from watchkeeper.timeutil import FakeClock

SPS = b"\x00\x00\x00\x01\x67\x64\x00\x1f"
PPS = b"\x00\x00\x00\x01\x68\xee\x3c\x80"
AUD = b"\x00\x00\x00\x01\x09\xf0"


def _slice(idr: bool, size: int = 40) -> bytes:
    return b"\x00\x00\x01" + (b"\x65" if idr else b"\x41") + b"\x88" + bytes(range(size))


def test_split_access_units_groups_frames() -> None:
    stream = AUD + SPS + PPS + _slice(True) + AUD + _slice(False) + AUD + _slice(False)
    units = split_access_units(stream)
    assert [u.keyframe for u in units] == [True, False, False]
    assert b"".join(u.data for u in units) == stream
    assert units[0].data.startswith(AUD + SPS)


def test_corrupt_keeps_framing() -> None:
    unit = AccessUnit(AUD + SPS + PPS + _slice(True, 200), True)
    bad = corrupt(unit, random.Random(1))
    assert bad.data != unit.data and len(bad.data) == len(unit.data)
    assert bad.data.startswith(AUD + SPS + PPS) and split_access_units(bad.data)[0].keyframe


def _draw(ms: int, width: int, height: int) -> bytearray:
    luma = bytearray([90]) * (width * height)
    x0, y0, block = code_geometry(width)
    for i, bit in enumerate(code_bits(ms)):
        for y in range(int(y0), int(y0 + 2 * block)):
            for x in range(int(x0 + i * block), int(x0 + (i + 1) * block)):
                luma[y * width + x] = 235 if bit else 16
    return luma


@pytest.mark.parametrize("width", [640, 1280, 333])
def test_clock_code_round_trip(width: int) -> None:
    ms = 1_767_225_600_123
    height = width * 9 // 16
    assert decode_clock_code(_draw(ms, width, height), width, height) == ms * 1000
    assert len(code_bits(ms)) == BLOCKS


def test_clock_code_rejects_noise() -> None:
    luma = bytearray(random.Random(2).randbytes(640 * 360))
    assert decode_clock_code(luma, 640, 360) is None
    tampered = _draw(1_767_225_600_123, 640, 360)
    x0, y0, block = code_geometry(640)
    y = int(y0 + block)
    x = int(x0 + 30.5 * block)
    tampered[y * 640 + x - 5 : y * 640 + x + 5] = bytes([255 - tampered[y * 640 + x]]) * 10
    for dy in (-1, 1):
        row = (y + dy) * 640
        tampered[row + x - 5 : row + x + 5] = tampered[y * 640 + x - 5 : y * 640 + x + 5]
    assert decode_clock_code(tampered, 640, 360) is None


def test_ptz_moves_at_finite_speed() -> None:
    clock = FakeClock()
    head = PtzHead(clock=clock)
    head.absolute_move(Position(pan=1.0, tilt=-0.5, zoom=1.0))
    clock.advance(0.5)
    assert head.position().pan == pytest.approx(0.5 * MAX_PAN_SPEED)
    assert head.moving()
    clock.advance(10)
    assert head.position() == Position(1.0, -0.5, 1.0) and not head.moving()


def test_ptz_continuous_move_timeout_and_stop() -> None:
    clock = FakeClock()
    head = PtzHead(clock=clock)
    head.continuous_move(-0.5, 0, 0, timeout=1.0)
    clock.advance(3)
    assert head.position().pan == pytest.approx(-0.5 * MAX_PAN_SPEED)
    head.continuous_move(0, 1, 0, timeout=None)
    clock.advance(0.25)
    head.stop()
    clock.advance(5)
    assert head.position().tilt == pytest.approx(0.25 * MAX_PAN_SPEED)


def test_presets_round_trip() -> None:
    clock = FakeClock()
    head = PtzHead(clock=clock)
    head.absolute_move(Position(0.2, 0.1, 0.3))
    clock.advance(5)
    token = head.set_preset("gate")
    head.absolute_move(Position())
    clock.advance(5)
    head.absolute_move(head.presets[token][1])
    clock.advance(5)
    assert head.position() == Position(0.2, 0.1, 0.3)
    assert head.remove_preset(token) and not head.remove_preset(token)


def test_viewport_zooms_and_pans_within_scene() -> None:
    wide = viewport(Position(), 2304, 1152, 640, 360)
    assert (wide.width, wide.height) == (2048, 1152)
    tele = viewport(Position(pan=1, tilt=1, zoom=1), 2304, 1152, 640, 360)
    assert tele.width == 512 and tele.left + tele.width <= 2304 and tele.top == 0
    left = viewport(Position(pan=-1, zoom=1), 2304, 1152, 640, 360)
    assert left.left == 0


def test_config_forbids_unknown_fields_and_checks_bounds(tmp_path: Path) -> None:
    with pytest.raises(PydanticError):
        CameraSpec(name="cam1", fps=15)  # type: ignore[call-arg]
    with pytest.raises(PydanticError):
        CameraSpec(name="cam1", main_fps=120)
    with pytest.raises(PydanticError):
        RigConfig(cameras=[CameraSpec(name="a"), CameraSpec(name="a")])
    path = tmp_path / "rig.yaml"
    path.write_text("rtsp_port: 9554\ncameras:\n  - {name: gate, kind: ptz}\n")
    assert load_rig_config(path).cameras[0].kind == "ptz"
    path.write_text("cameras:\n  - {name: gate, lens: wide}\n")
    with pytest.raises(ConfigError, match="lens"):
        load_rig_config(path)
    assert [c.kind for c in default_cameras(2, 1)] == ["fixed", "fixed", "ptz"]
    assert all(f.description for f in CameraSpec.model_fields.values())
    assert all(f.description for f in RigConfig.model_fields.values())


def test_fault_state_changes() -> None:
    state = CameraState(boot_at=0.0)
    state.apply(FaultKind.STALL, 5, now=10)
    assert state.stalled(14.9) and not state.stalled(15)
    state.apply(FaultKind.JUMP_BACKWARD, 2, now=10)
    state.apply(FaultKind.REBOOT, 3, now=20)
    assert state.generation == 1 and state.offline(22) and state.ts_offset_ns == 0
    assert not state.stalled(14)
    with pytest.raises(ValidationError):
        FaultRequest("cam1", FaultKind.OFFLINE, 99999).duration()
