"""User administration: list (with why a user cannot log in), create, change, disable;
issue, list and revoke API tokens."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.auth.service import UserSpec
from watchkeeper.errors import NotFound
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.schemas import TokenPublic, UserPublic, user_public

__all__ = ["TokenId", "router", "user_view"]

router = APIRouter(prefix="/api/users", tags=["users"])
Viewer = Annotated[Principal, Depends(require(Right.USERS_VIEW))]
Admin = Annotated[Principal, Depends(require(Right.USERS_MANAGE))]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    role: str
    full_name: str = Field("", max_length=200)
    password: str | None = Field(None, max_length=1024)
    client_id: str | None = None
    partner_member_ref: str = Field("", max_length=100)
    sia_number: str = Field("", max_length=32)
    sia_expiry: date | None = None
    sia_status: str = ""
    sia_checked_on: date | None = None
    reason: str = Field("", max_length=1000)

    def spec(self) -> UserSpec:
        return UserSpec(**self.model_dump(exclude={"reason"}))


def user_view(system: System, user: User) -> UserPublic:
    state = system.users.licence(user)
    return user_public(user, state.level.value, state.message, system.users.login_blocker(user))


@router.get("")
def list_users(system: SystemDep, s: SessionDep, who: Viewer) -> list[UserPublic]:
    return [user_view(system, u) for u in system.users.list(s)]


@router.post("", status_code=201)
def create_user(body: UserIn, system: SystemDep, s: SessionDep, who: Admin) -> UserPublic:
    return user_view(system, system.users.create(s, body.spec(), who.actor, body.reason))


@router.put("/{username}")
def update_user(
    username: str, body: UserIn, system: SystemDep, s: SessionDep, who: Admin
) -> UserPublic:
    return user_view(system, system.users.update(s, username, body.spec(), who.actor, body.reason))


@router.post("/{username}/disable")
def disable_user(
    username: str,
    system: SystemDep,
    s: SessionDep,
    who: Admin,
    reason: Annotated[str, Body(embed=True, min_length=1, max_length=1000)],
) -> UserPublic:
    return user_view(system, system.users.set_disabled(s, username, True, who.actor, reason))


@router.post("/{username}/enable")
def enable_user(
    username: str,
    system: SystemDep,
    s: SessionDep,
    who: Admin,
    reason: Annotated[str, Body(embed=True, min_length=1, max_length=1000)],
) -> UserPublic:
    return user_view(system, system.users.set_disabled(s, username, False, who.actor, reason))


@router.post("/{username}/tokens", status_code=201)
def issue_token(
    username: str,
    system: SystemDep,
    s: SessionDep,
    who: Admin,
    name: Annotated[str, Body(embed=True, min_length=1, max_length=100)],
    days: Annotated[int | None, Body(embed=True, ge=1, le=3660)] = None,
) -> dict[str, str]:
    token = system.users.issue_token(s, username, name, who.actor, days)
    return {"token": token, "note": "shown once; store it in the integration's secret store"}


@router.get("/{username}/tokens")
def list_tokens(username: str, system: SystemDep, s: SessionDep, who: Viewer) -> list[TokenPublic]:
    return [TokenPublic.of(t) for t in system.users.tokens(s, username)]


@router.post("/{username}/tokens/{token_id}/revoke")
def revoke_token(
    username: str,
    token_id: TokenId,
    system: SystemDep,
    s: SessionDep,
    who: Admin,
    reason: Annotated[str, Body(embed=True, max_length=1000)] = "",
) -> TokenPublic:
    if token_id not in {t.id for t in system.users.tokens(s, username)}:
        raise NotFound(f"user {username} has no token {token_id}")
    return TokenPublic.of(system.users.revoke_token(s, who, token_id, reason))
