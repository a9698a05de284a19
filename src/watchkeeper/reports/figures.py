"""The figures of the reports, each as :class:`Table`, over a window ``[from_us, to_us)``.

Incidents and faults reuse ``records.stats``. Requests are measured against their
statutory clocks (SAR one month, FOI 20 working days: ``evidence.deadlines`` set
``due_on``): a request answered (released, refused, or closed) on or before its due date
is on time. Recording uptime per camera is the main stream's recorded time, from the
segment index and the deletion log (deleted footage was recorded), over the time since
the camera's first recording in the window; segments straddling the window's edges are
left out, so a figure may be short by at most a segment at each end.

``camera_ids`` narrows every figure to those cameras (a client's monthly report);
``None`` means all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchkeeper.auth.principal import Principal
from watchkeeper.cameras.models import Area, Camera
from watchkeeper.evidence.models import EvidenceRequest, RequestCamera, RequestKind
from watchkeeper.recording.models import RecordingDeletion, Segment
from watchkeeper.records.incident_models import Category, Incident, IncidentCamera, IncidentOutcome
from watchkeeper.records.log_models import Fault
from watchkeeper.records.stats import fault_stats, incident_stats
from watchkeeper.records.vocab import Outcome, Source
from watchkeeper.reports.tables import Table
from watchkeeper.timeutil import US_PER_S, to_local

__all__ = [
    "downtime_table",
    "fault_tables",
    "incident_tables",
    "request_tables",
    "uptime_table",
]

_HOUR = 3600 * US_PER_S


def _count_table(name: str, title: str, key: str, counter: Counter[str]) -> Table:
    rows: list[list[object]] = [[k, n] for k, n in sorted(counter.items())]
    return Table(name, title, [key, "incidents"], rows)


def _labelled(counter: Counter[str], vocab: type[Source] | type[Outcome]) -> Counter[str]:
    """Counts keyed by the words people read ("Public via police"), not stored values."""
    out: Counter[str] = Counter()
    for key, n in counter.items():
        try:
            out[vocab(key).label] += n
        except ValueError:
            out[key] += n
    return out


def _incident_ids(s: Session, camera_ids: Collection[str], start: int, end: int) -> set[int]:
    q = (
        select(IncidentCamera.incident_id)
        .join(Incident, Incident.id == IncidentCamera.incident_id)
        .where(
            IncidentCamera.camera_id.in_(list(camera_ids)),
            Incident.opened_us >= start,
            Incident.opened_us < end,
        )
    )
    return set(s.scalars(q))


def incident_tables(
    s: Session, who: Principal, start: int, end: int, camera_ids: Collection[str] | None = None
) -> list[Table]:
    """Incidents by month, category, area, source and outcome."""
    if camera_ids is None:
        st = incident_stats(s, who, start, end)
        counters = {
            "month": st.by_month,
            "category": st.by_category,
            "area": st.by_area,
            "source": st.by_source,
            "outcome": st.by_outcome,
        }
        total = st.total
    else:
        ids = _incident_ids(s, camera_ids, start, end)
        counters = {k: Counter() for k in ("month", "category", "area", "source", "outcome")}
        cats = dict(s.execute(select(Category.id, Category.name)).all())
        areas = dict(s.execute(select(Area.id, Area.name)).all())
        rows = s.execute(
            select(Incident.opened_us, Incident.category_id, Incident.area_id, Incident.source)
            .where(Incident.id.in_(ids))
        )  # fmt: skip
        total = 0
        for opened, cat, area, source in rows:
            total += 1
            counters["month"][to_local(opened).strftime("%Y-%m")] += 1
            counters["category"][cats.get(cat, cat)] += 1
            counters["area"][areas.get(area, area) if area else "(none)"] += 1
            counters["source"][source] += 1
        outcomes = s.scalars(
            select(IncidentOutcome.outcome).where(IncidentOutcome.incident_id.in_(ids))
        )
        counters["outcome"].update(outcomes)
    counters["source"] = _labelled(counters["source"], Source)
    counters["outcome"] = _labelled(counters["outcome"], Outcome)
    tables = [Table("incidents_total", "Incidents", ["measure", "value"], [["total", total]])]
    for key, counter in counters.items():
        tables.append(_count_table(f"incidents_by_{key}", f"Incidents by {key}", key, counter))
    tables[-1].note = "An incident may have several outcomes, or none recorded yet."
    return tables


def fault_tables(
    s: Session, who: Principal, start: int, end: int, camera_ids: Collection[str] | None = None
) -> list[Table]:
    """Faults reported, fixed, time to repair; downtime per camera."""
    if camera_ids is None:
        fs = fault_stats(s, who, start, end)
        summary = Table(
            "faults",
            "Faults",
            ["measure", "value"],
            [
                ["reported", fs.reported],
                ["fixed", fs.fixed],
                ["unfixed", fs.unfixed],
                ["mean_hours_to_repair", fs.mean_hours_to_repair],
                ["median_hours_to_repair", fs.median_hours_to_repair],
            ],
        )
        return [summary, downtime_table(s, start, end, None)]
    return [downtime_table(s, start, end, camera_ids)]


def downtime_table(s: Session, start: int, end: int, camera_ids: Collection[str] | None) -> Table:
    """Per camera: faults reported in the window and hours from report to fix (or to the
    window's end while unfixed), clipped to the window."""
    q = select(Fault.camera_id, Fault.reported_us, Fault.fixed_us).where(
        Fault.camera_id.is_not(None), Fault.reported_us < end,
        (Fault.fixed_us.is_(None)) | (Fault.fixed_us > start),
    )  # fmt: skip
    if camera_ids is not None:
        q = q.where(Fault.camera_id.in_(list(camera_ids)))
    faults: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    for cam, reported, fixed in s.execute(q):
        assert cam is not None
        if reported >= start:
            faults[cam] += 1
        down = min(fixed if fixed is not None else end, end) - max(reported, start)
        hours[cam] += max(down, 0)
    rows: list[list[object]] = [
        [cam, faults[cam], round(hours[cam] / _HOUR, 2)] for cam in sorted(hours)
    ]
    return Table(
        "downtime_by_camera",
        "Camera faults and downtime",
        ["camera", "faults_reported", "hours_down"],
        rows,
        note="Downtime runs from a fault's report to its fix, within the period.",
    )


def uptime_table(
    s: Session, start: int, end: int, camera_ids: Collection[str] | None = None
) -> Table:
    recorded: Counter[str] = Counter()
    first: dict[str, int] = {}
    for model in (Segment, RecordingDeletion):
        q = (
            select(
                model.camera_id,
                func.sum(model.end_us - model.start_us),
                func.min(model.start_us),
            )
            .where(model.stream == "main", model.start_us >= start, model.end_us <= end)
            .group_by(model.camera_id)
        )
        if model is RecordingDeletion:
            q = q.where(RecordingDeletion.rule != "repair")
        if camera_ids is not None:
            q = q.where(model.camera_id.in_(list(camera_ids)))
        for cam, total, earliest in s.execute(q):
            recorded[cam] += int(total or 0)
            first[cam] = min(first.get(cam, earliest), earliest)
    rows: list[list[object]] = []
    for cam in sorted(recorded):
        span = end - first[cam]
        rows.append([cam, round(recorded[cam] / _HOUR, 2), round(100 * recorded[cam] / span, 2)])
    missing = "" if rows else "no recording in this period is in the recorder's index"
    return Table(
        "recording_uptime",
        "Recording uptime per camera (main stream)",
        ["camera", "hours_recorded", "uptime_percent"],
        rows,
        note="Measured from each camera's first recording in the period to its end.",
        missing=missing,
    )


def _answered_us(r: EvidenceRequest) -> int | None:
    if r.released_us is not None:
        return r.released_us
    if r.state == "refused" and r.decided_us is not None:
        return r.decided_us
    return r.closed_us


def request_tables(
    s: Session,
    start: int,
    end: int,
    today: date,
    camera_ids: Collection[str] | None = None,
) -> list[Table]:
    """Requests received in the window by kind; SAR and FOI against their clocks."""
    q = select(EvidenceRequest).where(
        EvidenceRequest.received_us >= start, EvidenceRequest.received_us < end
    )
    if camera_ids is not None:
        q = q.where(
            EvidenceRequest.id.in_(
                select(RequestCamera.request_id).where(
                    RequestCamera.camera_id.in_(list(camera_ids))
                )
            )
        )
    by_kind: Counter[str] = Counter()
    clock: dict[str, Counter[str]] = {
        RequestKind.SUBJECT_ACCESS.value: Counter(),
        RequestKind.FOI.value: Counter(),
    }
    for r in s.scalars(q):
        by_kind[r.kind] += 1
        if r.kind not in clock or r.due_on is None:
            continue
        answered = _answered_us(r)
        if answered is not None:
            on_time = to_local(answered).date() <= r.due_on
            clock[r.kind]["answered_on_time" if on_time else "answered_late"] += 1
        else:
            clock[r.kind]["open_overdue" if today > r.due_on else "open_in_time"] += 1
    kinds = Table(
        "requests_by_kind",
        "Requests received, by kind",
        ["kind", "requests"],
        [[k, n] for k, n in sorted(by_kind.items())],
    )
    rows: list[list[object]] = []
    for kind, c in clock.items():
        answered = c["answered_on_time"] + c["answered_late"]
        pct = round(100 * c["answered_on_time"] / answered, 1) if answered else None
        rows.append([kind, c["answered_on_time"], c["answered_late"], c["open_in_time"],
                     c["open_overdue"], pct])  # fmt: skip
    timeliness = Table(
        "requests_timeliness",
        "Subject access (1 month) and FOI (20 working days) timeliness",
        ["kind", "on_time", "late", "open_in_time", "open_overdue", "on_time_percent"],
        rows,
        note="Answered = released, refused or closed; on time = on or before the due date.",
    )
    return [kinds, timeliness]


def camera_ids_of(s: Session, client_id: str) -> list[str]:
    return list(
        s.scalars(select(Camera.id).where(Camera.client_id == client_id).order_by(Camera.id))
    )
