"""Debian's ffmpeg reads our VOD playlist and on-demand MP4; snapshots match ffmpeg's frame."""

from __future__ import annotations

import io
import json
import subprocess

import av
import httpx
import pytest
from pb_media import Footage, Served, grey, mean_abs_diff, token_for
from tests.clips import need_tool

from watchkeeper.auth.roles import Role
from watchkeeper.timeutil import US_PER_S

pytestmark = pytest.mark.media


def grant(srv: Served, hdr: dict[str, str], cam: str, start: int, end: int) -> str:
    r = httpx.post(
        f"{srv.url}/api/playback/cameras/{cam}/views",
        headers=hdr,
        json={"start_us": start, "end_us": end, "reason": "test: ffmpeg reads it"},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def ffprobe_duration(url: str, hdr: dict[str, str]) -> float:
    r = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-headers",
            f"Authorization: {hdr['Authorization']}\r\n",
            "-show_entries",
            "format=duration",
            "-of",
            "json",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return float(json.loads(r.stdout)["format"]["duration"])


def ffmpeg_decode(url: str, hdr: dict[str, str]) -> tuple[str, int]:
    """Decode everything; (error output, frames decoded)."""
    r = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-headers",
            f"Authorization: {hdr['Authorization']}\r\n",
            "-i",
            url,
            "-map",
            "0:v",
            "-f",
            "framemd5",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    frames = sum(1 for line in r.stdout.splitlines() if line and not line.startswith("#"))
    return r.stderr.strip() + ("" if r.returncode == 0 else f" exit {r.returncode}"), frames


def test_ffmpeg_reads_the_vod_playlist(served: Served, footage: Footage) -> None:
    need_tool("ffmpeg")
    hdr = token_for(served.system, Role.OPERATOR)
    start, end = footage.t0, footage.end
    tok = grant(served, hdr, "TC-001", start, end)
    url = f"{served.url}/api/playback/cameras/TC-001/vod.m3u8?start={start}&end={end}&view={tok}"
    errors, frames = ffmpeg_decode(url, hdr)
    assert errors == ""
    assert frames == 9 * 15  # both runs, every frame, across the discontinuity
    assert abs(ffprobe_duration(url, hdr) - 9.0) < 0.2


def test_ffmpeg_reads_the_on_demand_mp4(served: Served, footage: Footage) -> None:
    need_tool("ffmpeg")
    hdr = token_for(served.system, Role.OPERATOR)
    start, end = footage.t0 + 1_000_000, footage.t0 + 5_000_000
    tok = grant(served, hdr, "TC-001", start, end)
    url = f"{served.url}/api/playback/cameras/TC-001/media.mp4?start={start}&end={end}&view={tok}"
    errors, frames = ffmpeg_decode(url, hdr)
    assert errors == "" and frames == 4 * 15
    assert abs(ffprobe_duration(url, hdr) - 4.0) < 0.1
    # Across the gap (same format after it would be needed for one file): first run only.
    r = httpx.get(url, headers={**hdr, "Range": "bytes=0-7"})
    assert r.status_code == 206 and r.content[4:8] == b"ftyp"


def test_snapshot_is_the_frame_ffmpeg_extracts_at_that_instant(
    served: Served, footage: Footage
) -> None:
    need_tool("ffmpeg")
    hdr = token_for(served.system, Role.OPERATOR)
    at = footage.t0 + 3_400_000  # inside the 4th GOP, not on a keyframe
    tok = grant(served, hdr, "TC-001", footage.t0, footage.gap_start)
    r = httpx.get(
        f"{served.url}/api/playback/cameras/TC-001/snapshot.jpg?at={at}&view={tok}", headers=hdr
    )
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    with av.open(io.BytesIO(r.content)) as c:
        ours = grey(next(c.decode(video=0)))
    # ffmpeg on the recorded file itself: the segment holding `at` starts at t0 + 2 s.
    with served.system.db.session() as s:
        from sqlalchemy import select

        from watchkeeper.recording.models import Segment

        seg = s.scalars(
            select(Segment).where(
                Segment.camera_id == "TC-001", Segment.start_us <= at, Segment.end_us > at
            )
        ).one()
    offset = (at - seg.start_us) / US_PER_S
    png = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(served.system.playback.root / seg.path),
            "-ss",
            f"{offset:.6f}",
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    with av.open(io.BytesIO(png)) as c:
        ref = grey(next(c.decode(video=0)))
    assert ours[1:] == ref[1:]
    assert mean_abs_diff(ours[0], ref[0]) < 3.0
    # A neighbouring frame differs clearly (testsrc2 moves), so the match is not luck.
    png2 = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(served.system.playback.root / seg.path),
            "-ss",
            f"{offset + 0.2:.6f}",
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    with av.open(io.BytesIO(png2)) as c:
        other = grey(next(c.decode(video=0)))
    assert mean_abs_diff(ours[0], other[0]) > 2 * mean_abs_diff(ours[0], ref[0])
