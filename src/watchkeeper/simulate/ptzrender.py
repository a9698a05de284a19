"""The PTZ camera's picture: a crop of a wide still scene, encoded live and cheaply.

The crop follows :class:`~watchkeeper.simulate.ptz.PtzHead` frame by frame (``videocrop``
renegotiates, ``videoscale`` brings it back to the stream size). Each frame carries an
on-screen caption (camera name, date and time, as real cameras burn in) and the
machine-readable capture clock of :mod:`watchkeeper.simulate.clockcode`. x264 runs
ultrafast/zerolatency with one slice per frame: a PTZ view is live by nature, so it is the
one place the simulator encodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from watchkeeper.simulate._gi import GdkPixbuf, GLib, Gst
from watchkeeper.simulate.clockcode import code_bits, code_geometry
from watchkeeper.simulate.faults import CameraState
from watchkeeper.simulate.ptz import SCENE_SIZE, PtzHead, Viewport, viewport

__all__ = ["PtzStream", "build_ptz_bin", "render_snapshot"]

MASK_SLOTS = 4


@dataclass(frozen=True)
class PtzStream:
    name: str
    width: int
    height: int
    fps: int
    kbps: int
    gop: int


def _source(panorama: Path) -> str:
    return f'filesrc location="{panorama}" ! jpegdec ! videoconvert ! video/x-raw,format=I420'


def build_ptz_bin(
    panorama: Path, stream: PtzStream, head: PtzHead, state: CameraState
) -> Gst.Element:
    """The media element for one PTZ stream; ``pay0`` is the RTP payloader.

    Everything stays in I420 (the encoder's format) and the clock code is written straight
    into the luma plane: a colour-space round trip for a drawing library cost more than the
    encoder itself.
    """
    desc = (
        f"{_source(panorama)} ! imagefreeze is-live=true "
        f"! video/x-raw,framerate={stream.fps}/1 ! videocrop name=crop "
        f"! videoscale method=nearest-neighbour "
        f"! video/x-raw,width={stream.width},height={stream.height},pixel-aspect-ratio=1/1 "
        + "".join(f"! gdkpixbufoverlay name=mask{i} alpha=0 " for i in range(MASK_SLOTS))
        + f"! gdkpixbufoverlay name=code "
        f'! clockoverlay text="{stream.name}" time-format="%Y-%m-%d %H:%M:%S" '
        f'halignment=left valignment=bottom font-desc="Sans {max(8, stream.height // 40)}" '
        f"! x264enc name=enc speed-preset=ultrafast tune=zerolatency bframes=0 threads=1 "
        f"key-int-max={stream.gop} bitrate={stream.kbps} "
        f"! video/x-h264,profile=constrained-baseline ! h264parse "
        f"! rtph264pay name=pay0 pt=96 config-interval=-1"
    )
    pipeline = Gst.parse_bin_from_description(desc, False)
    crop = pipeline.get_by_name("crop")
    enc = pipeline.get_by_name("enc")
    code = pipeline.get_by_name("code")
    last: list[tuple[int, int, int, int]] = []
    masks = [pipeline.get_by_name(f"mask{i}") for i in range(MASK_SLOTS)]
    black = GdkPixbuf.Pixbuf.new_from_bytes(
        GLib.Bytes.new(b"\x00\x00\x00"), GdkPixbuf.Colorspace.RGB, False, 8, 1, 1, 3
    )
    for m in masks:
        m.set_property("pixbuf", black)

    def steer(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        v = viewport(head.position(), *SCENE_SIZE, stream.width, stream.height)
        edges = (v.left, SCENE_SIZE[0] - v.left - v.width, v.top, SCENE_SIZE[1] - v.top - v.height)
        if not last or last[0] != edges:
            for name, value in zip(("left", "right", "top", "bottom"), edges, strict=True):
                crop.set_property(name, value)
            last[:] = [edges]
        boxes = mask_boxes(head.privacy_masks, v, stream.width, stream.height)
        for i, m in enumerate(masks):
            if i < len(boxes):
                x, y, w, h = boxes[i]
                for name, value in (("offset-x", x), ("offset-y", y),
                                    ("overlay-width", w), ("overlay-height", h)):  # fmt: skip
                    m.set_property(name, value)
            m.set_property("alpha", 1.0 if i < len(boxes) else 0.0)
        return Gst.PadProbeReturn.OK

    def stamp(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        now_ms = int(time.time() * 1000 + state.clock_offset_s * 1000)
        code.set_property("pixbuf", code_pixbuf(now_ms, stream.width))
        return Gst.PadProbeReturn.OK

    def stall(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        if state.stalled(time.monotonic()):
            return Gst.PadProbeReturn.DROP
        return Gst.PadProbeReturn.OK

    steer(crop.get_static_pad("sink"), None)  # negotiate at the head's current view
    crop.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, steer)
    code.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, stamp)
    enc.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, stall)
    return pipeline


def mask_boxes(
    masks: tuple[tuple[float, float, float, float], ...], v: Viewport, out_w: int, out_h: int
) -> list[tuple[int, int, int, int]]:
    """Each in-camera mask as (x, y, width, height) in output pixels, where it shows."""
    sw, sh = SCENE_SIZE
    sx, sy = out_w / v.width, out_h / v.height
    boxes = []
    for u0, v0, u1, v1 in masks[:MASK_SLOTS]:
        x0 = (sw / 2 * (1 + min(u0, u1)) - v.left) * sx
        x1 = (sw / 2 * (1 + max(u0, u1)) - v.left) * sx
        y0 = (sh / 2 * (1 - max(v0, v1)) - v.top) * sy
        y1 = (sh / 2 * (1 - min(v0, v1)) - v.top) * sy
        a, b = max(0, int(x0)), min(out_w, int(x1 + 0.999))  # cover, never uncover
        c, d = max(0, int(y0)), min(out_h, int(y1 + 0.999))
        if b > a and d > c:
            boxes.append((a, c, b - a, d - c))
    return boxes


def code_pixbuf(utc_ms: int, width: int) -> GdkPixbuf.Pixbuf:
    """The clock strip on a black band, as an opaque RGB image for the top-left corner."""
    x0, y0, block = code_geometry(width)
    bits = code_bits(utc_ms)
    span = min(width, int(x0 * 2 + block * len(bits)))
    black = b"\x00\x00\x00" * span
    code = bytearray(black)
    for i, bit in enumerate(bits):
        if bit:
            a, b = int(x0 + i * block), int(x0 + (i + 1) * block)
            code[3 * a : 3 * b] = b"\xff\xff\xff" * (b - a)
    top, bottom, rows = int(y0), int(y0 + 2 * block), int(y0 + 2.5 * block)
    data = black * top + bytes(code) * (bottom - top) + black * (rows - bottom)
    return GdkPixbuf.Pixbuf.new_from_bytes(
        GLib.Bytes.new(data), GdkPixbuf.Colorspace.RGB, False, 8, span, rows, 3 * span
    )


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
