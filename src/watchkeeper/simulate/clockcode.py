"""A machine-readable capture clock drawn into the picture, and its decoder.

Glass-to-glass latency is the time from a camera capturing a frame to a browser showing it.
The PTZ camera stamps each frame with its capture time (UTC milliseconds) as a row of black
and white blocks; a test screenshots the browser, decodes the row and subtracts. Blocks
survive H.264 compression and scaling where printed digits would need OCR.

Layout, relative to the frame width ``W`` so it decodes at any scale: block size
``b = W / 64``; the strip starts at ``(b, b)``, is ``2b`` tall and holds 54 blocks: a white
then a black marker, 44 bits of milliseconds (most significant first), 8 check bits.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BLOCKS",
    "code_bits",
    "code_geometry",
    "decode_clock_code",
]

_MS_BITS = 44
_CHECK_BITS = 8
BLOCKS = 2 + _MS_BITS + _CHECK_BITS


def _check(ms: int) -> int:
    total = 0
    for shift in range(0, _MS_BITS, 4):
        total += (ms >> shift) & 0xF
    return (total ^ 0xA5) & 0xFF


def code_bits(utc_ms: int) -> list[bool]:
    """The blocks to draw (True is white) for a capture time in UTC milliseconds."""
    ms = utc_ms & ((1 << _MS_BITS) - 1)
    bits = [True, False]
    bits += [bool(ms >> (_MS_BITS - 1 - i) & 1) for i in range(_MS_BITS)]
    check = _check(ms)
    bits += [bool(check >> (_CHECK_BITS - 1 - i) & 1) for i in range(_CHECK_BITS)]
    return bits


def code_geometry(width: int) -> tuple[float, float, float]:
    """(x of first block, y of strip top, block size) in pixels for a frame this wide."""
    block = width / 64
    return block, block, block


def decode_clock_code(
    luma: bytes | bytearray | memoryview | Sequence[int],
    width: int,
    height: int,
    stride: int | None = None,
) -> int | None:
    """Capture time in UTC microseconds from a frame's luma (Y, or grey) plane.

    ``luma`` is row-major, ``stride`` bytes per row (default ``width``). Returns None when
    there is no valid code (marker or check bits wrong), never a wrong time.
    """
    stride = stride or width
    x0, y0, block = code_geometry(width)
    y = int(y0 + block)
    if y + 1 >= height:
        return None

    def bright(i: int) -> bool:
        x = int(x0 + (i + 0.5) * block)
        samples = [luma[(y + dy) * stride + x + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        return sum(samples) / len(samples) >= 128

    bits = [bright(i) for i in range(BLOCKS)]
    if bits[0] is not True or bits[1] is not False:
        return None
    ms = 0
    for bit in bits[2 : 2 + _MS_BITS]:
        ms = ms << 1 | int(bit)
    check = 0
    for bit in bits[2 + _MS_BITS :]:
        check = check << 1 | int(bit)
    if check != _check(ms):
        return None
    return ms * 1000
