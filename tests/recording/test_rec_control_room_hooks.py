"""What the recorder feeds the control-room records: offline faults, daily-check counts."""

from __future__ import annotations

from rec_helpers import init_row, segment_row
from sqlalchemy import select
from tests.foundation.helpers import load_small_register

from watchkeeper.recording.health import RecordedHealth
from watchkeeper.recording.models import StreamEvent, StreamState
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.store import EventLog
from watchkeeper.records.faults import camera_offline
from watchkeeper.records.log_models import Fault, FaultEvent
from watchkeeper.system import System


def test_offline_event_opens_one_fault_and_adds_to_it(system: System) -> None:
    load_small_register(system)
    events = EventLog(system.db, camera_offline)
    main, sub = StreamKey("TC-001", "main"), StreamKey("TC-001", "sub")
    events(main, StreamState.CONNECTING, 1_000, "starting")
    events(sub, StreamState.OFFLINE, 2_000, "sub-stream refused")
    events(main, StreamState.OFFLINE, 3_000, "connection refused for 30 s")
    events(main, StreamState.STREAMING, 4_000, "back")
    events(main, StreamState.OFFLINE, 5_000, "no route to host")
    with system.db.session() as s:
        faults = s.scalars(select(Fault)).all()
        assert [(f.camera_id, f.reported_us) for f in faults] == [("TC-001", 3_000)]
        notes = s.scalars(select(FaultEvent.text).order_by(FaultEvent.at_us)).all()
        assert notes == [
            "camera offline: connection refused for 30 s",
            "camera offline: no route to host",
        ]
        assert len(s.scalars(select(StreamEvent)).all()) == 5


def test_daily_check_counts_come_from_the_recorder(system: System) -> None:
    load_small_register(system)  # TC-001 and RP-001 are active, TC-002 and BK-001 are not
    now = system.clock.now_us()
    events = EventLog(system.db)
    events(StreamKey("TC-001", "main"), StreamState.OFFLINE, now - 9_000_000, "refused")
    events(StreamKey("TC-001", "main"), StreamState.STREAMING, now - 8_000_000, "back")
    events(StreamKey("RP-001", "main"), StreamState.STREAMING, now - 7_000_000, "up")
    events(StreamKey("RP-001", "main"), StreamState.STALLED, now - 1_000_000, "no packets")
    with system.db.session() as s:
        s.add(init_row())
        s.flush()
        s.add(segment_row(start_us=now - 60_000_000, end_us=now - 1_000_000, created_us=now))
    with system.db.session() as s:
        summary = RecordedHealth(system.clock).summary(s)
    assert summary is not None
    assert (summary.total, summary.online, summary.recording) == (2, 1, 1)


def test_no_recorder_yet_means_unknown(system: System) -> None:
    load_small_register(system)
    with system.db.session() as s:
        assert RecordedHealth(system.clock).summary(s) is None
