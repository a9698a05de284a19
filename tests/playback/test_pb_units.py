"""Pure parts of playback: runs from rows, playlists, byte ranges, view grants."""

from __future__ import annotations

import struct

import pytest
from pb_media import Footage

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import Forbidden, ValidationError
from watchkeeper.live.streamer import mime_of
from watchkeeper.playback.hls import LiveSegment, PlaylistRun, live_playlist, vod_playlist
from watchkeeper.playback.layout import SegmentRow, build_runs
from watchkeeper.playback.views import SITTING_S, ViewLedger
from watchkeeper.playback.vmp4 import patch_moof
from watchkeeper.recording.fmp4 import pack_index
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S, FakeClock
from watchkeeper.web.ranges import parse_range

S = US_PER_S


def row(i: int, start: int, secs: int = 4, init: int = 1, disc: bool = False) -> SegmentRow:
    """A segment of ``secs`` one-second GOPs of 1000 bytes after a 100-byte init."""
    idx = pack_index([(100 + k * 1000, 1000, k * S, True) for k in range(secs)])
    return SegmentRow(i, start, start + secs * S, secs * S, disc, init, f"f{i}.mp4", idx)


def test_runs_split_at_gaps_and_init_changes_and_start_at_the_keyframe_before() -> None:
    rows = [row(1, 0), row(2, 4 * S), row(3, 20 * S), row(4, 24 * S, init=2)]
    runs = build_runs(rows, 2_500_000, 28 * S)
    assert [(r.start_us, r.end_us, r.init_id) for r in runs] == [
        (2 * S, 8 * S, 1),
        (20 * S, 24 * S, 1),
        (24 * S, 28 * S, 2),
    ]
    assert runs[0].fragments[0].offset == 2100  # the GOP holding 2.5 s starts at 2 s
    # A download keeps the gap inside one run; a change of init still splits.
    assert len(build_runs(rows, 0, 24 * S, split_gaps=False)) == 1
    assert len(build_runs(rows, 0, 28 * S, split_gaps=False)) == 2
    # The recorder's discontinuity mark splits a playlist even without a gap.
    assert len(build_runs([row(1, 0), row(2, 4 * S, disc=True)], 0, 8 * S)) == 2


def test_vod_playlist_shape() -> None:
    runs = [
        PlaylistRun("/a.mp4", 700, 1_767_225_600_000_000, [(700, 10, 2 * S), (710, 20, S)]),
        PlaylistRun("/b.mp4", 650, 1_767_225_660_000_000, [(650, 5, 1_500_000)]),
    ]
    text = vod_playlist(runs)
    assert text.splitlines()[:6] == [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    assert '#EXT-X-MAP:URI="/b.mp4",BYTERANGE="650@0"' in text
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:01:00.000Z" in text
    assert "#EXTINF:1.5,\n#EXT-X-BYTERANGE:5@650\n/b.mp4" in text
    assert text.count("#EXT-X-DISCONTINUITY") == 1 and text.endswith("#EXT-X-ENDLIST\n")
    live = live_playlist(
        [LiveSegment(7, 0, 2 * S, False), LiveSegment(8, 2 * S, 2 * S, True)],
        "/i.mp4",
        lambda n: f"/{n}.m4s",
    )
    assert "#EXT-X-MEDIA-SEQUENCE:7" in live and "ENDLIST" not in live
    assert live.count("#EXT-X-DISCONTINUITY") == 1


@pytest.mark.parametrize(
    ("header", "want"),
    [
        (None, None),
        ("bytes=0-9", (0, 10)),
        ("bytes=90-", (90, 100)),
        ("bytes=-5", (95, 100)),
        ("bytes=50-500", (50, 100)),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_parse_range(header: str | None, want: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == want


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2", "bytes=x-", "bytes=-0"])
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 100)


def test_patch_moof_rewrites_tfdt_and_sequence() -> None:
    mfhd = struct.pack(">I4sII", 16, b"mfhd", 0, 1)
    tfdt = struct.pack(">I4sIQ", 20, b"tfdt", 0x01000000, 5)
    traf = struct.pack(">I4s", 8 + len(tfdt), b"traf") + tfdt
    moof = struct.pack(">I4s", 8 + len(mfhd) + len(traf), b"moof") + mfhd + traf
    out = patch_moof(moof, 123_456_789_012, 42)
    assert len(out) == len(moof)
    assert struct.unpack_from(">I", out, 8 + 12)[0] == 42
    assert struct.unpack_from(">Q", out, len(moof) - 8)[0] == 123_456_789_012


def test_mime_from_avcc() -> None:
    init = b"\x00\x00\x00\x10avcC\x01\x64\x00\x28rest"
    assert mime_of(init) == 'video/mp4; codecs="avc1.640028"'


def test_a_sitting_ends_after_idle_time(system: System, footage: Footage) -> None:
    clock = FakeClock()
    ledger = ViewLedger(clock)
    who = Principal(1, "olive", Role.OPERATOR)
    T = footage.t0  # view ranges are real times (2000..2100)
    with system.db.session() as s:
        with pytest.raises(ValidationError):
            ledger.open(s, who, "TC-001", T, T + S, "")
        g1, new1 = ledger.open(s, who, "TC-001", T, T + 10 * S, "INC-9 fight")
        g2, new2 = ledger.open(s, who, "TC-001", T + 2 * S, T + 3 * S, "INC-9 fight")
        clock.advance(SITTING_S + 1)
        g3, new3 = ledger.open(s, who, "TC-001", T + 2 * S, T + 3 * S, "INC-9 fight")
    assert (new1, new2, new3) == (True, False, True) and g1 is g2 and g3 is not g1
    with pytest.raises(Forbidden):
        ledger.check(g1.token, who, "TC-001", T, T + S)  # expired with its sitting
    ledger.check(g3.token, who, "TC-001", T + 2 * S, T + 3 * S)
    with pytest.raises(Forbidden):
        ledger.check(g3.token, who, "TC-002", T + 2 * S, T + 3 * S)
