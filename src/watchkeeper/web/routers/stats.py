"""Figures over HTTP, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.stats import fault_stats, incident_stats, to_csv
from watchkeeper.timeutil import US_PER_DAY
from watchkeeper.web.bounds import TimeQuery
from watchkeeper.web.deps import SessionDep, SystemDep, require

__all__ = ["router"]

router = APIRouter(prefix="/api/stats", tags=["stats"])
Viewer = Annotated[Principal, Depends(require(Right.STATS_VIEW))]


def _window(system: SystemDep, from_us: int | None, to_us: int | None) -> tuple[int, int]:
    end = to_us if to_us is not None else system.clock.now_us()
    return (from_us if from_us is not None else end - 365 * US_PER_DAY), end


@router.get("/incidents")
def incidents(
    system: SystemDep,
    s: SessionDep,
    who: Viewer,
    from_us: TimeQuery = None,
    to_us: TimeQuery = None,
) -> dict[str, Any]:
    start, end = _window(system, from_us, to_us)
    st = incident_stats(s, who, start, end)
    return {"from_us": start, "to_us": end, **st.__dict__}


@router.get("/faults")
def faults(
    system: SystemDep,
    s: SessionDep,
    who: Viewer,
    from_us: TimeQuery = None,
    to_us: TimeQuery = None,
) -> dict[str, Any]:
    start, end = _window(system, from_us, to_us)
    return {"from_us": start, "to_us": end, **fault_stats(s, who, start, end).__dict__}


@router.get("/export.csv")
def export(
    system: SystemDep,
    s: SessionDep,
    who: Viewer,
    from_us: TimeQuery = None,
    to_us: TimeQuery = None,
) -> PlainTextResponse:
    start, end = _window(system, from_us, to_us)
    body = to_csv(incident_stats(s, who, start, end), fault_stats(s, who, start, end))
    return PlainTextResponse(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="watchkeeper-stats.csv"'},
    )
