"""A short clip with two real faces (the astronaut photograph that scikit-image ships, a
dependency of the detector's package), made with Debian's ffmpeg.

Face A (the data subject) walks left to right; face B (a bystander) stands still on the
right. ``face_box(who, frame)`` is where each face's picture was pasted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.clips import need_tool

WIDTH, HEIGHT, FPS = 640, 360, 15
FACE_W, FACE_H = 100, 120


def face_image() -> np.ndarray:
    import cv2
    from skimage import data

    img = data.astronaut()[30:210, 160:300]
    return cv2.resize(img, (FACE_W, FACE_H), interpolation=cv2.INTER_AREA)


def face_box(who: str, frame: int) -> tuple[int, int, int, int]:
    if who == "A":
        x = 30 + frame * 6
        return x, 60, x + FACE_W, 60 + FACE_H
    return 480, 180, 480 + FACE_W, 180 + FACE_H


def background() -> np.ndarray:
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    bg = np.stack([(xx * 0.2 + 60), (yy * 0.3 + 70), np.full_like(xx, 90.0)], axis=-1)
    return bg.astype(np.uint8)


def frame_at(n: int, faces: bool = True) -> np.ndarray:
    img = background().copy()
    if faces:
        face = face_image()
        for who in ("A", "B"):
            x1, y1, x2, y2 = face_box(who, n)
            img[y1:y2, x1:x2] = face
    return img


def make_faces_clip(path: Path, seconds: float = 2.0, fmt: str = "mp4") -> Path:
    """H.264, 15 fps, keyframe each second, no B-frames (as a camera sends)."""
    need_tool("ffmpeg")
    frames = int(seconds * FPS)
    raw = b"".join(frame_at(n).tobytes() for n in range(frames))
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-bf", "0", "-g", str(FPS),
         "-pix_fmt", "yuv420p", "-f", fmt, str(path)],
        input=raw, check=True,
    )  # fmt: skip
    return path


def face_region(who: str, frame: int) -> tuple[int, int, int, int]:
    """The face itself (eyes, nose, mouth) inside the pasted picture."""
    x1, y1, _, _ = face_box(who, frame)
    return x1 + 15, y1 + 19, x1 + 79, y1 + 99
