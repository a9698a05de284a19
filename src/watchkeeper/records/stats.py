"""Figures for the annual review and monthly reports: incidents and faults, and CSV.

Counts are taken in Python from a narrow query, so months and hours of the week are
local (Europe/London) on either database without dialect-specific date functions;
a year of ~9,000 incidents is a few milliseconds of work.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area
from watchkeeper.records.incident_models import Category, Incident, IncidentOutcome
from watchkeeper.records.log_models import Fault
from watchkeeper.timeutil import LONDON, US_PER_S, to_local

__all__ = ["FaultStats", "IncidentStats", "fault_stats", "incident_stats", "to_csv"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class IncidentStats:
    total: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_area: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_hour_of_week: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)


@dataclass
class FaultStats:
    reported: int = 0
    fixed: int = 0
    unfixed: int = 0
    mean_hours_to_repair: float | None = None
    median_hours_to_repair: float | None = None
    by_camera: Counter[str] = field(default_factory=Counter)


def incident_stats(s: Session, who: Principal, from_us: int, to_us: int) -> IncidentStats:
    """Incidents opened in ``[from_us, to_us)``, counted six ways."""
    who.require(Right.STATS_VIEW)
    cats: dict[str, str] = {r.id: r.name for r in s.execute(select(Category.id, Category.name))}
    areas: dict[str, str] = {r.id: r.name for r in s.execute(select(Area.id, Area.name))}
    out = IncidentStats()
    rows = s.execute(
        select(Incident.opened_us, Incident.category_id, Incident.area_id, Incident.source).where(
            Incident.opened_us >= from_us, Incident.opened_us < to_us
        )
    )
    for opened, cat, area, source in rows:
        local = to_local(opened, LONDON)
        out.total += 1
        out.by_category[cats.get(cat, cat)] += 1
        out.by_area[areas.get(area, area) if area else "(none)"] += 1
        out.by_month[local.strftime("%Y-%m")] += 1
        out.by_hour_of_week[f"{DAYS[local.weekday()]} {local.hour:02d}"] += 1
        out.by_source[source] += 1
    outcomes = s.execute(
        select(IncidentOutcome.outcome)
        .join(Incident, Incident.id == IncidentOutcome.incident_id)
        .where(Incident.opened_us >= from_us, Incident.opened_us < to_us)
    ).scalars()
    out.by_outcome.update(outcomes)
    return out


def fault_stats(s: Session, who: Principal, from_us: int, to_us: int) -> FaultStats:
    """Faults reported in ``[from_us, to_us)`` and how long the fixed ones took."""
    who.require(Right.STATS_VIEW)
    out = FaultStats()
    hours: list[float] = []
    rows = s.execute(
        select(Fault.camera_id, Fault.component, Fault.reported_us, Fault.fixed_us).where(
            Fault.reported_us >= from_us, Fault.reported_us < to_us
        )
    )
    for camera, component, reported, fixed in rows:
        out.reported += 1
        out.by_camera[camera or component or "(system)"] += 1
        if fixed is None:
            out.unfixed += 1
        else:
            out.fixed += 1
            hours.append((fixed - reported) / US_PER_S / 3600)
    if hours:
        out.mean_hours_to_repair = round(statistics.fmean(hours), 2)
        out.median_hours_to_repair = round(statistics.median(hours), 2)
    return out


def to_csv(inc: IncidentStats, faults: FaultStats | None = None) -> str:
    """One ``measure,key,count`` row per figure, for spreadsheets."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["measure", "key", "value"])
    w.writerow(["incidents", "total", inc.total])
    for name in ("category", "area", "month", "hour_of_week", "source", "outcome"):
        counter: Counter[str] = getattr(inc, f"by_{name}")
        for key, n in sorted(counter.items()):
            w.writerow([name, key, n])
    if faults is not None:
        w.writerow(["faults", "reported", faults.reported])
        w.writerow(["faults", "fixed", faults.fixed])
        w.writerow(["faults", "unfixed", faults.unfixed])
        w.writerow(["faults", "mean_hours_to_repair", faults.mean_hours_to_repair or ""])
        w.writerow(["faults", "median_hours_to_repair", faults.median_hours_to_repair or ""])
        for key, n in sorted(faults.by_camera.items()):
            w.writerow(["faults_by_camera", key, n])
    return buf.getvalue()
