"""The radio log over HTTP; partner members see their own entries only (the service decides)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.vocab import Source
from watchkeeper.web.bounds import Cursor, RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import IncidentOut, RadioIn, RadioOut

__all__ = ["router"]

router = APIRouter(prefix="/api/radio", tags=["radio"])
Logger = Annotated[Principal, Depends(require(Right.RADIO_WRITE))]
Writer = Annotated[Principal, Depends(require(Right.INCIDENTS_WRITE))]


@router.get("")
def list_entries(
    system: SystemDep,
    s: SessionDep,
    who: Logger,
    before_id: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RadioOut]:
    return [RadioOut.of(e) for e in system.radio.list(s, who, before_id, limit)]


@router.post("", status_code=201)
def add(system: SystemDep, s: SessionDep, who: Logger, body: RadioIn) -> RadioOut:
    entry = system.radio.add(
        s, who, body.channel, body.caller, body.message, body.at_us, body.incident_ref
    )
    return RadioOut.of(entry)


@router.get("/{entry_id}")
def get(entry_id: RowId, system: SystemDep, s: SessionDep, who: Logger) -> RadioOut:
    return RadioOut.of(system.radio.get(s, who, entry_id))


@router.post("/{entry_id}/link")
def link(
    entry_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    incident_ref: Annotated[str, Body(embed=True, max_length=16)],
) -> RadioOut:
    return RadioOut.of(system.radio.link(s, who, entry_id, incident_ref))


@router.post("/{entry_id}/incident", status_code=201)
def to_incident(
    entry_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    category_id: Annotated[str, Body(max_length=32)],
    source: Annotated[Source | None, Body()] = None,
    area_id: Annotated[str | None, Body(max_length=64)] = None,
    location: Annotated[str, Body(max_length=4000)] = "",
) -> IncidentOut:
    """Open a new incident from this entry in one step."""
    inc = system.radio.to_incident(s, who, entry_id, category_id, source, area_id, location)
    return IncidentOut.full(system.incidents.get(s, who, inc.ref))
