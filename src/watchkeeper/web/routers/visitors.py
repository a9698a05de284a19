"""Visitor register over HTTP; the confidentiality declaration is required."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.visitors import VisitorIn
from watchkeeper.web.bounds import RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import VisitorOut

__all__ = ["router"]

router = APIRouter(prefix="/api/visitors", tags=["visitors"])
Staff = Annotated[Principal, Depends(require(Right.VISITORS_WRITE))]


@router.get("")
def list_visitors(
    system: SystemDep, s: SessionDep, who: Staff, on_site: bool = False
) -> list[VisitorOut]:
    return [VisitorOut.of(v) for v in system.visitors.list(s, who, on_site)]


@router.post("", status_code=201)
def sign_in(
    system: SystemDep,
    s: SessionDep,
    who: Staff,
    name: Annotated[str, Body(min_length=1, max_length=200)],
    purpose: Annotated[str, Body(min_length=1, max_length=2000)],
    host: Annotated[str, Body(min_length=1, max_length=64)],
    declaration_accepted: Annotated[bool, Body()],
    organisation: Annotated[str, Body(max_length=200)] = "",
    police: Annotated[bool, Body()] = False,
) -> VisitorOut:
    data = VisitorIn(name, purpose, host, declaration_accepted, organisation, police)
    return VisitorOut.of(system.visitors.sign_in(s, who, data))


@router.post("/{visitor_id}/out")
def sign_out(visitor_id: RowId, system: SystemDep, s: SessionDep, who: Staff) -> VisitorOut:
    return VisitorOut.of(system.visitors.sign_out(s, who, visitor_id))


@router.post("/{visitor_id}/viewed", status_code=201)
def viewed(
    visitor_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Staff,
    camera_id: Annotated[str | None, Body(max_length=64)] = None,
    incident_ref: Annotated[str | None, Body(max_length=32)] = None,
    note: Annotated[str, Body(max_length=2000)] = "",
) -> VisitorOut:
    system.visitors.viewed(s, who, visitor_id, camera_id, incident_ref, note)
    return VisitorOut.of(system.visitors.get(s, who, visitor_id))
