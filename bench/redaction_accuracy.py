"""Redaction accuracy: the automatic face pass against hand labels, at the default settings.

Labels: ``bench/data/vtest_labels.json`` (heads and whole people on 13 frames of vtest,
the footage the simulated "vtest" cameras play). A labelled head is **found** when a
detection's centre lies inside it (grown by 50% each side, for labels made by eye) or
their IoU is at least 0.3. A detection is **correct** when it finds a labelled head.
A person counts as covered when their head is found (redaction obscures heads; there is
no whole-person detector). Three views of the same frames:

- ``native``: the 768x576 source at the default settings (scale 1);
- ``native x2``: the same, enlarged 2x before detection (the studio's "small faces" choice);
- ``1080p``: the frame as the 1080p simulated camera shows it (scaled 2.5x and cropped to
  1920x1080, as the simulator's FFmpeg filter does), at the default settings.

Head sizes are reported so the reader sees where faces are too small to find.

Usage::

    python bench/redaction_accuracy.py
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from watchkeeper.redaction.detect import DEFAULT_THRESHOLD, FaceDetector
from watchkeeper.simulate.footage import VTEST

LABELS = Path(__file__).with_name("data") / "vtest_labels.json"
Box = tuple[float, float, float, float]


def frames() -> dict[int, np.ndarray]:
    doc = json.loads(LABELS.read_text())
    cap = cv2.VideoCapture(str(VTEST))
    out = {}
    for f in doc["frames"]:
        cap.set(cv2.CAP_PROP_POS_FRAMES, f["frame"])
        ok, img = cap.read()
        assert ok, f["frame"]
        out[f["frame"]] = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return out


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def finds(det: Box, head: Box) -> bool:
    w, h = head[2] - head[0], head[3] - head[1]
    cx, cy = (det[0] + det[2]) / 2, (det[1] + det[3]) / 2
    inside = head[0] - w / 2 <= cx <= head[2] + w / 2 and head[1] - h / 2 <= cy <= head[3] + h / 2
    return inside or iou(det, head) >= 0.3


def to_1080(b: Box) -> Box | None:
    x1, y1, x2, y2 = (b[0] * 2.5, b[1] * 2.5 - 180, b[2] * 2.5, b[3] * 2.5 - 180)
    if y2 <= 0 or y1 >= 1080:
        return None
    return x1, max(0.0, y1), x2, min(1080.0, y2)


def evaluate(name: str, imgs: dict[int, np.ndarray], scale: float, view: str) -> None:
    doc = json.loads(LABELS.read_text())
    det = FaceDetector(DEFAULT_THRESHOLD, scale)
    found = total = correct = dets = 0
    missed_sizes: list[float] = []
    found_sizes: list[float] = []
    for f in doc["frames"]:
        img = imgs[f["frame"]]
        if view == "1080p":
            big = cv2.resize(img, (1920, 1440), interpolation=cv2.INTER_CUBIC)
            img = big[180:1260]
        heads = []
        for p in f["people"]:
            h = tuple(p["head"])
            hb = to_1080(h) if view == "1080p" else h
            if hb is not None:
                heads.append(hb)
        boxes, _ = det(np.ascontiguousarray(img))
        dets += len(boxes)
        correct += sum(any(finds(b, h) for h in heads) for b in boxes)
        for h in heads:
            total += 1
            size = h[3] - h[1]
            if any(finds(b, h) for b in boxes):
                found += 1
                found_sizes.append(size)
            else:
                missed_sizes.append(size)
    recall = found / total if total else 0.0
    precision = correct / dets if dets else 0.0
    print(f"{name:11} heads/people {total:3}  found {found:3}  recall {recall:.2f}  "
          f"detections {dets:3}  precision {precision:.2f}")  # fmt: skip
    if found_sizes:
        print(f"{'':11} head height found: median {np.median(found_sizes):.0f} px, "
              f"min {min(found_sizes):.0f} px")  # fmt: skip
    if missed_sizes:
        print(f"{'':11} head height missed: median {np.median(missed_sizes):.0f} px, "
              f"max {max(missed_sizes):.0f} px")  # fmt: skip


def main() -> None:
    imgs = frames()
    doc = json.loads(LABELS.read_text())
    people = sum(len(f["people"]) for f in doc["frames"])
    print(f"labels: {len(doc['frames'])} frames, {people} people, {2 * people} boxes "
          f"(heads and whole people); threshold {DEFAULT_THRESHOLD}")  # fmt: skip
    evaluate("native", imgs, 1.0, "native")
    evaluate("native x2", imgs, 2.0, "native")
    evaluate("1080p", imgs, 1.0, "1080p")


if __name__ == "__main__":
    main()
