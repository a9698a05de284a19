"""Police accounts on screen, for administrators: each police user's force and collar
number (``police/accounts.py`` checks and audits; the CLI ``police account`` does the same).

``/police/accounts`` lists the police users (user viewers may read it); setting a force and
collar number needs the right to manage users. Refusals show beside their field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.models import User
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import POLICE_ROLES, Right, Role
from watchkeeper.errors import NotFound
from watchkeeper.police.accounts import set_account
from watchkeeper.police.models import PoliceAccount
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.USERS_VIEW))]
Admin = Annotated[Principal, Depends(require(Right.USERS_MANAGE))]
Field = Annotated[str, Form()]
POLICE_ROLE_NAMES = sorted(r.value for r in POLICE_ROLES)


def _police_user(system: System, s: Session, username: str) -> User:
    user = system.users.get(s, username)
    if Role(user.role) not in POLICE_ROLES:
        raise NotFound(f"{username} is not a police account ({user.role})")
    return user


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/police/accounts", response_class=HTMLResponse)
    def accounts(request: Request, s: SessionDep, who: Viewer, done: str = "") -> Response:
        users = s.scalars(
            select(User).where(User.role.in_(POLICE_ROLE_NAMES)).order_by(User.username)
        ).all()
        accts = {a.user_id: a for a in s.scalars(select(PoliceAccount))}
        return pages.render(
            request,
            "police_accounts.html",
            who=who,
            rows=[(u, accts.get(u.id)) for u in users],
            done=done[:64],
            can_manage=who.can(Right.USERS_MANAGE),
        )

    def form_page(
        request: Request,
        s: Session,
        who: Principal,
        user: User,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        acct = s.get(PoliceAccount, user.id)
        form = form or {
            "force": acct.force if acct else "",
            "collar_number": acct.collar_number if acct else "",
        }
        return pages.render_form(
            request, "police_account.html", check, form, who=who, user=user, acct=acct
        )

    @router.get("/police/accounts/{username}", response_class=HTMLResponse)
    def account(
        request: Request, username: str, system: SystemDep, s: SessionDep, who: Admin
    ) -> Response:
        return form_page(request, s, who, _police_user(system, s, username))

    @router.post("/police/accounts/{username}")
    def set_police_account(
        request: Request,
        username: str,
        system: SystemDep,
        s: SessionDep,
        who: Admin,
        force: Field = "",
        collar_number: Field = "",
    ) -> Response:
        user = _police_user(system, s, username)
        check = FormCheck()
        force_ = check.text("force", force, 100, "name the police force")
        collar = check.text("collar_number", collar_number, 32, "give the collar number")
        if check.ok:
            try:
                with s.begin_nested():
                    set_account(s, who.actor, user, force_, collar, system.clock)
            except REFUSALS as exc:
                check.add("force", str(exc))
        if not check.ok:
            form = {"force": force, "collar_number": collar_number}
            return form_page(request, s, who, user, check, form)
        return RedirectResponse(f"/police/accounts?done={username}", status_code=303)

    return router
