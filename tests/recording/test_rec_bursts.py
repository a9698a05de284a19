"""True times after a network stall: frames delivered late, in a burst, keep the camera's spacing.

A TCP stall holds a camera's packets back and then delivers the backlog all at once. The
frames were captured at the camera's pace, so their wall times come from the camera's media
clock (anchored once), never from their late arrival; no frame is dated after it arrived;
every segment's indexed span equals its media duration. On a fake clock, stalls of 1-10 s,
then once through real RTSP with a TCP relay that really stalls.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest
from rec_helpers import add_cameras
from sqlalchemy import select
from test_rec_rtsp_faults import _skip_or_fail, _wait_streaming
from tests.simulate.conftest import small_config

from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.models import Segment, StreamEvent
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.segments import SegmentWriter
from watchkeeper.recording.service import RecorderService
from watchkeeper.recording.store import FinishedSegment
from watchkeeper.recording.timestamps import Action, PacketInfo, TimestampValidator
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.footage import cache_dir
from watchkeeper.simulate.rig import Rig
from watchkeeper.timeutil import US_PER_S, FakeClock, SystemClock

LATENCY_US = 30_000
BURST_STEP_US = 2_000  # the backlog arrives 2 ms apart


def _replay(
    clip: Path, root: Path, stall_at_s: float, stall_s: float, loops: int = 3
) -> tuple[list[tuple[int, int, int]], list[FinishedSegment], list[str]]:
    """Play the clip as a camera whose packets are held back for ``stall_s`` from
    ``stall_at_s`` (media seconds) and then arrive in a burst. Returns (media µs, received
    µs, wall µs) of kept packets, the finished segments and the reasons of new runs."""
    clock = FakeClock()
    t0 = clock.now_us()
    cfg = RecorderConfig(segment_seconds=4, stagger=False)
    got: list[FinishedSegment] = []
    writer = SegmentWriter(root, StreamKey("TC-001", "main"), cfg, got.append)
    src = file_opener()(str(clip))
    src_tb = src.template.time_base
    tb = Fraction(src_tb.numerator, src_tb.denominator)
    writer.start_connection(src.template)
    v = TimestampValidator(
        tb, cfg.max_gap_s, cfg.stall_seconds, cfg.max_missing_dts, cfg.max_drift_ms * 1000
    )
    stall_from = t0 + int(stall_at_s * US_PER_S)
    release = stall_from + int(stall_s * US_PER_S)
    kept: list[tuple[int, int, int]] = []
    runs: list[str] = []
    first: int | None = None
    burst = 0
    for p in src.packets():
        assert p.dts is not None
        first = p.dts if first is None else first
        media = int((p.dts - first) * tb * US_PER_S)
        rx = t0 + media + LATENCY_US
        if stall_from <= rx < release:
            rx = release + burst * BURST_STEP_US
            burst += 1
        rx = max(rx, clock.now_us())
        clock.set(rx)
        st = v.check(PacketInfo(p.dts, p.pts, p.is_keyframe, clock.now_us()))
        if st.action is Action.NEW_RUN:
            runs.append(st.reason)
        if st.action in (Action.ACCEPT, Action.NEW_RUN):
            assert st.wall_us is not None
            kept.append((media, clock.now_us(), st.wall_us))
            writer.write(p, st)
    src.close()
    writer.close()
    assert burst > 10, "the stall really held packets back"
    return kept, got, runs


@pytest.mark.parametrize("stall_s", [1.0, 2.5, 4.3, 7.0, 10.0])
def test_backlog_after_a_stall_keeps_the_cameras_timing(
    clip: Path, tmp_path: Path, stall_s: float
) -> None:
    kept, segs, runs = _replay(clip, tmp_path, stall_at_s=3.1, stall_s=stall_s)
    assert runs == ["first packet"], "a late burst is not a new run"
    t_first = kept[0][2]
    for media, rx, wall in kept:
        assert wall <= rx, f"a frame dated {wall - rx} µs after it arrived"
        assert abs((wall - t_first) - media) <= 1, "frames keep the camera's own spacing"
    for s in segs:
        assert s.end_us - s.start_us == s.media_duration_us, (s.start_us, s.end_us)
    last_rx = kept[-1][1]
    assert segs[-1].end_us <= last_rx + 70_000, "nothing is dated after the stream ended"
    assert sum(s.frames for s in segs) == len(kept)


class StallingRelay:
    """A TCP relay in front of the simulator that can hold the camera's bytes back for a
    while and then deliver the backlog at once: a real network stall, as TCP makes one."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._up = upstream
        self._srv = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._srv.getsockname()[1])
        self._held_until = 0.0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self, seconds: float) -> None:
        self._held_until = time.monotonic() + seconds

    def close(self) -> None:
        self._closed = True
        self._srv.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._srv.accept()
            except OSError:
                return
            up = socket.create_connection(self._up)
            threading.Thread(target=self._pump, args=(client, up, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, holdable: bool) -> None:
        backlog = bytearray()
        src.settimeout(0.02)
        try:
            while not self._closed:
                with contextlib.suppress(TimeoutError):
                    data = src.recv(65536)
                    if not data:
                        break
                    backlog += data
                if backlog and not (holdable and time.monotonic() < self._held_until):
                    dst.sendall(backlog)
                    backlog.clear()
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def test_real_rtsp_tcp_stall_keeps_times_true(tmp_path: Path) -> None:
    """A 3 s TCP stall through real RTSP: the backlog keeps the camera's timing, no segment
    is squeezed or stretched, nothing is dated after the recorder stopped, and no gap is
    reported where no video was lost."""
    _skip_or_fail()
    cfg = RecorderConfig(
        segment_seconds=3, stagger=False, stall_seconds=6, open_timeout_s=3, offline_after_s=10
    )
    with Rig(small_config(cache_dir() / "tests", CameraSpec(name="k1", main="360p"))) as rig:
        url = rig.camera("k1").main_url
        host, port = url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
        relay = StallingRelay((host, int(port)))
        db = Database(f"sqlite:///{tmp_path / 'wk.db'}")
        upgrade(db.engine)
        add_cameras(db, ("k1",), url.replace(f":{port}/", f":{relay.port}/"))
        clock = SystemClock()
        service = RecorderService(db, tmp_path / "rec", cfg, clock)
        service.start()
        try:
            _wait_streaming(service)
            time.sleep(4)
            relay.hold(3.0)
            time.sleep(9)
        finally:
            service.stop()
            relay.close()
        stopped = clock.now_us()
    with db.session() as s:
        segs = list(s.execute(select(Segment).order_by(Segment.start_us)).scalars())
        reasons = [e.reason for e in s.execute(select(StreamEvent)).scalars()]
    assert len(segs) >= 4
    assert not any("drift" in r or "ahead" in r for r in reasons), reasons
    for x, nxt in itertools.pairwise([*segs, None]):
        if x.end_us - x.start_us == x.media_duration_us:
            continue
        # the one exception the time model allows (rule 6): a run re-anchored because its
        # clock got ahead of arrival, with no room to move this segment back, ends where
        # the next run begins, short by that correction
        assert nxt is not None and nxt.discontinuity and nxt.start_us == x.end_us, x.path
        assert 0 < x.media_duration_us - (x.end_us - x.start_us) <= 250_000, x.path
    # nothing is dated after the stop: the last frame starts before it (its own display
    # interval, one frame, may reach past the stop when it arrived just before it)
    last = segs[-1]
    assert last.end_us - last.media_duration_us // last.frames <= stopped
    holes = [b.start_us - a.end_us for a, b in itertools.pairwise(segs)]
    assert max(holes) < 100_000, f"a gap where no video was lost: {holes}"
    assert not any("drift" in r or "ahead" in r for r in reasons), reasons
    db.dispose()
