"""Server-rendered pages of the control room."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.routers.users import TokenId, user_view
from watchkeeper.web.schemas import TokenPublic
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def home(who: Annotated[Principal, Depends(require(Right.PROFILE))]) -> Response:
        return RedirectResponse("/dashboard", status_code=303)

    @router.get("/cameras", response_class=HTMLResponse)
    def cameras(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.CAMERAS_VIEW))],
        q: str = "",
    ) -> Response:
        cams = system.cameras.list(s, who)
        needle = q.strip().lower()
        if needle:
            cams = [
                c
                for c in cams
                if needle
                in f"{c.id} {c.name} {c.location} {c.area.name} {c.area.site.name}".lower()
            ]
        # Council sites first, then clients' sites; each by name.
        cams.sort(key=lambda c: (c.client_id is not None, c.area.site.name, c.area.name, c.id))
        tree = [
            (site, [(area, list(ac)) for area, ac in groupby(sc, key=lambda c: c.area.name)])
            for site, sc in groupby(cams, key=lambda c: c.area.site.name)
        ]
        counts: dict[str, int] = {}
        for c in cams:
            counts[c.status.value] = counts.get(c.status.value, 0) + 1
        user = system.users.get(s, who.username)
        licence = system.users.licence(user)
        due = system.requests.due_counts(s, who) if who.can(Right.REQUESTS_APPROVE) else (0, 0)
        template = "_camera_tree.html" if request.headers.get("hx-request") else "cameras.html"
        return pages.render(
            request,
            template,
            who=who,
            tree=tree,
            total=len(cams),
            counts=counts,
            q=q,
            licence=licence,
            requests_due=due,
        )

    @router.get("/users", response_class=HTMLResponse)
    def users(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.USERS_VIEW))],
    ) -> Response:
        rows = [user_view(system, u) for u in system.users.list(s)]
        tokens: dict[str, list[TokenPublic]] = {}
        for row in system.users.active_tokens(s):
            tokens.setdefault(row.user.username, []).append(TokenPublic.of(row))
        return pages.render(request, "users.html", who=who, users=rows, tokens=tokens, licence=None)

    @router.post("/users/{username}/tokens/{token_id}/revoke")
    def revoke_token(
        username: str,
        token_id: TokenId,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.USERS_MANAGE))],
        reason: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        if token_id not in {t.id for t in system.users.tokens(s, username)}:
            raise NotFound(f"user {username} has no token {token_id}")
        system.users.revoke_token(s, who, token_id, reason or "revoked on the users page")
        return RedirectResponse("/users", status_code=303)

    return router
