"""Recall and precision of a detector against hand-labelled boxes (pure arithmetic).

A detection matches the unmatched labelled box it overlaps most when their intersection
over union is at least ``iou`` (0.3: hand boxes are tight, HOG's windows include margin).
People marked ``hard`` count when found and are not held against recall when missed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Score", "iou", "score_frame"]

Box = tuple[float, float, float, float]


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    missed: int = 0

    @property
    def recall(self) -> float:
        n = self.true_pos + self.missed
        return self.true_pos / n if n else 1.0

    @property
    def precision(self) -> float:
        n = self.true_pos + self.false_pos
        return self.true_pos / n if n else 1.0

    def add(self, other: Score) -> None:
        self.true_pos += other.true_pos
        self.false_pos += other.false_pos
        self.missed += other.missed


def score_frame(found: list[Box], labelled: list[tuple[Box, bool]], min_iou: float = 0.3) -> Score:
    """``labelled`` is (box, hard) pairs."""
    s = Score()
    free = list(range(len(labelled)))
    for box in found:
        best, best_i = 0.0, -1
        for i in free:
            v = iou(box, labelled[i][0])
            if v > best:
                best, best_i = v, i
        if best >= min_iou:
            free.remove(best_i)
            s.true_pos += 1
        else:
            s.false_pos += 1
    s.missed = sum(1 for i in free if not labelled[i][1])
    return s
