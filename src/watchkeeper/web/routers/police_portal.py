"""The police portal pages: an investigating officer's requests, a new one, downloads.

The rules are in ``police/portal.py``; a refused request is shown again with the reason next
to the form and every value kept, never as raw JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.responses import Response

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import WatchkeeperError
from watchkeeper.evidence.kinds import KINDS
from watchkeeper.evidence.models import RequestKind
from watchkeeper.police.models import PoliceAccount
from watchkeeper.police.portal import PortalRequest, PortalService
from watchkeeper.system import System
from watchkeeper.timeutil import parse_local
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.forms import FormCheck
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Officer = Annotated[Principal, Depends(require(Right.POLICE_PORTAL))]
Text = Annotated[str, Form(max_length=2000)]
FIELDS = ("crime_ref", "offence", "countersigning_officer", "lawful_basis", "cameras", "start",
          "end", "contact")  # fmt: skip


def portal(system: System) -> PortalService:
    return PortalService(system.clock, system.requests, Path(system.settings.data_dir) / "exports")


def _when(check: FormCheck, name: str, text: str) -> int | None:
    if not text.strip():
        check.add(name, "required")
        return None
    try:
        return parse_local(text.strip(), fold=0)
    except ValueError as exc:
        check.add(name, str(exc))
        return None


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(tags=["police"], include_in_schema=False)
    rule = KINDS[RequestKind.POLICE]

    @router.get("/police/portal", response_class=HTMLResponse)
    def home(request: Request, system: SystemDep, s: SessionDep, who: Officer) -> Response:
        svc = portal(system)
        rows = svc.mine(s, who)
        packages = {r.ref: svc.packages(s, who, r.ref) for r in rows}
        acct = s.get(PoliceAccount, who.user_id)
        return pages.render(request, "police_portal.html", who=who, rows=rows,
                            packages=packages, acct=acct)  # fmt: skip

    @router.get("/police/portal/new", response_class=HTMLResponse)
    def new(request: Request, s: SessionDep, who: Officer) -> Response:
        acct = s.get(PoliceAccount, who.user_id)
        return pages.render(request, "police_request_new.html", who=who, rule=rule, acct=acct,
                            values={}, errors={})  # fmt: skip

    @router.post("/police/portal/new", response_class=HTMLResponse)
    def file(
        request: Request, system: SystemDep, s: SessionDep, who: Officer,
        crime_ref: Text = "", offence: Text = "", countersigning_officer: Text = "",
        lawful_basis: Text = "", cameras: Text = "", start: Text = "", end: Text = "",
        contact: Text = "",
    ) -> Response:  # fmt: skip
        values = dict(zip(FIELDS, (crime_ref, offence, countersigning_officer, lawful_basis,
                                   cameras, start, end, contact), strict=True))  # fmt: skip
        check = FormCheck()
        check.text("crime_ref", crime_ref, 64, "give the crime or CAD reference")
        check.text("offence", offence, 200, "name the offence")
        check.text("countersigning_officer", countersigning_officer, 200,
                   "name the countersigning officer")  # fmt: skip
        ids = tuple(c for c in cameras.replace(",", " ").split() if c)
        if not ids:
            check.add("cameras", "name at least one camera (its id, as on the camera register)")
        start_us, end_us = _when(check, "start", start), _when(check, "end", end)
        if check.ok and start_us is not None and end_us is not None:
            form = PortalRequest(crime_ref, offence, countersigning_officer, lawful_basis, ids,
                                 start_us, end_us, contact)  # fmt: skip
            try:
                req = portal(system).file(s, who, form)
            except WatchkeeperError as exc:
                check.refused("form", exc)
            else:
                return RedirectResponse(f"/police/portal?filed={req.ref}", status_code=303)
        acct = s.get(PoliceAccount, who.user_id)
        return pages.render(request, "police_request_new.html", status_code=422, who=who,
                            rule=rule, acct=acct, values=values, errors=check.errors)  # fmt: skip

    @router.post(
        "/police/portal/requests/{ref}/packages/{job_id}/link", response_class=HTMLResponse
    )
    def link(
        request: Request, ref: str, job_id: int, system: SystemDep, s: SessionDep, who: Officer
    ) -> Response:
        token = portal(system).link(s, who, ref, job_id)
        return pages.render(request, "police_download.html", who=who, ref=ref, job_id=job_id,
                            token=token)  # fmt: skip

    @router.post("/police/portal/download")
    def download(
        system: SystemDep, s: SessionDep, who: Officer,
        token: Annotated[str, Form(min_length=1, max_length=200)],
    ) -> Response:  # fmt: skip
        """The token travels in the form body, never in a URL an access log would keep."""
        path = portal(system).download(s, who, token)
        return FileResponse(path, media_type="application/zip", filename=path.name)

    return router
