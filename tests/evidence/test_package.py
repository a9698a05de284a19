"""Export packages from footage recorded through the real recorder, checked by ffprobe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import select

from tests.clips import need_tool
from tests.evidence.conftest import Recorded, export
from watchkeeper.audit.models import AuditEntry
from watchkeeper.errors import NotFound, StorageError, ValidationError
from watchkeeper.evidence.manifest import FORMAT, hash_file
from watchkeeper.evidence.signing import SigningKey
from watchkeeper.evidence.working import drawtext
from watchkeeper.recording.fmp4 import unpack_index
from watchkeeper.recording.models import Segment
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S, format_local, to_datetime

pytestmark = pytest.mark.media
FRAME_US = US_PER_S // 15


def probe(path: Path) -> dict[str, str]:
    need_tool("ffprobe")
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,pix_fmt,nb_read_frames,duration,width,height", "-of", "json",
         str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    stream: dict[str, str] = json.loads(out)["streams"][0]
    return stream


def segments(system: System) -> list[Segment]:
    with system.db.session() as s:
        return list(
            s.execute(
                select(Segment).where(Segment.camera_id == "TC-001").order_by(Segment.start_us)
            ).scalars()
        )


def test_master_is_the_recorded_files_from_the_keyframe_before(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    start, end = recorded.t0 + 2_500_000, recorded.t0 + 5_500_000
    pkg = export(system, key, tmp_path, start, end)
    rows = [r for r in segments(system) if r.start_us < end and r.end_us > start]
    master = pkg.manifest["master"]
    assert [m["segment_id"] for m in master] == [r.id for r in rows]
    assert master[0]["start_us"] <= start < master[0]["end_us"]
    assert master[-1]["start_us"] < end <= master[-1]["end_us"]
    for m, row in zip(master, rows, strict=True):
        copy = pkg.path / m["path"]
        assert copy.read_bytes() == (system.playback.root / row.path).read_bytes()
        assert hash_file(copy) == row.sha256 == m["sha256"]
        info = probe(copy)
        assert info["codec_name"] == "h264" and int(info["nb_read_frames"]) == row.frames
        assert abs(float(info["duration"]) * US_PER_S - row.media_duration_us) < FRAME_US
    label = (pkg.path / "exhibit_label.pdf").read_bytes()
    assert label.startswith(b"%PDF") and b"Exhibit JS/1 TC-001" in label
    assert (pkg.path / "continuity_statement.pdf").read_bytes().startswith(b"%PDF")
    assert pkg.manifest["format"] == FORMAT
    assert pkg.manifest["window"]["start_london"].endswith("BST")
    with system.db.session() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "evidence.export")
        ).scalar_one()
    assert entry.object_id == "TC-001" and pkg.path.name in entry.details


def test_working_copy_is_cut_to_the_frame_and_plays(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    start, end = recorded.t0 + 2_500_000, recorded.t0 + 5_500_000
    pkg = export(system, key, tmp_path, start, end)
    (w,) = pkg.manifest["working"]
    path = pkg.path / w["path"]
    info = probe(path)
    assert (info["codec_name"], info["pix_fmt"]) == ("h264", "yuv420p")
    # the source frames inside the window, from the index: every fragment is 15 fps
    expected = 0
    for row in segments(system):
        for i in range(row.frames):
            at = row.start_us + i * row.media_duration_us // row.frames
            expected += start <= at < end
    assert int(info["nb_read_frames"]) == w["frames"] == expected
    assert abs(float(info["duration"]) * US_PER_S - (end - start)) <= FRAME_US
    assert start <= w["first_frame_us"] < start + FRAME_US
    assert end - 2 * FRAME_US < w["last_frame_us"] < end
    head = path.read_bytes()[:200_000]
    assert 0 < head.find(b"moov") < head.find(b"mdat"), "faststart: moov before the media"


def _gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray").astype(np.int32) for f in c.decode(video=0)]


def _reference(tmp: Path, text: str, width: int, height: int) -> np.ndarray:
    """The overlay's time line drawn by the same filter on white, with a literal text."""
    (tmp / "ref.txt").write_text(text, encoding="utf-8")
    out = tmp / "ref.png"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"color=white:size={width}x{height}", "-vf",
         drawtext("ref.txt", 1, width, height, expand=False), "-frames:v", "1", str(out)],
        check=True, cwd=tmp,
    )  # fmt: skip
    return _gray(out)[0]


def _overlay_text(at_us: int) -> str:
    return f"{format_local(at_us)}   {to_datetime(at_us).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def test_burned_in_time_is_the_index_time_of_the_frame(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    """A keyframe's time from the index is the time drawn on that picture.

    The picture is found by content (the master's keyframe against every working-copy
    frame, below the overlay), then its overlay box is compared with references drawn
    for that second and the seconds either side: no OCR, and no use of the manifest.
    """
    start, end = recorded.t0 + 2_500_000, recorded.t0 + 5_500_000
    pkg = export(system, key, tmp_path / "pkg", start, end)
    row, rel = next(
        (r, e[2])
        for r in segments(system)
        for e in unpack_index(r.fragment_index)
        if r.start_us + e[2] >= start + 300_000
    )
    at = row.start_us + rel
    master = _gray(pkg.path / "master" / Path(row.path).name)
    key_frame = master[round(rel * 15 / US_PER_S)]
    working = _gray(pkg.path / pkg.manifest["working"][0]["path"])
    below = slice(80, None)
    diffs = [float(np.abs(f[below] - key_frame[below]).mean()) for f in working]
    k = int(np.argmin(diffs))
    assert diffs[k] < 6 and sorted(diffs)[1] > 2 * diffs[k], "the keyframe's picture is found"
    height, width = key_frame.shape
    refs = {
        dt: _reference(tmp_path, _overlay_text(at + dt * US_PER_S), width, height)
        for dt in (-1, 0, 1)
    }
    ys, xs = np.nonzero(refs[0] < 128)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    ssd = {dt: float(((working[k][box] - r[box]) ** 2).sum()) for dt, r in refs.items()}
    assert ssd[0] * 3 < min(ssd[-1], ssd[1]), ssd


def test_format_change_exports_both_parts_and_names_the_gap(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    start, end = recorded.t0 + 4_500_000, recorded.gap_end + 2_000_000
    with system.db.session() as s:  # as ONVIF would have measured them
        for n, row in enumerate(s.scalars(select(Segment).order_by(Segment.start_us))):
            row.clock_offset_us = -1500 + 1000 * n
        s.commit()
    pkg = export(system, key, tmp_path, start, end)
    offsets = [m["clock_offset_us"] for m in pkg.manifest["master"]]
    assert pkg.manifest["clock_offset_us"] == {"min": min(offsets), "max": max(offsets)}
    assert {(m["width"], m["height"]) for m in pkg.manifest["master"]} == {(320, 240), (480, 272)}
    parts = pkg.manifest["working"]
    assert [probe(pkg.path / w["path"])["width"] for w in parts] == [320, 480]
    (gap,) = pkg.manifest["gaps"]
    assert abs(gap["start_us"] - recorded.gap_start) < US_PER_S
    assert abs(gap["end_us"] - recorded.gap_end) < US_PER_S
    assert gap["reason"]


def test_a_segment_changed_on_disk_is_refused_and_nothing_is_left(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    row = segments(system)[1]
    path = system.playback.root / row.path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    with pytest.raises(StorageError, match="does not match the hash recorded"):
        export(system, key, out, recorded.t0 + 1_000_000, recorded.t0 + 5_000_000)
    assert list(out.iterdir()) == []


def test_an_empty_window_names_the_footage_nearby(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match=r"the recording before ends at .* the next starts at"):
        export(system, key, tmp_path, recorded.gap_start + 2_000_000, recorded.gap_end - 2_000_000)


def test_a_still_is_the_master_picture_at_its_instant(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    row = segments(system)[1]
    rel = unpack_index(row.fragment_index)[1][2]
    at = row.start_us + rel + 1000  # just after a keyframe: that keyframe is on screen
    pkg = export(system, key, tmp_path, recorded.t0 + 1_000_000, recorded.t0 + 5_000_000,
                 stills=(at,))  # fmt: skip
    (still,) = pkg.manifest["stills"]
    assert still["at_us"] == at and still["path"] == "stills/TC-001-1.jpg"
    (picture,) = _gray(pkg.path / still["path"])
    master = _gray(pkg.path / "master" / Path(row.path).name)
    diffs = [float(np.abs(picture - f).mean()) for f in master]
    assert int(np.argmin(diffs)) == round(rel * 15 / US_PER_S) and min(diffs) < 4
    with pytest.raises(ValidationError, match="outside the window"):
        export(system, key, tmp_path / "b", recorded.t0 + 1_000_000, recorded.t0 + 2_000_000,
               stills=(recorded.t0 + 3_000_000,))  # fmt: skip
