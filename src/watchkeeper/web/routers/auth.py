"""Log-in and log-out for browsers, and the caller's own profile."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound
from watchkeeper.web.deps import SESSION_COOKIE, SessionDep, SystemDep, require
from watchkeeper.web.routers import public_register
from watchkeeper.web.routers.users import TokenId
from watchkeeper.web.schemas import TokenPublic
from watchkeeper.web.templating import Pages

__all__ = ["PUBLIC_PATHS", "build_router"]

LOGIN_CSRF_COOKIE = "wk_login_csrf"
PUBLIC_PATHS = {"/login", "/health", "/api/docs", "/api/evidence/public-key"}
PUBLIC_PATHS |= public_register.PATHS  # the published camera register


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> Response:
        token = secrets.token_urlsafe(24)
        resp = pages.render(request, "login.html", csrf=token, next=_safe_next(next), error="")
        resp.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.app.state.system.settings.tls,
            max_age=3600,
        )
        return resp

    @router.post("/login", include_in_schema=False)
    def login(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        csrf_token: Annotated[str, Form(max_length=128)] = "",
        next: Annotated[str, Form(max_length=500)] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, csrf_token):
            return pages.render(
                request,
                "login.html",
                status_code=403,
                csrf=expected,
                next=_safe_next(next),
                error="The form expired. Please try again.",
            )
        source = request.client.host if request.client else ""
        result = system.users.authenticate(s, username, password, source=source)
        if result.user is None:
            return pages.render(
                request,
                "login.html",
                status_code=401,
                csrf=expected,
                next=_safe_next(next),
                error=str(result.error),
            )
        user = result.user
        token = system.users.open_session(s, user)
        resp = RedirectResponse(_safe_next(next), status_code=303)
        resp.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=system.settings.tls,
            max_age=int(system.settings.session_hours * 3600),
        )
        resp.delete_cookie(LOGIN_CSRF_COOKIE)
        return resp

    @router.post("/logout", include_in_schema=False)
    def logout(
        request: Request,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.PROFILE))],
    ) -> Response:
        """Needs the session's CSRF token, so another site cannot log an operator out."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            system.users.close_session(s, cookie)
            system.live.session_ended(cookie)
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @router.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/api/me", tags=["auth"])
    def me(
        system: SystemDep, s: SessionDep, who: Annotated[Principal, Depends(require(Right.PROFILE))]
    ) -> dict[str, object]:
        user = system.users.get(s, who.username)
        state = system.users.licence(user)
        return {
            "username": who.username,
            "role": who.role.value,
            "client_id": who.client_id,
            "licence": state.level.value,
            "licence_message": state.message,
        }

    @router.get("/api/me/tokens", tags=["auth"])
    def my_tokens(
        system: SystemDep, s: SessionDep, who: Annotated[Principal, Depends(require(Right.PROFILE))]
    ) -> list[TokenPublic]:
        return [TokenPublic.of(t) for t in system.users.tokens(s, who.username)]

    @router.post("/api/me/tokens/{token_id}/revoke", tags=["auth"])
    def revoke_my_token(
        token_id: TokenId,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(Right.PROFILE))],
        reason: Annotated[str, Body(embed=True, max_length=1000)] = "",
    ) -> TokenPublic:
        """Revoke one of one's own tokens (administrators use the users API for others')."""
        mine = {t.id for t in system.users.tokens(s, who.username)}
        if token_id not in mine:
            raise NotFound(f"no token {token_id}")
        return TokenPublic.of(system.users.revoke_token(s, who, token_id, reason))

    return router
