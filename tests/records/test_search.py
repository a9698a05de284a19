"""One search function, same answers on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest

from watchkeeper.errors import Forbidden
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.search import SearchQuery, search_incidents
from watchkeeper.records.vocab import Outcome, Source

from .conftest import World

T0 = 1_767_225_600_000_000  # 2026-01-01, the fake clock's start


def _seed(w: World) -> dict[str, str]:
    svc = w.system.incidents
    refs = {}
    with w.session() as s:
        a = svc.create(
            s,
            w.operator,
            IncidentDraft(
                "violence",
                Source.POLICE,
                "Fighting outside the Crown pub",
                area_id="high-st",
                police_ref="CAD-4471",
            ),
        )
        svc.add_action(s, w.operator, a.ref, "Zoomed TC-002 on the suspect in a red jacket")
        svc.mark_cameras(s, w.operator, a.ref, ["TC-002"], T0 + 1, T0 + 2)
        svc.set_outcomes(s, w.operator, a.ref, [Outcome.ARREST])
        refs["fight"] = a.ref
        w.clock.advance(3600)
        b = svc.create(
            s,
            w.operator2,
            IncidentDraft(
                "theft",
                Source.SHOPWATCH,
                "Shoplifter leaving Boots with razors",
                area_id="market-sq",
                scheme_ref="DISC-99812",
            ),
        )
        refs["theft"] = b.ref
        w.clock.advance(3600)
        c = svc.create(
            s,
            w.operator,
            IncidentDraft("medical_welfare", Source.OPERATOR, "Man collapsed near the market"),
        )
        svc.add_officer(s, w.operator, c.ref, "PC Jane Doe", "5521")
        refs["medical"] = c.ref
    return refs


def _find(w: World, **kw: object) -> list[str]:
    with w.session() as s:
        return [i.ref for i in search_incidents(s, w.police, SearchQuery(**kw))]  # type: ignore[arg-type]


def test_words_in_fields_and_timeline_are_found_on_both_databases(any_world: World) -> None:
    refs = _seed(any_world)
    assert _find(any_world, text="crown") == [refs["fight"]]
    assert _find(any_world, text="red jacket") == [refs["fight"]]
    assert _find(any_world, text="razor") == [refs["theft"]]  # prefix match
    assert _find(any_world, text="fight") == [refs["fight"]]  # stem of "Fighting"
    assert _find(any_world, text="DISC-99812") == [refs["theft"]]
    assert _find(any_world, text="5521") == [refs["medical"]]
    assert _find(any_world, text="market") == [refs["medical"], refs["theft"]]
    assert _find(any_world, text="crown razors") == []
    assert _find(any_world, text=refs["theft"]) == [refs["theft"]]
    assert _find(any_world, text='"; DROP TABLE incident; --') == []


def test_filters_narrow_with_or_without_words(any_world: World) -> None:
    refs = _seed(any_world)
    assert _find(any_world) == [refs["medical"], refs["theft"], refs["fight"]]
    assert _find(any_world, category_id="theft") == [refs["theft"]]
    assert _find(any_world, area_id="high-st") == [refs["fight"]]
    assert _find(any_world, camera_id="TC-002") == [refs["fight"]]
    assert _find(any_world, source="shopwatch") == [refs["theft"]]
    assert _find(any_world, outcome="arrest") == [refs["fight"]]
    assert _find(any_world, operator="op2") == [refs["theft"]]
    start = any_world.clock.now_us() - 5400 * 10**6
    assert _find(any_world, from_us=start) == [refs["medical"], refs["theft"]]
    assert _find(any_world, text="market", category_id="theft") == [refs["theft"]]
    assert _find(any_world, limit=1, offset=1) == [refs["theft"]]


def test_search_needs_the_right_to_view_incidents(world: World) -> None:
    with world.session() as s, pytest.raises(Forbidden):
        search_incidents(s, world.partner, SearchQuery(text="x"))
