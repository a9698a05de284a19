"""Shopwatch and Pubwatch members over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.records.partners import MemberSpec
from watchkeeper.records.vocab import Scheme
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.records_schemas import MemberIn, MemberOut

__all__ = ["router"]

router = APIRouter(prefix="/api/partners", tags=["partners"])
Viewer = Annotated[Principal, Depends(require(Right.PARTNERS_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.PARTNERS_MANAGE))]


@router.get("")
def list_members(
    system: SystemDep, s: SessionDep, who: Viewer, scheme: Scheme | None = None
) -> list[MemberOut]:
    return [MemberOut.of(m) for m in system.partners.list(s, who, scheme)]


@router.get("/{ref}")
def get(ref: str, system: SystemDep, s: SessionDep, who: Viewer) -> MemberOut:
    return MemberOut.of(system.partners.get(s, who, ref))


@router.put("/{ref}")
def save(ref: str, system: SystemDep, s: SessionDep, who: Manager, body: MemberIn) -> MemberOut:
    """Create or change the member ``ref``."""
    data = body.model_dump(exclude={"reason"})
    return MemberOut.of(system.partners.save(s, who, MemberSpec(ref=ref, **data), body.reason))
