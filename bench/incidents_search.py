"""Benchmark: ten years of incidents (90,000 with timeline entries), search and create.

Targets (DESIGN.md section 6): search and filtered listing p95 < 50 ms; creating an
incident (with its audit entry and index document, committed) < 20 ms.

    PYTHONPATH=src python bench/incidents_search.py            # SQLite and PostgreSQL
    PYTHONPATH=src python bench/incidents_search.py --only sqlite --incidents 20000

PostgreSQL is used at ``--pg`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
in a scratch database that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from watchkeeper.audit.service import Actor
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.models import Area, Camera, CameraKind, Site
from watchkeeper.config.settings import Settings
from watchkeeper.records.incident_models import (
    Incident,
    IncidentCamera,
    IncidentEntry,
    IncidentOutcome,
)
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.search import SearchQuery, document_text, search_incidents
from watchkeeper.records.vocab import DEFAULT_CATEGORIES, Outcome, Source
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import US_PER_DAY, SystemClock

START_US = 1_483_228_800_000_000  # 2017-01-01
STREETS = [
    f"{a} {b}"
    for a in (
        "High",
        "Market",
        "Church",
        "Station",
        "Mill",
        "Bridge",
        "King",
        "Queen",
        "Park",
        "London",
    )
    for b in ("Street", "Road", "Lane", "Square")
]
VENUES = [
    "Crown",
    "Red Lion",
    "Boots",
    "Tesco",
    "Greggs",
    "Wetherspoons",
    "Argos",
    "Co-op",
    "Bus station",
    "Library",
    "Car park",
    "Kebab shop",
    "Nightclub",
]
WORD_TEXT = (
    "male female youth group couple cyclist driver dog jacket hoodie cap trainers red "
    "blue black grey white green bag rucksack bottle knife phone bike scooter van taxi "
    "shouting fighting running pushing kicking arguing drinking smoking loitering "
    "begging collapsed injured crying lost confused climbing throwing smashing window "
    "door shutter alarm ambulance paramedics officers dispersed detained arrested "
    "searched followed tracked zoomed lost sight regained northbound southbound "
    "entrance exit alley doorway bench fountain cashpoint"
)
WORDS = WORD_TEXT.split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _seed_register(system: System) -> Principal:
    with system.db.session() as s:
        s.add(Site(id="tc", name="Town"))
        for n, street in enumerate(STREETS):
            s.add(Area(id=f"a{n}", site_id="tc", name=street))
        s.flush()
        for n in range(138):
            s.add(
                Camera(
                    id=f"C-{n:03d}",
                    name=f"Camera {n}",
                    area_id=f"a{n % len(STREETS)}",
                    kind=CameraKind.PTZ,
                    updated_us=0,
                )
            )
        user = system.users.create(
            s, UserSpec("bench", "supervisor", password="x" * 12), Actor.system()
        )
        return Principal(user.id, "bench", Role.SUPERVISOR)


def generate(system: System, who: Principal, count: int, seed: int = 7) -> None:
    """Bulk-load ``count`` incidents over ten years, with entries, spans and outcomes."""
    rng = random.Random(seed)
    step = 10 * 365 * US_PER_DAY // count
    cats = [c for c, _ in DEFAULT_CATEGORIES]
    sources = list(Source)
    outcomes = list(Outcome)
    batch = 2000
    for base in range(0, count, batch):
        incidents, entries, spans, outs, docs = [], [], [], [], []
        for i in range(base + 1, min(count, base + batch) + 1):
            opened = START_US + i * step + rng.randrange(step)
            year = 2017 + (opened - START_US) // (365 * US_PER_DAY)
            area = rng.randrange(len(STREETS))
            summary = f"{_sentence(rng, 6)} near {rng.choice(VENUES)}"
            police = f"CAD-{rng.randrange(100000)}" if rng.random() < 0.6 else ""
            incidents.append(
                {
                    "id": i,
                    "ref": f"{year}-{i:06d}",
                    "year": year,
                    "seq": i,
                    "status": "closed",
                    "opened_us": opened,
                    "closed_us": opened + 1800 * 10**6,
                    "operator_id": who.user_id,
                    "operator_name": rng.choice(["op1", "op2", "op3"]),
                    "source": rng.choice(sources).value,
                    "category_id": rng.choice(cats),
                    "area_id": f"a{area}",
                    "location": f"{STREETS[area]} by {rng.choice(VENUES)}",
                    "summary": summary,
                    "police_ref": police,
                    "crime_ref": "",
                    "scheme_ref": "",
                    "updated_us": opened,
                    "latitude": None,
                    "longitude": None,
                }
            )
            texts = [_sentence(rng, rng.randrange(5, 15)) for _ in range(rng.randrange(1, 6))]
            for n, t in enumerate(texts):
                entries.append(
                    {
                        "incident_id": i,
                        "at_us": opened + n * 60 * 10**6,
                        "recorded_us": opened,
                        "author_id": who.user_id,
                        "author_name": "op1",
                        "kind": "action",
                        "text": t,
                        "reason": "",
                        "details": "{}",
                    }
                )
            cam = f"C-{rng.randrange(138):03d}"
            spans.append(
                {
                    "incident_id": i,
                    "camera_id": cam,
                    "start_us": opened,
                    "end_us": opened + 600,
                    "note": "",
                    "added_us": opened,
                    "added_by": "op1",
                    "hold_id": f"H{i}",
                    "hold_expires_us": opened + 90 * US_PER_DAY,
                }
            )
            outs.append({"incident_id": i, "outcome": rng.choice(outcomes).value})
            docs.append(
                {
                    "id": i,
                    "body": document_text(
                        [
                            incidents[-1]["ref"],
                            summary,
                            incidents[-1]["location"],
                            police,
                            cam,
                            *texts,
                        ]
                    ),
                }
            )
        with system.db.session() as s:
            s.execute(insert(Incident), incidents)
            s.execute(insert(IncidentEntry), entries)
            s.execute(insert(IncidentCamera), spans)
            s.execute(insert(IncidentOutcome), outs)
            if system.db.dialect == "postgresql":
                s.execute(
                    text(
                        "INSERT INTO incident_fts (incident_id, doc) "
                        "VALUES (:id, to_tsvector('english', :body))"
                    ),
                    docs,
                )
            else:
                s.execute(text("INSERT INTO incident_fts (rowid, body) VALUES (:id, :body)"), docs)
    with system.db.session() as s:
        if system.db.dialect == "postgresql":
            s.execute(
                text("SELECT setval(pg_get_serial_sequence('incident', 'id'), :n)"), {"n": count}
            )
    if system.db.dialect == "postgresql":
        with system.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with system.db.engine.connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _time(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure(system: System, who: Principal, label: str) -> dict[str, float]:
    rng = random.Random(3)
    end = START_US + 10 * 365 * US_PER_DAY
    words = [
        "knife",
        "red jacket",
        "Crown",
        "collapsed",
        "Boots",
        "bike stolen",
        "hoodie grey",
        "CAD-4242",
        "ambulance",
        "Market Square",
        "detained",
        "fountain",
        "taxi",
    ]
    filters = [
        SearchQuery(category_id="violence"),
        SearchQuery(category_id="theft", from_us=end - 365 * US_PER_DAY),
        SearchQuery(area_id="a3", from_us=end - 90 * US_PER_DAY),
        SearchQuery(camera_id="C-042"),
        SearchQuery(outcome="arrest", source="police"),
        SearchQuery(operator="op2", from_us=end - 30 * US_PER_DAY),
    ]

    def run(q: SearchQuery) -> None:
        with system.db.session() as s:
            search_incidents(s, who, q)

    search = [t for w in words for t in _time(lambda w=w: run(SearchQuery(text=w)), 8)]
    search += [
        t
        for w in words[:6]
        for t in _time(
            lambda w=w: run(SearchQuery(text=w, category_id=rng.choice(["violence", "theft"]))), 4
        )
    ]
    listing = [t for q in filters for t in _time(lambda q=q: run(q), 10)]

    def create() -> None:
        with system.db.session() as s:
            system.incidents.create(
                s,
                who,
                IncidentDraft(
                    "asb", Source.OPERATOR, _sentence(rng, 8), area_id="a1", location="High Street"
                ),
            )

    creates = _time(create, 100)
    result = {
        "search_p95_ms": _p95(search),
        "search_median_ms": statistics.median(search),
        "listing_p95_ms": _p95(listing),
        "listing_median_ms": statistics.median(listing),
        "create_p95_ms": _p95(creates),
        "create_median_ms": statistics.median(creates),
    }
    print(f"{label}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()), flush=True)
    return result


@contextmanager
def scratch_pg(admin_url: str) -> Iterator[str]:
    name = f"wk_cr_bench_{secrets.token_hex(4)}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench(url: str | None, count: int, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(mode="development", data_dir=Path(tmp), database_url=url)
        system = build_system(settings, clock=SystemClock())
        try:
            who = _seed_register(system)
            t0 = time.perf_counter()
            generate(system, who, count)
            print(f"{label}: loaded {count} incidents in {time.perf_counter() - t0:.1f} s")
            measure(system, who, label)
        finally:
            system.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--incidents", type=int, default=90_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    if args.only != "postgresql":
        bench(None, args.incidents, "sqlite")
    if args.only != "sqlite":
        with scratch_pg(args.pg) as url:
            bench(url, args.incidents, "postgresql")


if __name__ == "__main__":
    main()
