"""Privacy zones in the camera's PTZ space, and the geometry that puts them on the picture.

**Space.** A zone is a rectangle in the camera's *field of regard*: u (left -1 to right 1)
and v (bottom -1 to top 1) across everything the camera can see over its whole pan and tilt
travel. Where a picture point lies in that space depends on the position (pan, tilt, zoom)
and the lens, described by :class:`Lens`:

    u = pan * (1 - k * r(z)) + (2x - 1) * r(z)      r(z) = r0 / (1 + z * (zoom_max - 1))

with x in [0, 1] across the picture (y likewise, downwards, for v with tilt). ``r0`` is half
the picture's width in field-of-regard units at zoom 0. ``k = 0`` is a camera whose pan is
an angle (most domes); ``k = 1`` one whose pan sweeps the picture's centre only as far as
the picture can go (the simulated camera, which crops a wide scene). Both directions are
exact inverses, so a zone drawn at one position masks the same place at every other.

**Rules.** A move whose target centre lies inside an active zone is refused; a supervisor
may lift a zone for a recorded reason and a set time, after which it applies again by
itself (it is "lifted" only while ``lifted_until_us`` is in the future).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from watchkeeper.errors import ValidationError
from watchkeeper.ptz.onvif import PtzPosition

__all__ = [
    "DEFAULT_LENS",
    "Lens",
    "Rect",
    "active",
    "aim_at",
    "centre_in",
    "frame_box",
    "to_picture",
    "to_space",
]


@dataclass(frozen=True)
class Lens:
    r0_u: float = 0.3
    r0_v: float = 0.17
    zoom_max: float = 10.0
    k: float = 0.0

    def r(self, zoom: float) -> tuple[float, float]:
        mag = 1.0 + max(0.0, min(1.0, zoom)) * (self.zoom_max - 1.0)
        return self.r0_u / mag, self.r0_v / mag

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Lens:
        raw = json.loads(text or "{}")
        return cls(**raw) if raw else DEFAULT_LENS


DEFAULT_LENS = Lens()
"""A typical town-centre dome at 10x; set each camera's own lens for exact masks."""


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: in space (u, v; v up) or on the picture (x, y; y down)."""

    a0: float
    b0: float
    a1: float
    b1: float

    def normal(self) -> Rect:
        return Rect(min(self.a0, self.a1), min(self.b0, self.b1),
                    max(self.a0, self.a1), max(self.b0, self.b1))  # fmt: skip

    def overlaps(self, other: Rect) -> bool:
        a, b = self.normal(), other.normal()
        return a.a0 < b.a1 and b.a0 < a.a1 and a.b0 < b.b1 and b.b0 < a.b1


def _u(lens: Lens, pos: PtzPosition, x: float) -> tuple[float, float]:
    ru, rv = lens.r(pos.zoom)
    return pos.pan * (1 - lens.k * ru) + (2 * x - 1) * ru, rv


def to_space(lens: Lens, pos: PtzPosition, picture: Rect) -> Rect:
    """A rectangle drawn on the picture (x, y in [0, 1], y down) as a zone in space."""
    p = picture.normal()
    if not (0 <= p.a0 < p.a1 <= 1 and 0 <= p.b0 < p.b1 <= 1):
        raise ValidationError("draw the zone inside the picture")
    ru, rv = lens.r(pos.zoom)
    cu, cv = pos.pan * (1 - lens.k * ru), pos.tilt * (1 - lens.k * rv)
    return Rect(cu + (2 * p.a0 - 1) * ru, cv - (2 * p.b1 - 1) * rv,
                cu + (2 * p.a1 - 1) * ru, cv - (2 * p.b0 - 1) * rv)  # fmt: skip


def to_picture(lens: Lens, pos: PtzPosition, zone: Rect) -> Rect | None:
    """Where ``zone`` lies on the picture at ``pos`` (clipped to it), or None if off it."""
    z = zone.normal()
    ru, rv = lens.r(pos.zoom)
    cu, cv = pos.pan * (1 - lens.k * ru), pos.tilt * (1 - lens.k * rv)
    x0, x1 = ((z.a0 - cu) / ru + 1) / 2, ((z.a1 - cu) / ru + 1) / 2
    y0, y1 = (1 - (z.b1 - cv) / rv) / 2, (1 - (z.b0 - cv) / rv) / 2
    x0, x1, y0, y1 = max(0.0, x0), min(1.0, x1), max(0.0, y0), min(1.0, y1)
    if x0 >= x1 or y0 >= y1:
        return None
    return Rect(x0, y0, x1, y1)


def centre_in(lens: Lens, pos: PtzPosition, zone: Rect) -> bool:
    """True when the picture's centre at ``pos`` lies inside ``zone``."""
    z = zone.normal()
    ru, rv = lens.r(pos.zoom)
    cu, cv = pos.pan * (1 - lens.k * ru), pos.tilt * (1 - lens.k * rv)
    return z.a0 <= cu <= z.a1 and z.b0 <= cv <= z.b1


def aim_at(lens: Lens, pos: PtzPosition, x: float, y: float) -> PtzPosition:
    """The position (same zoom) that puts picture point (x, y) seen at ``pos`` in the centre."""
    ru, rv = lens.r(pos.zoom)
    u = pos.pan * (1 - lens.k * ru) + (2 * x - 1) * ru
    v = pos.tilt * (1 - lens.k * rv) - (2 * y - 1) * rv
    pan = max(-1.0, min(1.0, u / (1 - lens.k * ru)))
    tilt = max(-1.0, min(1.0, v / (1 - lens.k * rv)))
    return PtzPosition(pan, tilt, pos.zoom)


def frame_box(lens: Lens, pos: PtzPosition, box: Rect) -> PtzPosition:
    """The position that centres the picture box ``box`` (x, y in 0..1) seen at ``pos`` and
    zooms until the box fills the picture's width or height, whichever comes first."""
    b = box.normal()
    ru, rv = lens.r(pos.zoom)
    u = pos.pan * (1 - lens.k * ru) + (b.a0 + b.a1 - 1) * ru
    v = pos.tilt * (1 - lens.k * rv) - (b.b0 + b.b1 - 1) * rv
    fill = max(b.a1 - b.a0, b.b1 - b.b0, 1e-3)  # of the picture, now
    mag = (1.0 + pos.zoom * (lens.zoom_max - 1.0)) / fill
    zoom = max(0.0, min(1.0, (mag - 1.0) / (lens.zoom_max - 1.0)))
    ru, rv = lens.r(zoom)
    pan = max(-1.0, min(1.0, u / (1 - lens.k * ru)))
    tilt = max(-1.0, min(1.0, v / (1 - lens.k * rv)))
    return PtzPosition(pan, tilt, zoom)


def active(lifted_until_us: int | None, now_us: int) -> bool:
    """A zone applies unless it is lifted and the lift has not run out."""
    return lifted_until_us is None or lifted_until_us <= now_us
