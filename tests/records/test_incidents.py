"""The occurrence log's rules: references, lock on close, amendments, holds, audit."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from watchkeeper.audit.models import AuditEntry
from watchkeeper.errors import Conflict, Forbidden, ValidationError
from watchkeeper.recording.models import RecordingHold
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Outcome, Source

from .conftest import World

T0 = 1_767_225_600_000_000  # 2026-01-01, the fake clock's start


def _open(w: World, **kw: object) -> str:
    draft = IncidentDraft(
        category_id="violence", source=Source.POLICE, summary="fight outside", **kw
    )  # type: ignore[arg-type]
    with w.session() as s:
        return w.system.incidents.create(s, w.operator, draft).ref


def test_references_count_up_within_the_local_year(world: World) -> None:
    first = _open(world)
    second = _open(world)
    assert first == "2026-000001"
    assert second == "2026-000002"
    world.clock.set(1_798_761_600_000_000)  # 2027-01-01T00:00Z
    assert _open(world) == "2027-000001"


def test_concurrent_creation_never_repeats_a_reference(any_world: World) -> None:
    def one(_: int) -> str:
        return _open(any_world)

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(one, range(24)))
    assert sorted(refs) == [f"2026-{n:06d}" for n in range(1, 25)]


def test_unknown_category_and_future_opening_are_refused(world: World) -> None:
    with world.session() as s, pytest.raises(ValidationError, match="category"):
        world.system.incidents.create(
            s, world.operator, IncidentDraft(category_id="nope", source=Source.ALARM)
        )
    with world.session() as s, pytest.raises(ValidationError, match="future"):
        world.system.incidents.create(
            s,
            world.operator,
            IncidentDraft(
                category_id="fire", source=Source.ALARM, opened_us=world.clock.now_us() + 10**9
            ),
        )


def test_open_incident_takes_changes_as_timeline_entries(world: World) -> None:
    ref = _open(world)
    inc_svc = world.system.incidents
    with world.session() as s:
        inc_svc.update(
            s, world.operator2, ref, {"location": "outside the Crown", "police_ref": "CAD 123"}
        )
        inc_svc.add_action(s, world.operator, ref, "followed on TC-002", why="suspects left north")
        inc_svc.add_officer(s, world.operator, ref, "PC Smith", "4411")
    with world.session() as s:
        inc = inc_svc.get(s, world.police, ref)
        assert inc.location == "outside the Crown"
        kinds = [e.kind for e in inc.entries]
        assert kinds == ["open", "change", "action", "officer"]
        change = json.loads(inc.entries[1].details)
        assert change["location"] == ["", "outside the Crown"]
        assert inc.entries[2].reason == "suspects left north"
        assert inc.officers[0].collar_number == "4411"


def test_close_needs_an_outcome_then_locks(world: World) -> None:
    ref = _open(world)
    svc = world.system.incidents
    with world.session() as s, pytest.raises(ValidationError, match="outcome"):
        svc.close(s, world.operator, ref)
    with world.session() as s:
        svc.set_outcomes(s, world.operator, ref, [Outcome.ARREST, Outcome.POLICE_ATTENDED])
        inc = svc.close(s, world.operator, ref, "handed to police")
        assert inc.closed and inc.closed_us == world.clock.now_us()
    for attempt in (
        lambda s: svc.update(s, world.operator, ref, {"location": "x"}, reason="typo"),
        lambda s: svc.add_action(s, world.operator, ref, "late note", why="forgot"),
        lambda s: svc.set_outcomes(s, world.operator, ref, [Outcome.AMBULANCE], reason="r"),
        lambda s: svc.mark_cameras(s, world.operator, ref, ["TC-001"], T0 + 1, T0 + 2, reason="r"),
    ):
        with world.session() as s, pytest.raises(Forbidden):
            attempt(s)
    with world.session() as s, pytest.raises(Conflict):
        svc.close(s, world.operator, ref)


def test_supervisor_amends_a_closed_incident_with_a_reason_and_history_stays(world: World) -> None:
    ref = _open(world)
    svc = world.system.incidents
    with world.session() as s:
        svc.update(s, world.operator, ref, {"crime_ref": "CR/1"})
        svc.set_outcomes(s, world.operator, ref, [Outcome.NO_FURTHER_ACTION])
        svc.close(s, world.operator, ref)
    with world.session() as s, pytest.raises(ValidationError, match="reason"):
        svc.update(s, world.supervisor, ref, {"crime_ref": "CR/2"})
    world.clock.advance(3600)
    with world.session() as s:
        svc.update(s, world.supervisor, ref, {"crime_ref": "CR/2"}, reason="police corrected it")
        svc.add_action(s, world.supervisor, ref, "CPS charged", why="update from OIC")
    with world.session() as s:
        inc = svc.get(s, world.supervisor, ref)
        assert inc.crime_ref == "CR/2"
        assert inc.closed
        amend = [e for e in inc.entries if e.kind == "amendment"]
        assert [e.reason for e in amend] == ["police corrected it", "update from OIC"]
        assert json.loads(amend[0].details)["crime_ref"] == ["CR/1", "CR/2"]
        assert any("CR/1" in e.text for e in inc.entries if e.kind == "change")
        audit = s.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == ref).order_by(AuditEntry.seq)
        ).all()
        assert audit[0] == "incident.open"
        assert "incident.close" in audit
        assert audit[-2:] == ["incident.amendment", "incident.amendment"]


def test_timeline_is_append_only_in_the_database(any_world: World) -> None:
    ref = _open(any_world)
    for sql in ("UPDATE incident_entry SET text = 'x'", "DELETE FROM incident_entry"):
        with pytest.raises(Exception, match="append-only"), any_world.session() as s:
            s.execute(text(sql))
    with any_world.session() as s:
        inc = any_world.system.incidents.get(s, any_world.operator, ref)
        assert inc.entries[0].text == "fight outside"


def _holds(world: World) -> list[RecordingHold]:
    """The recording engine's hold rows, by camera."""
    with world.session() as s:
        return list(s.scalars(select(RecordingHold).order_by(RecordingHold.camera_id)))


def test_marking_spans_places_one_hold_under_the_incident_reference(world: World) -> None:
    ref = _open(world)
    svc = world.system.incidents
    now = world.clock.now_us()
    with world.session() as s:
        spans = svc.mark_cameras(
            s, world.operator, ref, ["TC-002", "TC-001"], now - 600_000_000, now, note="fight"
        )
    assert {sp.camera_id for sp in spans} == {"TC-001", "TC-002"}
    rows = _holds(world)
    assert [h.camera_id for h in rows] == ["TC-001", "TC-002"]
    hold_id = ",".join(str(h.id) for h in rows)
    assert spans[0].hold_id == hold_id
    for hold in rows:
        assert hold.reference == ref
        assert (hold.start_us, hold.end_us) == (now - 600_000_000, now)
        assert hold.expires_us == now + 90 * 86_400_000_000
        assert hold.holder == "op1"
        assert "Violence" in hold.reason
        assert hold.released_us is None
    with world.session() as s:
        inc = svc.get(s, world.operator, ref)
        assert [c.hold_id for c in inc.cameras] == [hold_id, hold_id]
        assert inc.entries[-1].kind == "camera"


def test_bad_spans_are_refused_before_any_hold(world: World) -> None:
    ref = _open(world)
    svc = world.system.incidents
    with world.session() as s, pytest.raises(ValidationError, match="end after"):
        svc.mark_cameras(s, world.operator, ref, ["TC-001"], T0 + 10, T0 + 5)
    with world.session() as s, pytest.raises(ValidationError, match="no camera"):
        svc.mark_cameras(s, world.operator, ref, ["XX-9"], T0 + 1, T0 + 5)
    assert _holds(world) == []


def test_only_a_supervisor_releases_a_hold_and_must_say_why(world: World) -> None:
    ref = _open(world)
    svc = world.system.incidents
    with world.session() as s:
        hold_id = svc.mark_cameras(s, world.operator, ref, ["TC-003"], T0 + 1, T0 + 5)[0].hold_id
    with world.session() as s, pytest.raises(Forbidden):
        svc.release_hold(s, world.operator, ref, hold_id, "not needed")
    with world.session() as s, pytest.raises(ValidationError, match="reason"):
        svc.release_hold(s, world.supervisor, ref, hold_id, "  ")
    assert [h.released_us for h in _holds(world)] == [None]
    with world.session() as s:
        svc.release_hold(s, world.supervisor, ref, hold_id, "police declined footage")
    [hold] = _holds(world)
    assert hold.released_by == "sup1" and hold.release_reason == "police declined footage"
    with world.session() as s:
        span = svc.get(s, world.operator, ref).cameras[0]
        assert span.released_by == "sup1"
        assert span.release_reason == "police declined footage"
        released = s.scalar(select(AuditEntry).where(AuditEntry.action == "incident.hold_release"))
        assert released is not None and released.reason == "police declined footage"
    with world.session() as s, pytest.raises(Conflict):
        svc.release_hold(s, world.supervisor, ref, hold_id, "again")


def test_police_liaison_reads_but_cannot_write(world: World) -> None:
    ref = _open(world)
    with world.session() as s:
        assert world.system.incidents.get(s, world.police, ref).ref == ref
    with world.session() as s, pytest.raises(Forbidden):
        world.system.incidents.add_action(s, world.police, ref, "x")
    with world.session() as s:
        n = s.scalar(select(Incident.id).where(Incident.ref == ref))
        assert n is not None


def test_categories_are_configurable_and_retired_ones_stay_on_old_incidents(
    world: World,
) -> None:
    from watchkeeper.records.categories import save_category

    with world.session() as s, pytest.raises(Forbidden):
        save_category(s, world.operator, "begging", "Begging", world.clock)
    with world.session() as s:
        save_category(s, world.supervisor, "begging", "Begging", world.clock, sort=35)
    ref = _open(world)
    with world.session() as s:
        save_category(s, world.supervisor, "violence", "Violence", world.clock, active=False)
    with world.session() as s:
        ids = [c.id for c in world.system.incidents.categories(s)]
        assert "begging" in ids and "violence" not in ids
        assert world.system.incidents.get(s, world.operator, ref).category.name == "Violence"
    with world.session() as s, pytest.raises(ValidationError, match="category"):
        world.system.incidents.create(
            s, world.operator, IncidentDraft(category_id="violence", source=Source.POLICE)
        )
