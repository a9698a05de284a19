"""An open incident's footage holds are extended before they lapse, each extension audited;
a closed incident's are not; the recorder runs the pass before each purge and skips the purge
when the pass fails (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from sqlalchemy import select

from watchkeeper.audit.models import AuditEntry
from watchkeeper.recording.models import RecordingHold
from watchkeeper.recording.service import RecorderService
from watchkeeper.records.hold_keeper import HOLD_KEEPER, extend_open_incident_holds
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Outcome, Source
from watchkeeper.system import keep_incident_holds
from watchkeeper.timeutil import US_PER_DAY, US_PER_S
from watchkeeper.web.overview import expiring_holds

from .conftest import World


def _incident_with_hold(w: World, summary: str) -> str:
    now = w.clock.now_us()
    draft = IncidentDraft(category_id="violence", source=Source.POLICE, summary=summary)
    with w.session() as s:
        ref = w.system.incidents.create(s, w.operator, draft).ref
        w.system.incidents.mark_cameras(s, w.operator, ref, ["TC-001", "TC-002"],
                                        now - 600 * US_PER_S, now)  # fmt: skip
    return ref


def _holds(w: World, ref: str) -> list[RecordingHold]:
    with w.session() as s:
        q = select(RecordingHold).where(RecordingHold.reference == ref).order_by(RecordingHold.id)
        return list(s.scalars(q))


def test_open_incident_holds_are_extended_and_audited(any_world: World) -> None:
    w = any_world
    open_ref = _incident_with_hold(w, "fight outside the Crown")
    closed_ref = _incident_with_hold(w, "shoplifting, suspect gone")
    with w.session() as s:
        w.system.incidents.set_outcomes(s, w.operator, closed_ref, [Outcome.NO_FURTHER_ACTION])
        w.system.incidents.close(s, w.operator, closed_ref)
    first = _holds(w, open_ref)[0].expires_us
    assert first is not None
    with w.session() as s:  # far from lapsing: nothing to do
        assert extend_open_incident_holds(s, w.clock, 7, 30) == []
    # days pass until the holds are within the reminder window
    w.clock.advance((first - w.clock.now_us()) // US_PER_S - 5 * 86_400)
    with w.session() as s:
        due = {h.reference for h in expiring_holds(s, w.clock.now_us(), 7)}
        assert due == {open_ref, closed_ref}  # both would be reminded of
        done = extend_open_incident_holds(s, w.clock, 7, 30)
    assert sorted(e.incident_ref for e in done) == [open_ref, open_ref]
    assert all(e.new_expires_us == e.old_expires_us + 30 * US_PER_DAY for e in done)
    assert {h.expires_us for h in _holds(w, open_ref)} == {first + 30 * US_PER_DAY}
    assert {h.expires_us for h in _holds(w, closed_ref)} == {first}  # closed: left to lapse
    with w.session() as s:
        assert extend_open_incident_holds(s, w.clock, 7, 30) == []  # once per approach
        due = {h.reference for h in expiring_holds(s, w.clock.now_us(), 7)}
        assert due == {closed_ref}
        rows = list(
            s.scalars(select(AuditEntry).where(AuditEntry.action == "recording.hold.extend"))
        )
    assert len(rows) == 2 and all(r.username == HOLD_KEEPER.username for r in rows)
    assert {r.object_id for r in rows} == {str(h.id) for h in _holds(w, open_ref)}
    assert all(open_ref in r.reason and json.loads(r.details)["incident"] == open_ref for r in rows)
    # a hold that lapsed while nothing ran is brought back from now
    w.clock.advance(40 * 86_400)
    with w.session() as s:
        done = extend_open_incident_holds(s, w.clock, 7, 30)
    assert {e.new_expires_us for e in done} == {w.clock.now_us() + 30 * US_PER_DAY}


def test_recorder_runs_the_pass_before_purging_and_waits_when_it_fails(
    world: World, tmp_path: Path
) -> None:
    assert keep_incident_holds(world.system) is True  # the hook start_recorder installs
    calls: list[str] = []

    def failing() -> bool:
        calls.append("pass")
        return False

    recorder = RecorderService(world.system.db, tmp_path / "rec", clock=world.clock,
                               before_purge=failing)  # fmt: skip
    (tmp_path / "rec").mkdir()
    # TEST DOUBLE: count purges instead of deleting (there is nothing to delete here)
    recorder.retention.purge_expired = lambda: calls.append("purge") or 0  # type: ignore[method-assign]
    housekeeping = threading.Thread(target=recorder._housekeeping)
    housekeeping.start()
    deadline = time.monotonic() + 10
    while "pass" not in calls and time.monotonic() < deadline:
        time.sleep(0.01)
    recorder._stop.set()
    housekeeping.join(10)
    assert "pass" in calls and "purge" not in calls
