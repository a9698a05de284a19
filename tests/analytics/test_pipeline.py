"""Motion on a recorded camera's sub-stream through the recorder's fan-out (real footage)."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from sqlalchemy import select

from tests.analytics.conftest import CAMERA
from tests.analytics.helpers import wait_for
from watchkeeper.analytics.models import MotionSpanRow
from watchkeeper.analytics.pipeline import AnalyserConfig, CameraAnalyser
from watchkeeper.analytics.service import AnalyticsService
from watchkeeper.analytics.spans import MotionSpan
from watchkeeper.analytics.store import set_zone
from watchkeeper.recording.fanout import Fanout
from watchkeeper.recording.supervisor import LivePacket
from watchkeeper.system import System
from watchkeeper.timeutil import SystemClock

FAST = AnalyserConfig(quiet_s=1.0, max_span_s=3.0)


def _spans(system: System, zone: str) -> list[MotionSpanRow]:
    with system.db.session() as s:
        rows = list(s.scalars(select(MotionSpanRow).where(MotionSpanRow.zone == zone)))
        s.expunge_all()
        return rows


def test_motion_where_people_walk_and_not_in_a_masked_zone(recording_system: System) -> None:
    system = recording_system
    now = system.clock.now_us()
    with system.db.session() as s:
        # vtest's pedestrians walk across the whole plaza; the top-left corner is masked,
        # and a zone drawn inside the mask can never see motion
        set_zone(s, CAMERA, "plaza", "zone", [[0, 0.3], [1, 0.3], [1, 1], [0, 1]], 0.002, "t", now)
        set_zone(
            s, CAMERA, "corner", "mask", [[0, 0], [0.4, 0], [0.4, 0.5], [0, 0.5]], 0.5, "t", now
        )
        set_zone(
            s, CAMERA, "hidden", "zone", [[0.05, 0.05], [0.3, 0.05], [0.3, 0.4]], 0.0001, "t", now
        )
    assert system.recorder is not None
    service = AnalyticsService(system.db, system.clock, system.recorder, config=FAST)
    service.start()
    try:
        assert [h.stream for h in service.health()] == ["sub"]  # the sub-stream, not main
        rows = wait_for("a motion span in the plaza", lambda: _spans(system, "plaza"))
        span = rows[0]
        assert span.end_us > span.start_us >= now
        assert span.thumbnail is not None and span.thumbnail[:2] == b"\xff\xd8"
        assert service.health()[0].frames > 0
    finally:
        service.stop()
    assert _spans(system, "hidden") == []
    with system.db.session() as s:
        spans = list(
            s.execute(
                select(MotionSpanRow.start_us, MotionSpanRow.end_us)
                .where(MotionSpanRow.zone == "plaza")
                .order_by(MotionSpanRow.start_us)
            )
        )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "spans overlap"


class _Blocked:
    """An outbox that blocks the analyser until released, as a stuck database would."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def span_opened(self, span: MotionSpan) -> None:
        self.gate.wait()

    def span_closed(self, span: MotionSpan, zones: Any) -> None:
        self.gate.wait()

    def presence(self, p: Any) -> None:
        self.gate.wait()

    def tamper(self, camera_id: str, event: Any) -> None:
        self.gate.wait()


class _Source:
    def __init__(self) -> None:
        self.fanout: Fanout[LivePacket] = Fanout(lambda p: p.keyframe, 256)
        self.template: Any = None


def test_a_stuck_analyser_never_blocks_the_publisher_and_counts_drops() -> None:
    source = _Source()
    out = _Blocked()
    analyser = CameraAnalyser(CAMERA, source, [], out, SystemClock(), AnalyserConfig(queue=8))
    analyser._packet = lambda lp: out.gate.wait()  # type: ignore[method-assign]
    stop = threading.Event()
    t = threading.Thread(target=analyser.run, args=(stop,), daemon=True)
    t.start()
    wait_for("the subscription", lambda: source.fanout.subscribers)
    for i in range(2000):  # the recorder's side: must return at once every time
        source.fanout.publish(LivePacket(None, i, i, i % 10 == 0, i, 0))
    assert analyser.dropped > 1000
    stop.set()
    out.gate.set()
    t.join(5)
    assert not t.is_alive()
