"""Fan-out never blocks the publisher; fMP4 box helpers agree with what ffmpeg writes."""

from __future__ import annotations

import struct
from pathlib import Path

from watchkeeper.recording.fanout import Fanout
from watchkeeper.recording.fmp4 import BoxScanner, pack_index, scan_file, unpack_index


def test_slow_subscriber_skips_to_next_keyframe_and_publisher_never_blocks() -> None:
    fan: Fanout[tuple[int, bool]] = Fanout(lambda p: p[1], maxsize=4, max_skips=100)
    sub = fan.subscribe()
    for i in range(12):  # keyframe every 5: nobody reads, the queue overflows
        fan.publish((i, i % 5 == 0))
    got = []
    while (item := sub.get(timeout=0)) is not None:
        got.append(item)
    assert got[0][1], "after a skip the subscriber restarts on a keyframe"
    assert sub.skipped > 0


def test_subscriber_that_keeps_falling_behind_is_closed() -> None:
    fan: Fanout[tuple[int, bool]] = Fanout(lambda p: p[1], maxsize=2, max_skips=3)
    sub = fan.subscribe()
    for i in range(40):
        fan.publish((i, i % 4 == 0))
    assert sub.closed and fan.subscribers == 0


def test_subscriber_that_keeps_up_gets_everything_after_first_keyframe() -> None:
    fan: Fanout[tuple[int, bool]] = Fanout(lambda p: p[1], maxsize=8)
    sub = fan.subscribe()
    out = []
    for i in range(1, 20):
        fan.publish((i, i % 5 == 0))
        while (item := sub.get(timeout=0)) is not None:
            out.append(item[0])
    assert out == list(range(5, 20))


def test_index_round_trip() -> None:
    entries = [(0, 10, 0, True), (2**40, 2**31, 59_999_999, False)]
    assert unpack_index(pack_index(entries)) == entries
    assert len(pack_index(entries)) == 21 * 2


def test_scanner_agrees_with_whole_file_scan_across_chunk_boundaries(recorded_file: Path) -> None:
    data = recorded_file.read_bytes()
    whole = scan_file(recorded_file)
    for chunk in (1, 7, 4096):
        sc = BoxScanner()
        for i in range(0, len(data), chunk):
            sc.feed(data[i : i + chunk])
        assert sc.fragments == whole.fragments
        assert sc.init == whole.init
    assert whole.valid_end == whole.size
    assert all(f.keyframe for f in whole.fragments)
    for f in whole.fragments:  # each fragment is a moof followed by its mdat
        assert data[f.offset + 4 : f.offset + 8] == b"moof"
        moof = struct.unpack(">I", data[f.offset : f.offset + 4])[0]
        assert data[f.offset + moof + 4 : f.offset + moof + 8] == b"mdat"


def test_truncated_file_keeps_complete_fragments(recorded_file: Path, tmp_path: Path) -> None:
    data = recorded_file.read_bytes()
    whole = scan_file(recorded_file)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: whole.fragments[-1].offset + 100])
    part = scan_file(cut)
    assert part.fragments == whole.fragments[:-1]
    assert part.valid_end == whole.fragments[-1].offset
