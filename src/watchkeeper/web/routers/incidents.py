"""The occurrence log over HTTP. There is deliberately no DELETE: records are never erased."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.categories import save_category
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.search import SearchQuery, search_incidents
from watchkeeper.web.bounds import TimeQuery
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import (
    CategoryIn,
    CloseIn,
    EntryIn,
    IncidentChange,
    IncidentIn,
    IncidentOut,
    IncidentSummary,
    OfficerIn,
    OutcomesIn,
    ReasonIn,
    SpanIn,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Viewer = Annotated[Principal, Depends(require(Right.INCIDENTS_VIEW))]
Writer = Annotated[Principal, Depends(require(Right.INCIDENTS_WRITE))]
Releaser = Annotated[Principal, Depends(require(Right.HOLDS_RELEASE))]


@router.get("")
def search(
    s: SessionDep,
    who: Viewer,
    q: str = "",
    from_us: TimeQuery = None,
    to_us: TimeQuery = None,
    category: str | None = None,
    area: str | None = None,
    camera: str | None = None,
    source: str | None = None,
    outcome: str | None = None,
    operator: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[IncidentSummary]:
    query = SearchQuery(
        q, from_us, to_us, category, area, camera, source, outcome, operator, status, limit, offset
    )
    return [IncidentSummary.of(i) for i in search_incidents(s, who, query)]


@router.get("/categories")
def categories(system: SystemDep, s: SessionDep, who: Viewer) -> list[dict[str, str]]:
    return [{"id": c.id, "name": c.name} for c in system.incidents.categories(s)]


@router.put("/categories/{category_id}")
def put_category(
    category_id: str,
    system: SystemDep,
    s: SessionDep,
    who: Annotated[Principal, Depends(require(Right.INCIDENT_CATEGORIES_MANAGE))],
    body: CategoryIn,
) -> dict[str, object]:
    """Add, rename or retire (``active: false``) a category."""
    c = save_category(s, who, category_id, body.name, system.clock, body.sort, body.active)
    return {"id": c.id, "name": c.name, "sort": c.sort, "active": c.active}


@router.post("", status_code=201)
def create(system: SystemDep, s: SessionDep, who: Writer, body: IncidentIn) -> IncidentOut:
    inc = system.incidents.create(s, who, IncidentDraft(**body.model_dump()))
    return IncidentOut.full(system.incidents.get(s, who, inc.ref))


@router.get("/{ref}")
def get(ref: str, system: SystemDep, s: SessionDep, who: Viewer) -> IncidentOut:
    return IncidentOut.full(system.incidents.get(s, who, ref))


@router.patch("/{ref}")
def change(
    ref: str, system: SystemDep, s: SessionDep, who: Writer, body: IncidentChange
) -> IncidentOut:
    """Change fields; on a closed incident this is an amendment (supervisor, reason)."""
    changes = body.changes.given()
    return IncidentOut.full(system.incidents.update(s, who, ref, changes, body.reason))


@router.post("/{ref}/entries", status_code=201)
def add_entry(
    ref: str, system: SystemDep, s: SessionDep, who: Writer, body: EntryIn
) -> IncidentOut:
    system.incidents.add_action(s, who, ref, body.text, body.why, body.at_us)
    return IncidentOut.full(system.incidents.get(s, who, ref))


@router.post("/{ref}/officers", status_code=201)
def add_officer(
    ref: str, system: SystemDep, s: SessionDep, who: Writer, body: OfficerIn
) -> IncidentOut:
    system.incidents.add_officer(s, who, ref, body.name, body.collar_number, body.reason)
    return IncidentOut.full(system.incidents.get(s, who, ref))


@router.put("/{ref}/outcomes")
def set_outcomes(
    ref: str, system: SystemDep, s: SessionDep, who: Writer, body: OutcomesIn
) -> IncidentOut:
    return IncidentOut.full(system.incidents.set_outcomes(s, who, ref, body.outcomes, body.reason))


@router.post("/{ref}/cameras", status_code=201)
def mark_cameras(
    ref: str, system: SystemDep, s: SessionDep, who: Writer, body: SpanIn
) -> IncidentOut:
    """Link camera spans; their footage is held under the incident's reference."""
    system.incidents.mark_cameras(
        s, who, ref, body.camera_ids, body.start_us, body.end_us, body.note, body.reason
    )
    return IncidentOut.full(system.incidents.get(s, who, ref))


@router.post("/{ref}/holds/{hold_id}/release")
def release_hold(
    ref: str, hold_id: str, system: SystemDep, s: SessionDep, who: Releaser, body: ReasonIn
) -> IncidentOut:
    system.incidents.release_hold(s, who, ref, hold_id, body.reason)
    return IncidentOut.full(system.incidents.get(s, who, ref))


@router.post("/{ref}/close")
def close(ref: str, system: SystemDep, s: SessionDep, who: Writer, body: CloseIn) -> IncidentOut:
    return IncidentOut.full(system.incidents.close(s, who, ref, body.note))
