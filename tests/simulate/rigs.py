"""Small camera rigs for tests: 360p main (540p after a resolution fault), 4 s clips."""

from __future__ import annotations

from pathlib import Path

from watchkeeper.simulate.config import CameraSpec, RigConfig

CLIP_SECONDS = 4.0  # short, so a reader crosses the loop point within a test


def small_config(cache: Path, *cameras: CameraSpec, auth: str = "digest") -> RigConfig:
    return RigConfig(
        rtsp_port=0, onvif_port=0, control_port=0, footage_seconds=CLIP_SECONDS,
        cache_dir=cache, auth=auth, user="operator", password="s3cret-pass",
        cameras=list(cameras),
    )  # fmt: skip


def fixed(name: str = "cam1", **kw: object) -> CameraSpec:
    return CameraSpec(name=name, main="360p", **kw)


def ptz(name: str = "ptz1", **kw: object) -> CameraSpec:
    return CameraSpec(name=name, kind="ptz", main="360p", sub="360p", sub_fps=5, **kw)
