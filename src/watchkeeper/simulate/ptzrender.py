"""The PTZ camera's picture: a crop of a wide still scene, encoded live and cheaply.

The crop follows :class:`~watchkeeper.simulate.ptz.PtzHead` frame by frame (``videocrop``
renegotiates, ``videoscale`` brings it back to the stream size). Each frame carries an
on-screen caption (name, time, position) and the machine-readable capture clock of
:mod:`watchkeeper.simulate.clockcode`. x264 runs ultrafast/zerolatency: a PTZ view is live
by nature, so it is the one place the simulator encodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gi.repository import Gst

from watchkeeper.simulate import _gi  # noqa: F401
from watchkeeper.simulate.clockcode import code_bits, code_geometry
from watchkeeper.simulate.faults import CameraState
from watchkeeper.simulate.ptz import PtzHead, viewport

__all__ = ["PtzStream", "build_ptz_bin", "render_snapshot"]

SCENE_SIZE = (2304, 1152)


@dataclass(frozen=True)
class PtzStream:
    name: str
    width: int
    height: int
    fps: int
    kbps: int
    gop: int


def _source(panorama: Path) -> str:
    return f'filesrc location="{panorama}" ! jpegdec ! videoconvert ! video/x-raw,format=BGRx'


def build_ptz_bin(
    panorama: Path, stream: PtzStream, head: PtzHead, state: CameraState
) -> Gst.Element:
    """The media element for one PTZ stream; ``pay0`` is the RTP payloader."""
    desc = (
        f"{_source(panorama)} ! imagefreeze is-live=true name=freeze "
        f"! video/x-raw,framerate={stream.fps}/1 ! videocrop name=crop ! videoscale "
        f"! video/x-raw,width={stream.width},height={stream.height} "
        f"! cairooverlay name=osd ! videoconvert ! video/x-raw,format=I420 "
        f"! x264enc name=enc speed-preset=ultrafast tune=zerolatency bframes=0 "
        f"key-int-max={stream.gop} bitrate={stream.kbps} "
        f"! video/x-h264,profile=constrained-baseline ! h264parse "
        f"! rtph264pay name=pay0 pt=96 config-interval=-1"
    )
    pipeline = Gst.parse_bin_from_description(desc, False)
    crop = pipeline.get_by_name("crop")
    osd = pipeline.get_by_name("osd")
    enc = pipeline.get_by_name("enc")
    last: list[tuple[int, int, int, int]] = []

    def steer(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        v = viewport(head.position(), *SCENE_SIZE, stream.width, stream.height)
        edges = (v.left, SCENE_SIZE[0] - v.left - v.width, v.top, SCENE_SIZE[1] - v.top - v.height)
        if not last or last[0] != edges:
            crop.set_property("left", edges[0])
            crop.set_property("right", edges[1])
            crop.set_property("top", edges[2])
            crop.set_property("bottom", edges[3])
            last[:] = [edges]
        return Gst.PadProbeReturn.OK

    def stall(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        if state.stalled(time.monotonic()):
            return Gst.PadProbeReturn.DROP
        return Gst.PadProbeReturn.OK

    crop.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, steer)
    enc.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, stall)
    osd.connect("draw", _draw_overlay, (stream, head, state))
    return pipeline


def _draw_overlay(
    _overlay: Gst.Element, ctx: Any, _ts: int, _dur: int, data: tuple[PtzStream, PtzHead, Any]
) -> None:
    """Caption and clock code; the capture time is the camera's clock (offset included)."""
    stream, head, state = data
    now_ms = int(time.time() * 1000 + state.clock_offset_s * 1000)
    x0, y0, block = code_geometry(stream.width)
    bits = code_bits(now_ms)
    ctx.set_source_rgb(0, 0, 0)
    ctx.rectangle(0, 0, x0 * 2 + block * len(bits), y0 + block * 2.5)
    ctx.fill()
    ctx.set_source_rgb(1, 1, 1)
    for i, bit in enumerate(bits):
        if bit:
            ctx.rectangle(x0 + i * block, y0, block, block * 2)
    ctx.fill()
    pos = head.position()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now_ms / 1000))
    ctx.set_font_size(max(10.0, stream.height / 24))
    ctx.move_to(x0, stream.height - block)
    ctx.text_path(f"{stream.name}  {stamp} UTC  P{pos.pan:+.2f} T{pos.tilt:+.2f} Z{pos.zoom:.2f}")
    ctx.set_source_rgb(0, 0, 0)
    ctx.set_line_width(3)
    ctx.stroke_preserve()
    ctx.set_source_rgb(1, 1, 1)
    ctx.fill()


def render_snapshot(panorama: Path, head: PtzHead, width: int, height: int) -> bytes:
    """A JPEG of what the PTZ camera sees now (ONVIF GetSnapshotUri)."""
    v = viewport(head.position(), *SCENE_SIZE, width, height)
    desc = (
        f"{_source(panorama)} ! videocrop left={v.left} top={v.top} "
        f"right={SCENE_SIZE[0] - v.left - v.width} bottom={SCENE_SIZE[1] - v.top - v.height} "
        f"! videoscale ! video/x-raw,width={width},height={height} ! videoconvert "
        f"! jpegenc ! appsink name=out"
    )
    pipeline = Gst.parse_launch(desc)
    sink = pipeline.get_by_name("out")
    pipeline.set_state(Gst.State.PLAYING)
    try:
        sample = sink.emit("pull-sample")
        if sample is None:
            return b""
        buf = sample.get_buffer()
        return bytes(buf.extract_dup(0, buf.get_size()))
    finally:
        pipeline.set_state(Gst.State.NULL)
