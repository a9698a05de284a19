"""Fault log over HTTP: report, acknowledge, fix, note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.vocab import FaultStatus
from watchkeeper.web.bounds import RowId
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import FaultOut

__all__ = ["router"]

router = APIRouter(prefix="/api/faults", tags=["faults"])
Viewer = Annotated[Principal, Depends(require(Right.FAULTS_VIEW))]
Writer = Annotated[Principal, Depends(require(Right.FAULTS_WRITE))]


@router.get("")
def list_faults(
    system: SystemDep, s: SessionDep, who: Viewer, status: FaultStatus | None = None
) -> list[FaultOut]:
    return [FaultOut.of(f) for f in system.faults.list(s, who, status)]


@router.get("/{fault_id}")
def get(fault_id: RowId, system: SystemDep, s: SessionDep, who: Viewer) -> FaultOut:
    return FaultOut.of(system.faults.get(s, who, fault_id))


@router.post("", status_code=201)
def report(
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    summary: Annotated[str, Body(min_length=1, max_length=4000)],
    camera_id: Annotated[str | None, Body(max_length=64)] = None,
    component: Annotated[str, Body(max_length=100)] = "",
    maintainer: Annotated[str, Body(max_length=200)] = "",
) -> FaultOut:
    return FaultOut.of(system.faults.report(s, who, summary, camera_id, component, maintainer))


@router.post("/{fault_id}/acknowledge")
def acknowledge(
    fault_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    maintainer_ref: Annotated[str, Body(max_length=100)] = "",
    note: Annotated[str, Body(max_length=4000)] = "",
) -> FaultOut:
    return FaultOut.of(system.faults.acknowledge(s, who, fault_id, maintainer_ref, note))


@router.post("/{fault_id}/fix")
def fix(
    fault_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    note: Annotated[str, Body(embed=True, min_length=1, max_length=4000)],
) -> FaultOut:
    return FaultOut.of(system.faults.fix(s, who, fault_id, note))


@router.post("/{fault_id}/notes", status_code=201)
def note(
    fault_id: RowId,
    system: SystemDep,
    s: SessionDep,
    who: Writer,
    text: Annotated[str, Body(embed=True, min_length=1, max_length=4000)],
) -> FaultOut:
    return FaultOut.of(system.faults.note(s, who, fault_id, text))
