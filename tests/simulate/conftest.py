"""Fixtures for the simulator: small rigs on free ports, with short cached footage.

Media tests skip when GStreamer, ffmpeg or the vtest footage are missing, but only when
``CI`` is unset: under CI a missing tool must fail the run, not hide it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.simulate.rigs import small_config
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.footage import VTEST
from watchkeeper.simulate.rig import Rig


def _media_problem() -> str | None:
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    if not VTEST.exists():
        return "opencv-doc (vtest.avi) not installed"
    try:
        import gi

        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GstRtspServer  # noqa: F401
    except (ImportError, ValueError) as exc:
        return f"GStreamer RTSP server bindings unavailable: {exc}"
    return None


@pytest.fixture(scope="session")
def media_ready() -> None:
    problem = _media_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"media tools missing under CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    """A shared cache, so clips are encoded once per machine, not once per test."""
    from watchkeeper.simulate.footage import cache_dir

    return cache_dir() / "tests"


@pytest.fixture
def make_rig(media_ready: None, footage_dir: Path) -> Iterator[Callable[..., Rig]]:
    """Start rigs of given cameras (360p main, 540p alternate); all stopped at teardown."""
    rigs: list[Rig] = []

    def start(*cameras: CameraSpec, auth: str = "digest") -> Rig:
        rig = Rig(small_config(footage_dir, *cameras, auth=auth)).start()
        rigs.append(rig)
        return rig

    yield start
    for rig in rigs:
        rig.stop()
