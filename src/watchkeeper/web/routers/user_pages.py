"""Users on screen: create, edit (role, SIA licence), disable and enable, reset a password;
and every user's own account page, where they change their own password.

Administration goes through :class:`~watchkeeper.auth.service.UserService`, which audits
each change. A reset ends every session and API token of that user; leaving the new
password blank makes a random one, shown once on the page that follows. Changing one's
own password needs the current one and ends one's other browser sessions. Refusals show
next to their field with what was typed kept, except passwords, which are never sent back.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.auth.passwords import MIN_LENGTH, generate_password
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.auth.service import SIA_STATUSES, UserSpec
from watchkeeper.cameras.models import Client
from watchkeeper.errors import Conflict, ValidationError, WatchkeeperError
from watchkeeper.system import System
from watchkeeper.web.deps import SESSION_COOKIE, SessionDep, SystemDep, require
from watchkeeper.web.forms import REFUSALS, FormCheck, keep_refusal_record
from watchkeeper.web.routers.users import user_view
from watchkeeper.web.templating import Pages
from watchkeeper.web.uk import format_uk_date, parse_uk_date

__all__ = ["build_router"]

Viewer = Annotated[Principal, Depends(require(Right.USERS_VIEW))]
Admin = Annotated[Principal, Depends(require(Right.USERS_MANAGE))]
Anyone = Annotated[Principal, Depends(require(Right.PROFILE))]
Field = Annotated[str, Form()]
SPEC_FIELDS = (
    "username",
    "full_name",
    "role",
    "client_id",
    "partner_member_ref",
    "sia_number",
    "sia_expiry",
    "sia_status",
    "sia_checked_on",
)
_WHERE = (
    ("role", "role"),
    ("username", "username"),
    ("exists already", "username"),
    ("client", "client_id"),
    ("SIA status", "sia_status"),
    ("password", "password"),
)


def _field_of(exc: WatchkeeperError) -> str:
    """Which field a service refusal is about (by its wording), else the reason box."""
    text = str(exc)
    if isinstance(exc, Conflict):
        return "username"
    return next((name for word, name in _WHERE if word in text), "reason")


def _date(check: FormCheck, name: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_uk_date(text)
    except ValidationError as exc:
        check.add(name, str(exc))
        return None


def _spec(check: FormCheck, form: dict[str, str], password: str | None) -> UserSpec:
    return UserSpec(
        username=check.text("username", form["username"], 64, "give a user name"),
        role=form["role"],
        full_name=check.text("full_name", form["full_name"], 200),
        password=password,
        client_id=form["client_id"].strip() or None,
        partner_member_ref=check.text("partner_member_ref", form["partner_member_ref"], 100),
        sia_number=check.text("sia_number", form["sia_number"], 32),
        sia_expiry=_date(check, "sia_expiry", form["sia_expiry"]),
        sia_status=form["sia_status"],
        sia_checked_on=_date(check, "sia_checked_on", form["sia_checked_on"]),
    )


def _form_of(system: System, s: Session, username: str) -> dict[str, str]:
    user = system.users.get(s, username)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "client_id": user.client_id or "",
        "partner_member_ref": user.partner_member_ref,
        "sia_number": user.sia_number,
        "sia_expiry": format_uk_date(user.sia_expiry),
        "sia_status": user.sia_status,
        "sia_checked_on": format_uk_date(user.sia_checked_on),
    }


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def user_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        username: str | None,
        check: FormCheck | None = None,
        form: dict[str, str] | None = None,
        shown_password: str = "",
        done: str = "",
    ) -> Response:
        ctx: dict[str, Any] = {"user": None, "tokens": []}
        if username is not None:
            user = system.users.get(s, username)
            ctx["user"] = user_view(system, user)
            ctx["tokens"] = [t for t in system.users.tokens(s, username) if not t.revoked]
            form = form or _form_of(system, s, username)
        return pages.render(
            request,
            "user.html",
            status_code=422 if check and not check.ok else 200,
            who=who,
            form=form or {"role": "operator", "sia_status": ""},
            errors=check.errors if check else {},
            roles=[r.value for r in Role],
            clients=list(s.scalars(select(Client).order_by(Client.name))),
            sia_statuses=sorted(SIA_STATUSES),
            min_length=MIN_LENGTH,
            shown_password=shown_password,
            done=done,
            can_manage=who.can(Right.USERS_MANAGE),
            **ctx,
        )

    @router.get("/users/new", response_class=HTMLResponse)
    def new_user(request: Request, system: SystemDep, s: SessionDep, who: Admin) -> Response:
        return user_page(request, system, s, who, None)

    @router.post("/users/new")
    def create_user(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Admin,
        username: Field = "",
        full_name: Field = "",
        role: Field = "",
        client_id: Field = "",
        partner_member_ref: Field = "",
        sia_number: Field = "",
        sia_expiry: Field = "",
        sia_status: Field = "",
        sia_checked_on: Field = "",
        password: Field = "",
        reason: Field = "",
    ) -> Response:
        form = {k: v for k, v in locals().items() if k in SPEC_FIELDS}
        check = FormCheck()
        if len(password) < MIN_LENGTH:
            check.add("password", f"a password needs at least {MIN_LENGTH} characters")
        spec = _spec(check, form, password)
        why = check.text("reason", reason, 1000)
        if check.ok:
            try:
                with s.begin_nested():
                    system.users.create(s, spec, who.actor, why or "created on the users page")
            except REFUSALS as exc:
                check.add(_field_of(exc), str(exc))
        if not check.ok:
            return user_page(request, system, s, who, None, check, {**form, "reason": reason})
        return RedirectResponse(f"/users/{spec.username}?done=created", status_code=303)

    @router.get("/users/{username}", response_class=HTMLResponse)
    def user(
        request: Request,
        username: str,
        system: SystemDep,
        s: SessionDep,
        who: Viewer,
        done: str = "",
    ) -> Response:
        return user_page(request, system, s, who, username, done=done[:40])

    @router.post("/users/{username}")
    def edit_user(
        request: Request,
        username: str,
        system: SystemDep,
        s: SessionDep,
        who: Admin,
        full_name: Field = "",
        role: Field = "",
        client_id: Field = "",
        partner_member_ref: Field = "",
        sia_number: Field = "",
        sia_expiry: Field = "",
        sia_status: Field = "",
        sia_checked_on: Field = "",
        reason: Field = "",
    ) -> Response:
        system.users.get(s, username)  # 404 before anything else
        form = {k: v for k, v in locals().items() if k in SPEC_FIELDS}
        form["username"] = username
        check = FormCheck()
        spec = _spec(check, form, None)
        why = check.text("reason", reason, 1000, "say why the account changes (audited)")
        if check.ok:
            try:
                with s.begin_nested():
                    system.users.update(s, username, spec, who.actor, why)
            except REFUSALS as exc:
                check.add(_field_of(exc), str(exc))
        if not check.ok:
            return user_page(request, system, s, who, username, check, {**form, "reason": reason})
        return RedirectResponse(f"/users/{username}?done=saved", status_code=303)

    @router.post("/users/{username}/password")
    def reset_password(
        request: Request,
        username: str,
        system: SystemDep,
        s: SessionDep,
        who: Admin,
        new_password: Field = "",
        reset_reason: Field = "",
    ) -> Response:
        check = FormCheck()
        why = check.text("reset_reason", reset_reason, 1000, "say why the password is reset")
        chosen = new_password or generate_password()
        if len(chosen) < MIN_LENGTH:
            check.add("new_password", f"a password needs at least {MIN_LENGTH} characters")
        if check.ok:
            try:
                system.users.reset_password(s, username, chosen, who.actor, why)
            except REFUSALS as exc:
                check.add("new_password", str(exc))
        if not check.ok:
            form = {**_form_of(system, s, username), "reset_reason": reset_reason}
            return user_page(request, system, s, who, username, check, form)
        shown = "" if new_password else chosen  # a generated one is shown once, here
        return user_page(request, system, s, who, username, shown_password=shown, done="reset")

    @router.post("/users/{username}/disable")
    def disable(
        request: Request,
        username: str,
        system: SystemDep,
        s: SessionDep,
        who: Admin,
        disable_reason: Field = "",
        enable: Field = "",
    ) -> Response:
        check = FormCheck()
        why = check.text("disable_reason", disable_reason, 1000)
        if not enable and not why:
            check.add("disable_reason", "say why the account is disabled")
        if not enable and username == who.username:
            check.add("disable_reason", "you cannot disable your own account")
        if check.ok:
            try:
                system.users.set_disabled(s, username, not enable, who.actor, why or "enabled")
            except REFUSALS as exc:
                check.add("disable_reason", str(exc))
        if not check.ok:
            form = {**_form_of(system, s, username), "disable_reason": disable_reason}
            return user_page(request, system, s, who, username, check, form)
        done = "enabled" if enable else "disabled"
        return RedirectResponse(f"/users/{username}?done={done}", status_code=303)

    def account_page(
        request: Request,
        system: System,
        s: Session,
        who: Principal,
        check: FormCheck | None = None,
        done: str = "",
    ) -> Response:
        user = system.users.get(s, who.username)
        return pages.render(
            request,
            "account.html",
            status_code=422 if check and not check.ok else 200,
            who=who,
            me=user_view(system, user),
            licence=system.users.licence(user),
            errors=check.errors if check else {},
            min_length=MIN_LENGTH,
            done=done,
        )

    @router.get("/account", response_class=HTMLResponse)
    def account(
        request: Request, system: SystemDep, s: SessionDep, who: Anyone, done: str = ""
    ) -> Response:
        return account_page(request, system, s, who, done=done[:40])

    @router.post("/account/password")
    def change_password(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Anyone,
        current_password: Field = "",
        new_password: Field = "",
        confirm_password: Field = "",
    ) -> Response:
        check = FormCheck()
        if not current_password:
            check.add("current_password", "type your current password")
        if len(new_password) < MIN_LENGTH:
            check.add("new_password", f"a password needs at least {MIN_LENGTH} characters")
        elif confirm_password != new_password:
            check.add("confirm_password", "the two new passwords differ")
        if check.ok:
            try:  # a refusal changes nothing but its audit row, which stays
                system.users.change_own_password(
                    s,
                    who,
                    current_password,
                    new_password,
                    keep_session=request.cookies.get(SESSION_COOKIE, ""),
                )
            except ValidationError as exc:
                keep_refusal_record(request)
                name = "current_password" if "current" in str(exc) else "new_password"
                if "differ" in str(exc):
                    name = "new_password"
                check.add(name, str(exc))
        if not check.ok:
            return account_page(request, system, s, who, check)
        return RedirectResponse("/account?done=password", status_code=303)

    return router
