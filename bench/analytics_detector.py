"""Person detector: milliseconds per inference, inferences per second, recall and precision.

Runs OpenCV's HOG people detector (the one Watchkeeper ships, weights in the opencv-python
wheel) on the hand-labelled frames (``tests/analytics/data/vtest_people.json``), once on
whole 640x360 frames and once on motion-sized regions (a 20% x 40% box around each labelled
person, as the motion stage hands it over). Reference in the same run: OpenCV decoding the
same frame from PNG, to show the machine's speed. Run from the repository root::

    python bench/analytics_detector.py --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.analytics.test_detect import evaluate, labelled_frames

from watchkeeper.analytics.detect import load_detector


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=1.0)
    args = ap.parse_args()
    det = load_detector(args.threshold)
    frames = labelled_frames()
    whole, regions, png = [], [], []
    for _ in range(args.repeat):
        for grey, people in frames:
            h, w = grey.shape
            t = time.perf_counter()
            det.detect(grey, [(0.0, 0.0, 1.0, 1.0)])
            whole.append(time.perf_counter() - t)
            boxes = []
            for (x0, y0, x1, y1), _hard in people[:2]:
                cx, cy = (x0 + x1) / 2 / w, (y0 + y1) / 2 / h
                boxes.append(
                    (max(0, cx - 0.1), max(0, cy - 0.2), min(1, cx + 0.1), min(1, cy + 0.2))
                )
            t = time.perf_counter()
            det.detect(grey, boxes)
            regions.append(time.perf_counter() - t)
            _ok, buf = cv2.imencode(".png", grey)
            t = time.perf_counter()
            cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
            png.append(time.perf_counter() - t)
    score = evaluate(args.threshold)
    ms = lambda xs: 1000 * sorted(xs)[len(xs) // 2]  # noqa: E731
    for name, xs in (("whole frame 640x360", whole), ("two motion regions", regions)):
        print(f"{name + ':':<25}{ms(xs):7.1f} ms median, {1000 / ms(xs):5.2f} inferences/s")
    print(f"reference PNG decode:    {ms(png):7.2f} ms median (same frame)")
    print(f"labelled frames: {len(frames)}, people {score.true_pos + score.missed} (+hard)")
    print(
        f"recall {score.recall:.2f}, precision {score.precision:.2f} at threshold {args.threshold}"
    )


if __name__ == "__main__":
    main()
