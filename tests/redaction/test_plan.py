"""What is obscured on each frame: decisions, interpolation, manual keyframes (pure)."""

from __future__ import annotations

import pytest

from watchkeeper.errors import ValidationError
from watchkeeper.redaction.plan import Decision, ManualBox, boxes_at, pad_box, parse_manual
from watchkeeper.redaction.track import Track


def track(tid: int, frames: list[int], xs: list[float]) -> Track:
    return Track(tid, frames, [(x, 10.0, x + 20, 30.0) for x in xs], [0.9] * len(frames))


def test_manual_box_interpolates_between_keyframes_and_ends_at_the_last() -> None:
    (m,) = parse_manual(
        [{"label": "plate", "keyframes": [[10, [0, 0, 10, 10]], [20, [100, 50, 120, 70]]]}], 100
    )
    assert m.label == "plate"
    assert boxes_at(15, [], {}, [m], 3) == [(50.0, 25.0, 65.0, 40.0)]
    assert boxes_at(10, [], {}, [m], 3) == [(0.0, 0.0, 10.0, 10.0)]
    assert boxes_at(9, [], {}, [m], 3) == [] and boxes_at(21, [], {}, [m], 3) == []


def test_a_single_keyframe_holds_for_the_whole_clip() -> None:
    m = ManualBox(1, "shop sign", ((5, (1.0, 2.0, 3.0, 4.0)),))
    assert boxes_at(0, [], {}, [m], 3) == boxes_at(99, [], {}, [m], 3) == [(1.0, 2.0, 3.0, 4.0)]


def test_tracks_are_redacted_by_default_and_the_subject_and_clear_are_not() -> None:
    a, b, c = track(1, [0, 5], [0, 50]), track(2, [0, 5], [200, 200]), track(3, [0], [300])
    decided = {1: Decision.SUBJECT, 3: Decision.CLEAR}
    assert boxes_at(2, [a, b, c], decided, [], 5) == [(200.0, 10.0, 220.0, 30.0)]
    assert len(boxes_at(2, [a, b, c], {}, [], 5)) == 3


def test_track_box_is_interpolated_and_held_one_interval_past_its_ends() -> None:
    t = track(1, [10, 20], [0, 100])
    assert boxes_at(15, [t], {}, [], 5) == [(50.0, 10.0, 70.0, 30.0)]
    assert boxes_at(5, [t], {}, [], 5) == [(0.0, 10.0, 20.0, 30.0)]
    assert boxes_at(25, [t], {}, [], 5) == [(100.0, 10.0, 120.0, 30.0)]
    assert boxes_at(4, [t], {}, [], 5) == boxes_at(26, [t], {}, [], 5) == []


def test_padding_stays_inside_the_frame() -> None:
    assert pad_box((10, 10, 30, 50), 0.25, 640, 360) == (5, 0, 35, 60)
    assert pad_box((620, 340, 640, 360), 0.5, 640, 360) == (610, 330, 640, 360)


@pytest.mark.parametrize(
    "bad",
    [
        "boxes",
        [{"keyframes": [[0, [10, 10, 5, 20]]]}],
        [{"keyframes": [[500, [0, 0, 5, 5]]]}],
        [{"keyframes": [["x", [0, 0, 5, 5]]]}],
        [{"nokeyframes": []}],
    ],
)
def test_malformed_manual_boxes_are_refused_with_a_clear_error(bad: object) -> None:
    with pytest.raises(ValidationError, match="manual box"):
        parse_manual(bad, 100)
