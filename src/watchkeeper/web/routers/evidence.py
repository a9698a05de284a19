"""Export packages over the web: the published public key, job cancel, expiring download
links (made once, every download audited and logged as a copy in the continuity log).

A link's token is posted, not put in the URL, so no access log or browser history keeps it
(DESIGN.md invariant 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.evidence.custody import CustodyNote, add_entry
from watchkeeper.evidence.jobs import cancel_job
from watchkeeper.evidence.links import make_link, resolve_link
from watchkeeper.evidence.models import CustodyAction, ExportJob
from watchkeeper.evidence.signing import ensure_signing_key, fingerprint
from watchkeeper.system import System
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.routers.requests_pages import jobs_context
from watchkeeper.web.templating import Pages

__all__ = ["PUBLIC_KEY_PATH", "build_router"]

PUBLIC_KEY_PATH = "/api/evidence/public-key"
Exporter = Annotated[Principal, Depends(require(Right.EVIDENCE_EXPORT))]


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter()

    @router.get(PUBLIC_KEY_PATH, response_class=PlainTextResponse)
    def public_key(system: SystemDep) -> Response:
        """The key export packages are signed with (public, so recipients can check it)."""
        key, _ = ensure_signing_key(system.settings.data_dir)
        pem = key.public_pem()
        return PlainTextResponse(
            pem.decode(), media_type="application/x-pem-file",
            headers={"X-Key-Fingerprint-SHA256": fingerprint(pem)},
        )  # fmt: skip

    @router.post("/evidence/jobs/{job_id}/cancel", include_in_schema=False)
    def cancel(
        request: Request, job_id: int, system: SystemDep, s: SessionDep, who: Exporter,
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:  # fmt: skip
        job = cancel_job(s, who, job_id, reason, system.clock)
        return _jobs_fragment(pages, request, system, s, who, job, None)

    @router.post("/evidence/jobs/{job_id}/link", include_in_schema=False)
    def link(
        request: Request, job_id: int, system: SystemDep, s: SessionDep, who: Exporter,
        encrypted: Annotated[bool, Form()] = False,
    ) -> Response:  # fmt: skip
        token, _, password = make_link(s, who, job_id, system.clock, _exports(system), encrypted)
        job = s.get(ExportJob, job_id)
        assert job is not None
        return _jobs_fragment(pages, request, system, s, who, job, token, password)

    @router.post("/evidence/download", include_in_schema=False)
    def download(
        system: SystemDep, s: SessionDep, who: Exporter,
        token: Annotated[str, Form(min_length=1, max_length=200)],
    ) -> Response:  # fmt: skip
        """The token travels in the form body, never in a URL an access log would keep."""
        job, path = resolve_link(s, token, system.clock.now_us(), _exports(system))
        record(s, who.actor, "evidence.download", "evidence_job", str(job.id),
               "package downloaded", {"package": job.package,
                                      "manifest_sha256": job.manifest_sha256},
               clock=system.clock)  # fmt: skip
        add_entry(s, who, job.request_id, job.id, CustodyNote(
            CustodyAction.COPIED, who.username, medium_id=f"download {path.name}",
            manifest_sha256=job.manifest_sha256, notes="downloaded from the console",
        ), system.clock)  # fmt: skip
        return FileResponse(path, media_type="application/zip", filename=path.name)

    return router


def _exports(system: System) -> Path:
    return system.settings.data_dir / "exports"


def _jobs_fragment(
    pages: Pages, request: Request, system: SystemDep, s: SessionDep, who: Principal,
    job: ExportJob, token: str | None, password: str | None = None,
) -> Response:  # fmt: skip
    if job.request_id is None:
        return HTMLResponse(f"job {job.id}: {job.state}")
    req = system.requests.get(s, who, job.request_id)
    values = {**jobs_context(s, job.request_id), "link": token, "link_job": job.id,
              "password": password}  # fmt: skip
    return pages.render(request, "_request_jobs.html", who=who, req=req, **values)
