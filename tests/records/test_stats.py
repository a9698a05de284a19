"""Statistics: counts by category, area, month, hour of week, source, outcome; CSV."""

from __future__ import annotations

import csv
import io

import pytest

from watchkeeper.errors import Forbidden
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.stats import incident_stats, to_csv
from watchkeeper.records.vocab import Outcome, Source
from watchkeeper.timeutil import parse_local

from .conftest import World

# The counts use no deprecated SQLAlchemy API (``Result.tuples()`` warned in every run).
pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SADeprecationWarning")


def test_counts_are_local_time_and_exported_as_csv(world: World) -> None:
    svc = world.system.incidents
    # Friday 2026-06-05 23:30 BST is 22:30 UTC: counted as Fri 23, June.
    fri = parse_local("2026-06-05T23:30")
    sat = parse_local("2026-06-06T01:15")
    world.clock.set(sat + 3600 * 10**6)
    with world.session() as s:
        a = svc.create(
            s,
            world.operator,
            IncidentDraft("violence", Source.POLICE, area_id="high-st", opened_us=fri),
        )
        svc.set_outcomes(s, world.operator, a.ref, [Outcome.ARREST])
        svc.create(
            s,
            world.operator,
            IncidentDraft("violence", Source.OPERATOR, area_id="market-sq", opened_us=sat),
        )
        svc.create(s, world.operator, IncidentDraft("drugs", Source.POLICE, opened_us=sat))
    with world.session() as s:
        st = incident_stats(s, world.supervisor, fri - 1, sat + 1)
    assert st.total == 3
    assert st.by_category == {"Violence": 2, "Drugs": 1}
    assert st.by_area == {"High Street": 1, "Market Square": 1, "(none)": 1}
    assert st.by_month == {"2026-06": 3}
    assert st.by_hour_of_week == {"Fri 23": 1, "Sat 01": 2}
    assert st.by_source == {"police": 2, "operator": 1}
    assert st.by_outcome == {"arrest": 1}
    rows = list(csv.reader(io.StringIO(to_csv(st))))
    assert rows[0] == ["measure", "key", "value"]
    assert ["category", "Violence", "2"] in rows
    assert ["hour_of_week", "Fri 23", "1"] in rows


def test_operators_do_not_see_statistics(world: World) -> None:
    with world.session() as s, pytest.raises(Forbidden):
        incident_stats(s, world.operator, 0, 1)
