"""A year of generated records over the sample borough, bulk-inserted so it takes seconds.

Incidents (with cameras and outcomes), camera faults, subject access and FOI requests
answered on time, late or not yet, and recorded (then retention-deleted) footage for a
few cameras. :class:`Expected` keeps what was generated, worked out independently of the
report code, for the figures to be checked against.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from tests.foundation.helpers import ROOT
from watchkeeper.cameras.io import parse_import
from watchkeeper.cameras.models import Camera
from watchkeeper.evidence.deadlines import foi_due, sar_due
from watchkeeper.evidence.models import EvidenceRequest
from watchkeeper.recording.models import RecordingDeletion
from watchkeeper.records.incident_models import Incident, IncidentCamera, IncidentOutcome
from watchkeeper.records.log_models import Fault
from watchkeeper.records.vocab import DEFAULT_CATEGORIES, Outcome, Source
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_DAY, date_to_us

BOROUGH = Path(__file__).resolve().parents[2] / "examples" / "borough.yaml"
H = 3600 * 10**6


@dataclass
class Expected:
    incidents: int = 0
    by_month: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    timeliness: dict[str, Counter[str]] = field(default_factory=dict)
    hours_down: Counter[str] = field(default_factory=Counter)
    faults: int = 0
    recorded_hours: Counter[str] = field(default_factory=Counter)
    uptime: dict[str, float] = field(default_factory=dict)


def load_borough(system: System) -> None:
    parsed = parse_import(BOROUGH.read_text(), "borough.yaml")
    with system.db.session() as s:
        system.cameras.apply(s, parsed.cameras, ROOT, "sample borough", sites=parsed.sites)


def generate_year(system: System, year: int, incidents: int = 3000, seed: int = 17) -> Expected:
    """Records for local calendar ``year``; times fall between 02:00 and 22:00 on days 2
    to 27 of a month so no figure depends on where a boundary is drawn."""
    rng = random.Random(seed)
    exp = Expected()
    with system.db.session() as s:
        cams = list(s.execute(select(Camera.id, Camera.area_id).order_by(Camera.id)))
    cats = [c for c, _ in DEFAULT_CATEGORIES]

    def moment() -> tuple[int, date]:
        d = date(year, rng.randrange(1, 13), rng.randrange(2, 28))
        return date_to_us(d) + rng.randrange(2 * H, 22 * H), d

    rows, spans, outs = [], [], []
    for i in range(1, incidents + 1):
        opened, d = moment()
        cam, area = rng.choice(cams)
        source = rng.choice(list(Source)).value
        exp.incidents += 1
        exp.by_month[f"{d:%Y-%m}"] += 1
        exp.by_source[source] += 1
        rows.append({"id": i, "ref": f"{year}-{i:06d}", "year": year, "seq": i,
                     "status": "closed", "opened_us": opened, "closed_us": opened + H,
                     "operator_name": "op1", "source": source, "category_id": rng.choice(cats),
                     "area_id": area, "updated_us": opened})  # fmt: skip
        spans.append({"incident_id": i, "camera_id": cam, "start_us": opened,
                      "end_us": opened + 600 * 10**6, "added_us": opened, "added_by": "op1",
                      "hold_id": f"H{i}", "hold_expires_us": opened + 90 * US_PER_DAY})  # fmt: skip
        for o in rng.sample(list(Outcome), rng.randrange(0, 3)):
            outs.append({"incident_id": i, "outcome": o.value})
    faults = []
    for _ in range(150):
        reported, _d = moment()
        cam, _area = rng.choice(cams)
        fixed = reported + rng.randrange(1, 72) * H if rng.random() < 0.8 else None
        end = date_to_us(date(year + 1, 1, 1))
        exp.faults += 1
        exp.hours_down[cam] += ((fixed if fixed is not None else end) - reported) / H
        faults.append({"camera_id": cam, "summary": "no picture", "status":
                       "fixed" if fixed else "open", "reported_us": reported,
                       "reported_by": "op1", "fixed_us": fixed})  # fmt: skip
    requests = []
    exp.timeliness = {"subject_access": Counter(), "foi": Counter()}
    for n in range(80):
        kind = "subject_access" if n % 2 else "foi"
        received, d = moment()
        due = sar_due(d) if kind == "subject_access" else foi_due(d)
        answer = rng.choice(["on_time", "late", "open"])
        row = {"kind": kind, "received_us": received, "received_on": d, "received_by": "op1",
               "requester_name": f"Requester {n}", "lawful_basis": "UK GDPR Art 15" if
               kind == "subject_access" else "FOIA s.1", "start_us": received - H,
               "end_us": received, "due_on": due, "updated_us": received,
               "state": "received"}  # fmt: skip
        if answer != "open":
            when = due - timedelta(days=3) if answer == "on_time" else due + timedelta(days=4)
            row.update(state="released", released_us=date_to_us(when) + 10 * H,
                       released_by="dpo", released_to="requester")  # fmt: skip
            exp.timeliness[kind]["on_time" if answer == "on_time" else "late"] += 1
        else:
            exp.timeliness[kind]["open"] += 1
        requests.append(row)
    deletions = []
    for cam, hours in (("TC-001", 20), ("TC-002", 10), ("SF-001", 5)):
        first = date_to_us(date(year, 3, 1))
        for h in range(hours):
            start = first + h * 2 * H
            deletions.append({"segment_id": len(deletions) + 1, "camera_id": cam,
                              "stream": "main", "start_us": start, "end_us": start + H,
                              "size_bytes": 1, "sha256": "0" * 64, "path": "x",
                              "rule": "retention", "at_us": start + 31 * US_PER_DAY})  # fmt: skip
        exp.recorded_hours[cam] = hours
        exp.uptime[cam] = round(100 * hours * H / (date_to_us(date(year + 1, 1, 1)) - first), 2)
    with system.db.session() as s:
        s.execute(insert(Incident), rows)
        s.execute(insert(IncidentCamera), spans)
        if outs:
            s.execute(insert(IncidentOutcome), outs)
        s.execute(insert(Fault), faults)
        s.execute(insert(EvidenceRequest), requests)
        s.execute(insert(RecordingDeletion), deletions)
    return exp
