"""Every stream reads in Debian's ffprobe as a camera's would; time survives the loop point."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.simulate.media import ffprobe_fails, ffprobe_stream, packet_times
from tests.simulate.rigs import CLIP_SECONDS, fixed, ptz
from watchkeeper.simulate.rig import Rig

pytestmark = pytest.mark.media


def test_every_stream_has_camera_shape(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed("cam1"), fixed("cam2", scene="street"), ptz("ptz1"))
    expected = {
        ("cam1", "main"): (640, 360, "15/1"),
        ("cam1", "sub"): (640, 360, "10/1"),
        ("cam2", "main"): (640, 360, "15/1"),
        ("cam2", "sub"): (640, 360, "10/1"),
        ("ptz1", "main"): (640, 360, "15/1"),
        ("ptz1", "sub"): (640, 360, "5/1"),
    }

    def probe(key: tuple[str, str]) -> dict[str, object]:
        cam = rig.camera(key[0])
        return ffprobe_stream(cam.main_url if key[1] == "main" else cam.sub_url)

    with ThreadPoolExecutor(max_workers=6) as pool:
        found = dict(zip(expected, pool.map(probe, expected), strict=True))
    for (name, stream), (w, h, rate) in expected.items():
        info = found[name, stream]
        assert (info["codec_name"], info["width"], info["height"]) == ("h264", w, h)
        assert info["r_frame_rate"] == rate, (name, stream)
        assert info["has_b_frames"] == 0


def test_udp_transport_works(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    info = ffprobe_stream(rig.camera("cam1").sub_url, transport="udp")
    assert info["width"] == 640


def test_timestamps_monotonic_across_loop_point(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    dts = packet_times(rig.camera("cam1").main_url, CLIP_SECONDS + 2.5)
    assert dts[-1] - dts[0] > CLIP_SECONDS, "the read must cross the clip's end"
    steps = [b - a for a, b in itertools.pairwise(dts)]
    assert all(s > 0 for s in steps), "DTS went backwards or repeated"
    assert max(steps) < 0.1 and min(steps) > 0.05, "15 fps spacing, no gap at the loop"


@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_wrong_credentials_refused(make_rig: Callable[..., Rig], auth: str) -> None:
    rig = make_rig(fixed(), auth=auth)
    url = rig.camera("cam1").main_url
    wrong = url.replace(":s3cret-pass@", ":wrong@")
    assert "401" in ffprobe_fails(wrong)
    assert "401" in ffprobe_fails(url.replace("operator:s3cret-pass@", ""))
    assert ffprobe_stream(url)["width"] == 640
