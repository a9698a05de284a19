"""Pictures coded as several slices, through RTSP: one packet per picture, files whole.

Some cameras code each picture as several slices (several NAL units per access unit). The
RTP depacketiser must give the recorder whole pictures, and the files must decode cleanly.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rec_helpers import add_cameras, ffmpeg_errors, ffprobe_frames
from sqlalchemy import select
from test_rec_rtsp_faults import _skip_or_fail, _wait_streaming
from tests.simulate.conftest import small_config

from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.models import Segment
from watchkeeper.recording.service import RecorderService
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.footage import cache_dir, clips_for, ensure_clip
from watchkeeper.simulate.rig import Rig
from watchkeeper.timeutil import US_PER_S, SystemClock

pytestmark = [pytest.mark.media, pytest.mark.slow]


def _idr_slices_in_first_picture(clip: Path) -> int:
    data = clip.read_bytes()
    aud = data.find(b"\x00\x00\x01\x09", 4)  # the second access unit delimiter
    first = data[:aud]
    return sum(1 for i in range(len(first) - 3) if first[i : i + 4] == b"\x00\x00\x01\x65")


def test_multi_slice_pictures_recorded_whole(tmp_path: Path) -> None:
    _skip_or_fail()
    spec = CameraSpec(name="s4", main="360p", onvif=False, slices=4)
    cfg = RecorderConfig(segment_seconds=2, stagger=False)
    config = small_config(cache_dir() / "tests", spec)
    with Rig(config) as rig:
        clip = ensure_clip(clips_for(spec, config.footage_seconds)[0], cache_dir() / "tests")
        assert _idr_slices_in_first_picture(clip) == 4, "the camera really sends 4 slices"
        db = Database(f"sqlite:///{tmp_path / 'wk.db'}")
        upgrade(db.engine)
        add_cameras(db, ("s4",), rig.camera("s4").main_url)
        service = RecorderService(db, tmp_path / "rec", cfg, SystemClock())
        service.start()
        try:
            _wait_streaming(service)
            time.sleep(5)
        finally:
            service.stop()
    with db.session() as s:
        segs = list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())
    assert sum(x.media_duration_us for x in segs) >= 4 * US_PER_S
    for x in segs:
        path = tmp_path / "rec" / x.path
        assert ffmpeg_errors(path) == "", x.path
        assert ffprobe_frames(path) == x.frames  # one packet per picture, not per slice
        assert abs(x.frames - x.media_duration_us * 15 / US_PER_S) <= 1
    db.dispose()
