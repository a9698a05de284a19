"""Person detection on the hand-labelled frames of the simulated cameras' footage."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from watchkeeper.analytics.accuracy import Score, score_frame
from watchkeeper.analytics.detect import HOG_WEIGHTS, load_detector, nms
from watchkeeper.errors import ConfigError
from watchkeeper.simulate.footage import VTEST

LABELS = Path(__file__).with_name("data") / "vtest_people.json"


def labelled_frames() -> list[tuple[np.ndarray, list[tuple[tuple[float, ...], bool]]]]:
    if not VTEST.exists():
        if os.environ.get("CI"):
            pytest.fail("vtest.avi (opencv-doc) missing under CI")
        pytest.skip("vtest.avi (opencv-doc) not installed")
    spec = json.loads(LABELS.read_text())
    w, h = spec["width"], spec["height"]
    out = []
    for frame in spec["frames"]:
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-ss", str(frame["second"]), "-i", str(VTEST),
             "-frames:v", "1", "-vf",
             f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}",
             "-f", "rawvideo", "-pix_fmt", "gray", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        grey = np.frombuffer(raw, np.uint8).reshape(h, w)
        people = [(tuple(p["box"]), bool(p.get("hard"))) for p in frame["people"]]
        out.append((grey, people))
    return out


def evaluate(threshold: float = 1.0) -> Score:
    detector = load_detector(threshold)
    total = Score()
    for grey, people in labelled_frames():
        h, w = grey.shape
        found = detector.detect(grey, [(0.0, 0.0, 1.0, 1.0)])
        boxes = [(d.box[0] * w, d.box[1] * h, d.box[2] * w, d.box[3] * h) for d in found]
        total.add(score_frame(boxes, people))
    return total


@pytest.mark.slow
def test_recall_and_precision_on_labelled_frames() -> None:
    score = evaluate()
    assert score.recall >= 0.7, score
    assert score.precision >= 0.8, score


def test_scoring_counts_hits_misses_and_hard_cases() -> None:
    labelled = [((0, 0, 10, 20), False), ((50, 0, 60, 20), False), ((90, 0, 99, 9), True)]
    s = score_frame([(1, 1, 10, 20), (200, 0, 210, 20)], labelled)
    assert (s.true_pos, s.false_pos, s.missed) == (1, 1, 1)
    assert s.recall == 0.5 and s.precision == 0.5


def test_overlapping_boxes_keep_the_best() -> None:
    from watchkeeper.analytics.detect import Detection

    a = Detection("person", 2.0, (0.1, 0.1, 0.2, 0.4))
    b = Detection("person", 1.0, (0.11, 0.1, 0.21, 0.4))
    assert nms([b, a]) == [a]


def test_a_corrupt_or_missing_model_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="corrupt"):
        load_detector(weights_from=lambda: np.zeros(HOG_WEIGHTS - 5, np.float32))
    nan = np.full(HOG_WEIGHTS, np.nan, np.float32)
    with pytest.raises(ConfigError, match="corrupt"):
        load_detector(weights_from=lambda: nan)

    def missing() -> None:
        raise cv2.error("no model")

    with pytest.raises(ConfigError, match="no HOG people model"):
        load_detector(weights_from=missing)
