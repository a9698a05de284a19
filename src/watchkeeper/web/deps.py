"""Request dependencies, so handlers read like prose.

``SessionDep`` is a database session in one transaction, committed when the handler
returns, except when the handler answered with a refusal (a page rendered 409 or 422, see
:func:`watchkeeper.web.forms.mark_refused`): then it rolls back, so a service that wrote
something before it refused leaves nothing behind. ``require(Right.X)`` gives
the authenticated :class:`Principal` if their role holds the right, else 401/403.
Cookie-authenticated requests that change state must carry the session's CSRF
token (header ``X-CSRF-Token`` or form field ``csrf_token``); bearer tokens need none.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import AuthError, Forbidden
from watchkeeper.system import System
from watchkeeper.web.forms import was_refused

__all__ = ["SESSION_COOKIE", "SessionDep", "SystemDep", "principal_of", "require"]

SESSION_COOKIE = "wk_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def get_session(request: Request, system: SystemDep) -> Iterator[Session]:
    with system.db.sessions() as s, s.begin() as tx:
        yield s
        if was_refused(request):
            tx.rollback()


# scope="function": the transaction commits when the handler returns, before the response
# goes out, so a browser following a redirect never reads older data than it just wrote.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def principal_of(request: Request, system: System) -> Principal | None:
    auth = request.headers.get("authorization", "")
    with system.db.session() as s:
        if auth.lower().startswith("bearer "):
            return system.users.principal_for_token(s, auth[7:].strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return system.users.principal_for_session(s, cookie)
    return None


async def _check_csrf(request: Request, who: Principal) -> None:
    if request.method in SAFE_METHODS or who.via_token:
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get("csrf_token", ""))
    if not sent or not hmac.compare_digest(sent, who.csrf_token):
        raise Forbidden("missing or wrong CSRF token; reload the page")


def require(right: Right) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency giving the caller if they hold ``right``."""

    async def dependency(request: Request, system: SystemDep) -> Principal:
        who = await run_in_threadpool(principal_of, request, system)
        if who is None:
            raise AuthError("log in first")
        await _check_csrf(request, who)
        who.require(right)
        return who

    dependency.__wk_right__ = right  # type: ignore[attr-defined]
    return dependency
