"""The radio log: who sees which entries, linking, and one-step conversion."""

from __future__ import annotations

import pytest

from watchkeeper.errors import Conflict, Forbidden, NotFound
from watchkeeper.records.vocab import Channel

from .conftest import World


def test_partner_member_sees_and_writes_only_its_own_entries(world: World) -> None:
    radio = world.system.radio
    with world.session() as s:
        mine = radio.add(s, world.partner, Channel.SHOPWATCH, "", "two lads taking razors")
        theirs = radio.add(s, world.partner2, Channel.SHOPWATCH, "", "known shoplifter in")
        ops = radio.add(s, world.operator, Channel.AIRWAVE, "Tango 21", "on scene High St")
    with world.session() as s:
        assert [e.id for e in radio.list(s, world.partner)] == [mine.id]
        assert mine.caller == "Corner Shop"
        assert {e.id for e in radio.list(s, world.operator)} == {mine.id, theirs.id, ops.id}
        with pytest.raises(NotFound):
            radio.get(s, world.partner, theirs.id)
        with pytest.raises(NotFound):
            radio.get(s, world.partner, ops.id)


def test_partner_member_cannot_use_other_channels_or_touch_incidents(world: World) -> None:
    radio = world.system.radio
    with world.session() as s, pytest.raises(Forbidden):
        radio.add(s, world.partner, Channel.AIRWAVE, "", "pretending to be police")
    with world.session() as s:
        entry = radio.add(s, world.partner, Channel.SHOPWATCH, "", "suspect heading north")
    with world.session() as s, pytest.raises(Forbidden):
        radio.to_incident(s, world.partner, entry.id, "theft")
    with world.session() as s, pytest.raises(Forbidden):
        world.system.incidents.get(s, world.partner, "2026-000001")


def test_radio_entry_becomes_an_incident_in_one_step(world: World) -> None:
    radio = world.system.radio
    with world.session() as s:
        entry = radio.add(s, world.partner, Channel.SHOPWATCH, "", "shoplifter, grey hoodie")
    world.clock.advance(60)
    with world.session() as s:
        inc = radio.to_incident(s, world.operator, entry.id, "theft")
        ref = inc.ref
    with world.session() as s:
        inc = world.system.incidents.get(s, world.operator, ref)
        assert inc.source == "shopwatch"
        assert inc.summary == "shoplifter, grey hoodie"
        assert inc.opened_us == entry.at_us
        assert "grey hoodie" in inc.entries[-1].text
        assert radio.get(s, world.operator, entry.id).incident_id == inc.id
    with world.session() as s, pytest.raises(Conflict):
        radio.to_incident(s, world.operator, entry.id, "theft")


def test_operator_links_a_call_to_an_existing_incident(world: World) -> None:
    radio = world.system.radio
    with world.session() as s:
        first = radio.add(s, world.operator, Channel.AIRWAVE, "Tango 21", "fight at the Crown")
        ref = radio.to_incident(s, world.operator, first.id, "violence").ref
        later = radio.add(
            s, world.operator, Channel.AIRWAVE, "Tango 21", "one detained", incident_ref=ref
        )
    with world.session() as s:
        inc = world.system.incidents.get(s, world.operator, ref)
        assert later.incident_id == inc.id
        assert inc.entries[-1].text.endswith("one detained")
