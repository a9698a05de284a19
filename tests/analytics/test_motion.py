"""Motion, spans, zones and tamper on synthetic pictures (no video, no clock)."""

from __future__ import annotations

import numpy as np
import pytest

from watchkeeper.analytics.motion import MotionDetector
from watchkeeper.analytics.spans import SpanTracker
from watchkeeper.analytics.tamper import TamperConfig, TamperKind, TamperWatch
from watchkeeper.analytics.zones import Zone, ZoneKind, parse_points
from watchkeeper.errors import ValidationError

W, H = 160, 90
RNG = np.random.default_rng(7)
SCENE = RNG.integers(60, 180, (H, W), dtype=np.uint8)


def scene(box: tuple[int, int] | None = None, brightness: int = 0) -> np.ndarray:
    """The textured scene, with a bright 12x24 'person' at ``box`` (x, y)."""
    img = SCENE.astype(np.int16) + brightness
    if box is not None:
        x, y = box
        img[y : y + 24, x : x + 12] = 250
    return np.clip(img, 0, 255).astype(np.uint8)


LEFT = Zone("left", ZoneKind.ZONE, ((0, 0), (0.5, 0), (0.5, 1), (0, 1)))
RIGHT_MASK = Zone("right", ZoneKind.MASK, ((0.5, 0), (1, 0), (1, 1), (0.5, 1)))


def warm(det: MotionDetector) -> None:
    for _ in range(8):
        det.feed(scene())


def test_motion_in_zone_and_none_in_the_mask() -> None:
    det = MotionDetector([LEFT, RIGHT_MASK])
    warm(det)
    walking_left = det.feed(scene((30, 30)))
    assert walking_left.active == {"left"}
    assert walking_left.boxes, "changed regions are given as boxes"
    det2 = MotionDetector([LEFT, RIGHT_MASK])
    warm(det2)
    walking_masked = det2.feed(scene((120, 30)))
    assert walking_masked.active == frozenset()
    assert walking_masked.fractions["left"] == 0.0


def test_whole_picture_zone_when_none_defined() -> None:
    det = MotionDetector([])
    warm(det)
    assert det.feed(scene((100, 40))).active == {"all"}


def test_lighting_change_is_not_motion() -> None:
    det = MotionDetector([])
    warm(det)
    r = det.feed(scene(brightness=60))
    assert r.lighting_change and not r.active
    assert not det.feed(scene(brightness=60)).active  # the new light is the background now


def test_rain_speckle_is_not_motion() -> None:
    det = MotionDetector([])
    warm(det)
    rain = scene()
    ys, xs = RNG.integers(0, H, 60), RNG.integers(0, W, 60)
    rain[ys, xs] = 255  # isolated bright pixels, as raindrops near the lens
    assert not det.feed(rain).active


def test_spans_open_after_frames_and_close_when_quiet() -> None:
    t = SpanTracker("cam1", interval_us=200_000, min_frames=2, quiet_s=1.0)
    on, off = frozenset({"door"}), frozenset()
    fr = {"door": 0.1}
    assert t.feed(0, fr, on) == ([], [])
    opened, _ = t.feed(200_000, {"door": 0.3}, on)
    assert [s.start_us for s in opened] == [0]
    _, closed = t.feed(400_000, {"door": 0.0}, off)
    assert closed == []
    _, closed = t.feed(1_200_000, {"door": 0.0}, off)
    assert len(closed) == 1
    span = closed[0]
    assert (span.start_us, span.end_us, span.peak, span.peak_us) == (0, 400_000, 0.3, 200_000)
    assert t.feed(1_400_000, fr, on) == ([], [])  # a new span needs its own frames


@pytest.mark.parametrize(
    "points",
    [
        [[0, 0], [1, 1]],
        [[0, 0], [2, 0], [1, 1]],
        [[0, 0], [1, 1], [1, 0], [0, 1]],  # a bow tie crosses itself
        [[0, 0], ["x", 0], [1, 1]],
    ],
)
def test_bad_zones_are_refused_with_the_field(points: object) -> None:
    with pytest.raises(ValidationError, match="points"):
        parse_points(points)


def test_tamper_covered_and_moved() -> None:
    cfg = TamperConfig(learn_frames=5, hold_s=1.0)
    w = TamperWatch(cfg)
    t = 0
    for _ in range(10):
        assert w.feed(scene(), t) == []
        t += 200_000
    dark = np.full((H, W), 5, np.uint8)
    events = []
    for _ in range(8):
        events += w.feed(dark, t)
        t += 200_000
    assert [e.kind for e in events] == [TamperKind.COVERED]
    w2 = TamperWatch(cfg)
    for _ in range(10):
        w2.feed(scene(), t)
        t += 200_000
    moved = np.ascontiguousarray(np.roll(SCENE, (30, 60), axis=(0, 1)).T[:H, :W])
    events = []
    for _ in range(8):
        events += w2.feed(moved, t)
        t += 200_000
    assert TamperKind.MOVED in [e.kind for e in events]
    assert w2.video_lost(0, 20_000_000, 15) is not None
    assert w2.video_lost(0, 21_000_000, 15) is None  # once until pictures come back


def test_tamper_defocused() -> None:
    import cv2

    yy, xx = np.mgrid[0:H, 0:W]
    checks = np.where(((xx // 10) + (yy // 10)) % 2 == 0, 60, 190).astype(np.uint8)
    w = TamperWatch(TamperConfig(learn_frames=5, hold_s=1.0))
    t = 0
    for _ in range(10):
        w.feed(checks, t)
        t += 200_000
    blurred = cv2.GaussianBlur(checks, (9, 9), 3)  # out of focus: edges soft, contrast kept
    events = []
    for _ in range(8):
        events += w.feed(blurred, t)
        t += 200_000
    assert TamperKind.DEFOCUSED in [e.kind for e in events]
