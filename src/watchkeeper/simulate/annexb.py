"""H.264 Annex B helpers: cut a clip into access units, and damage one on purpose.

The fixed cameras push whole frames into GStreamer themselves (rather than letting a file
source and parser do it) so that the simulator, not the pipeline, owns every timestamp and
every fault. Pure functions over bytes: easy to test without GStreamer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["AccessUnit", "corrupt", "split_access_units"]

_SLICE = (1, 5)
_AU_START = (6, 7, 8, 9)  # SEI, SPS, PPS, AUD begin a new frame once a slice has been seen


@dataclass(frozen=True)
class AccessUnit:
    """One coded frame with its parameter sets, start codes included."""

    data: bytes
    keyframe: bool


def _nal_offsets(data: bytes) -> list[tuple[int, int]]:
    """(start of start code, first byte of NAL header) for every NAL unit."""
    out: list[tuple[int, int]] = []
    i = 0
    while (j := data.find(b"\x00\x00\x01", i)) >= 0:
        start = j - 1 if j > 0 and data[j - 1] == 0 else j
        out.append((start, j + 3))
        i = j + 3
    return out


def split_access_units(data: bytes) -> list[AccessUnit]:
    """Group an Annex B byte stream into frames (no B-frames assumed, as our clips are)."""
    offsets = _nal_offsets(data)
    units: list[AccessUnit] = []
    begin = 0
    has_slice = False
    key = False
    for k, (start, header) in enumerate(offsets):
        if header >= len(data):
            break
        nal_type = data[header] & 0x1F
        first_mb_zero = header + 1 < len(data) and bool(data[header + 1] & 0x80)
        new_frame = nal_type in _AU_START or (nal_type in _SLICE and first_mb_zero)
        if has_slice and new_frame:
            units.append(AccessUnit(data[begin:start], key))
            begin, has_slice, key = start, False, False
        if k == 0:
            begin = start
        if nal_type in _SLICE:
            has_slice = True
            key = key or nal_type == 5
    if has_slice:
        units.append(AccessUnit(data[begin:], key))
    return units


def corrupt(unit: AccessUnit, rng: random.Random) -> AccessUnit:
    """Overwrite bytes inside each slice, keeping start codes and NAL headers intact.

    A decoder then meets a well-framed NAL unit with garbage inside, which is what a
    flaky camera or network sends, rather than a stream that cannot even be parsed.
    """
    buf = bytearray(unit.data)
    offsets = _nal_offsets(unit.data)
    for k, (_start, header) in enumerate(offsets):
        end = offsets[k + 1][0] if k + 1 < len(offsets) else len(buf)
        if buf[header] & 0x1F not in _SLICE or end - header < 24:
            continue
        for _ in range(4):
            pos = rng.randrange(header + 8, end)
            buf[pos] = rng.randrange(1, 256)
    return AccessUnit(bytes(buf), unit.keyframe)
