"""Cameras whose RTSP server offers RTP over UDP only (answers 461 to TCP), recorded.

The simulator is told to offer UDP only. A camera registered ``udp`` is recorded over UDP;
``auto`` tries TCP, is refused, and records over UDP; ``tcp`` is refused, and the gap report
says why. The recorder's health shows the transport and the loss counters.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rec_helpers import add_cameras, ffmpeg_errors
from sqlalchemy import select
from test_rec_rtsp_faults import _skip_or_fail
from tests.simulate.conftest import small_config

from watchkeeper.cameras.models import Camera, RtspTransport
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.gaps import day_report
from watchkeeper.recording.models import Segment
from watchkeeper.recording.service import RecorderService
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.footage import cache_dir
from watchkeeper.simulate.rig import Rig
from watchkeeper.timeutil import US_PER_S, SystemClock, to_datetime

pytestmark = [pytest.mark.media, pytest.mark.slow]


def test_udp_only_camera_is_recorded(tmp_path: Path) -> None:
    _skip_or_fail()
    cfg = RecorderConfig(segment_seconds=2, stagger=False, open_timeout_s=3, stall_seconds=2)
    spec = CameraSpec(name="u1", main="360p", onvif=False, transport="udp")
    with Rig(small_config(cache_dir() / "tests", spec)) as rig:
        url = rig.camera("u1").main_url
        db = Database(f"sqlite:///{tmp_path / 'wk.db'}")
        upgrade(db.engine)
        add_cameras(db, ("c-udp", "c-auto", "c-tcp"), url)
        with db.session() as s:
            for cam in s.execute(select(Camera)).scalars():
                cam.rtsp_transport = RtspTransport(cam.id.removeprefix("c-"))
        clock = SystemClock()
        service = RecorderService(db, tmp_path / "rec", cfg, clock)  # the real RTSP opener
        service.start()
        try:
            time.sleep(7)
            health = service.health()
        finally:
            service.stop()
        now = clock.now_us()
    with db.session() as s:
        segs = {
            cam: list(s.execute(select(Segment).where(Segment.camera_id == cam)).scalars())
            for cam in ("c-udp", "c-auto", "c-tcp")
        }
        gaps = day_report(s, "c-tcp", to_datetime(now).date(), now_us=now).gaps
    for cam in ("c-udp", "c-auto"):
        assert sum(x.media_duration_us for x in segs[cam]) >= 3 * US_PER_S, cam
        assert health[f"{cam}/main"].transport == "udp"
        assert health[f"{cam}/main"].lost_frames >= 0 and health[f"{cam}/main"].corrupt >= 0
        for x in segs[cam]:
            assert ffmpeg_errors(tmp_path / "rec" / x.path) == "", x.path
    assert segs["c-tcp"] == []
    assert gaps and "camera unreachable" in gaps[-1].reason
    assert "Protocol not supported" in gaps[-1].reason
    db.dispose()


def test_transport_in_csv_and_site_file() -> None:
    from watchkeeper.cameras.io import ImportRejected, parse_csv, parse_import

    head = "id,name,kind,site,area,main_url,rtsp_transport\n"
    parsed = parse_csv(head + "TC-1,One,fixed,tc,tc-h,rtsp://h/x,udp\nTC-2,Two,fixed,tc,tc-h,,\n")
    assert [spec.rtsp_transport for _, _, spec in parsed.cameras] == ["udp", "tcp"]
    with pytest.raises(ImportRejected) as err:
        parse_csv(head + "TC-1,One,fixed,tc,tc-h,rtsp://h/x,quic\n")
    assert any("rtsp_transport" in p for p in err.value.problems)
    site = (
        "sites:\n- id: tc\n  name: Town\n  areas:\n  - id: tc-h\n    name: High St\n"
        "    cameras:\n    - {id: TC-3, name: Three, kind: fixed, rtsp_transport: auto}\n"
    )
    cams = parse_import(site, "site.yaml").cameras
    assert cams[0][2].rtsp_transport == "auto"
