"""The redaction studio: start a redaction from a finished export, review the tracks over
the clip, decide, draw boxes, preview a frame, render, follow progress, download.

Thin handlers over ``redaction.service``; every route needs ``redaction.manage``.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import Conflict, ValidationError
from watchkeeper.evidence.custody import CustodyNote, add_entry
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.models import CustodyAction, ExportJob, JobState
from watchkeeper.redaction import service
from watchkeeper.redaction.detect import frame_image
from watchkeeper.redaction.models import QUEUED, RUNNING, Redaction
from watchkeeper.redaction.plan import Decision, Settings, Style, boxes_at, parse_manual
from watchkeeper.redaction.release import release_name
from watchkeeper.redaction.render import obscure
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.templating import Pages

__all__ = ["build_router"]

Reviewer = Annotated[Principal, Depends(require(Right.REDACTION_MANAGE))]


async def form_dict(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


FormDict = Annotated[dict[str, str], Depends(form_dict)]


def _parts(system: Any, s: Session) -> list[tuple[ExportJob, int]]:
    """Finished export packages and their number of working copies."""
    q = select(ExportJob).where(ExportJob.state == JobState.DONE.value).order_by(ExportJob.id)
    out = []
    for job in s.scalars(q):
        m = job_dir(system.settings.data_dir / "exports", job.id) / job.package / "manifest.json"
        if m.is_file():
            out.append((job, len(json.loads(m.read_text()).get("working") or [])))
    return out


def _wake(system: Any) -> None:
    if system.redactions is not None:
        system.redactions.wake()


def _busy(r: Redaction) -> bool:
    return r.state in (*QUEUED, *RUNNING)


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/redaction", response_class=HTMLResponse)
    def redaction_list(
        request: Request, system: SystemDep, s: SessionDep, who: Reviewer, job: int = 0
    ) -> Response:
        return pages.render(request, "redactions.html", who=who, rows=service.browse(s),
                            parts=_parts(system, s), chosen=job)  # fmt: skip

    @router.post("/redaction/new")
    def redaction_new(system: SystemDep, s: SessionDep, who: Reviewer, f: FormDict) -> Response:
        try:
            job_id, _, part = f.get("source", "").partition(":")
            settings = Settings(rate=float(f.get("rate") or 2), scale=float(f.get("scale") or 1))
            r = service.create(s, who, system.settings.data_dir / "exports", int(job_id),
                               int(part), system.clock, settings)  # fmt: skip
        except ValueError as exc:
            raise ValidationError("choose an export package part and a detection rate") from exc
        s.commit()
        _wake(system)
        return RedirectResponse(f"/redaction/{r.id}", status_code=303)

    @router.get("/redaction/{rid}", response_class=HTMLResponse)
    def studio(
        request: Request, rid: int, system: SystemDep, s: SessionDep, who: Reviewer,
        frame: int | None = None,
    ) -> Response:  # fmt: skip
        r = service.get(s, rid)
        record(s, who.actor, "redaction.view", "redaction", str(r.id), "studio opened",
               {"export_job": r.export_job_id, "part": r.part}, clock=system.clock)  # fmt: skip
        tracks = service.tracks_of(r)
        return pages.render(
            request, "redaction.html", who=who, r=r, busy=_busy(r), tracks=tracks,
            full_ok=service.full_package_allowed(s, r),
            decisions=service.decisions_of(r), styles=list(Style),
            settings=Settings.from_json(json.loads(r.settings)), frame=frame,
            choices=[("", "redact (default)"), ("redact", "redact"),
                     ("subject", "subject: keep clear"), ("clear", "leave clear")],
        )  # fmt: skip

    @router.get("/redaction/{rid}/job", response_class=HTMLResponse)
    def job_fragment(request: Request, rid: int, s: SessionDep, who: Reviewer) -> Response:
        r = service.get(s, rid)
        return pages.render(request, "_redaction_job.html", who=who, r=r, busy=_busy(r),
                            full_ok=service.full_package_allowed(s, r))  # fmt: skip

    @router.get("/redaction/{rid}/data.json")
    def data(rid: int, s: SessionDep, who: Reviewer) -> Response:
        r = service.get(s, rid)
        clip = service.clip_of(r)
        return JSONResponse({
            "state": r.state, "frames": clip.get("frames", 0), "times": clip.get("times", []),
            "width": clip.get("width", 0), "height": clip.get("height", 0),
            "step": clip.get("step", 1), "tracks": json.loads(r.tracks),
            "decisions": {k: v["decision"] for k, v in service.decisions_of(r).items()},
            "manual": json.loads(r.manual),
        })  # fmt: skip

    @router.get("/redaction/{rid}/source.mp4")
    def source(rid: int, system: SystemDep, s: SessionDep, who: Reviewer) -> Response:
        r = service.get(s, rid)
        path = service.source_path(system.settings.data_dir / "exports", s, r)
        return FileResponse(path, media_type="video/mp4")

    @router.get("/redaction/{rid}/preview.jpg")
    def preview(
        rid: int, system: SystemDep, s: SessionDep, who: Reviewer, frame: int = 0
    ) -> Response:
        import cv2

        r = service.get(s, rid)
        clip = service.clip_of(r)
        times = clip.get("times") or []
        if not 0 <= frame < len(times):
            raise ValidationError(f"frame {frame} is not in the clip")
        src = service.source_path(system.settings.data_dir / "exports", s, r)
        img = frame_image(src, int(clip["first_pts"]), Fraction(clip["time_base"]), times[frame])
        decisions = {int(k): Decision(v["decision"]) for k, v in service.decisions_of(r).items()}
        manual = parse_manual(json.loads(r.manual), len(times))
        settings = Settings.from_json(json.loads(r.settings))
        boxes = boxes_at(frame, service.tracks_of(r), decisions, manual, int(clip["step"]))
        obscure(img, boxes, settings.style, settings.pad)
        _, jpeg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        return Response(bytes(jpeg), media_type="image/jpeg",
                        headers={"Cache-Control": "no-store"})  # fmt: skip

    @router.post("/redaction/{rid}/decisions")
    def decide(rid: int, system: SystemDep, s: SessionDep, who: Reviewer, f: FormDict) -> Response:
        r = service.get(s, rid)
        decisions = {}
        for key, value in f.items():
            if key.startswith("track-") and value:
                try:
                    decisions[int(key[6:])] = Decision(value)
                except ValueError as exc:
                    raise ValidationError(f"{key}: unknown decision {value!r}") from exc
        try:
            manual = json.loads(f.get("manual") or "[]")
            style = Style(f.get("style") or "blur")
        except ValueError as exc:
            raise ValidationError("manual boxes or style unreadable") from exc
        service.save_decisions(s, who, r, decisions, manual, style, system.clock)
        action = f.get("action", "save")
        if action == "merge":
            ids = [int(k[6:]) for k, v in f.items() if k.startswith("merge-") and k[6:].isdigit()]
            service.merge_tracks(s, who, r, ids, system.clock)
        if action == "render":
            service.queue_render(s, who, r, system.clock)
        s.commit()
        if action == "render":
            _wake(system)
        frame = f.get("frame", "")
        at = f"?frame={int(frame)}" if action == "preview" and frame.isdigit() else ""
        return RedirectResponse(f"/redaction/{rid}{at}", status_code=303)

    @router.post("/redaction/{rid}/cancel")
    def cancel(rid: int, system: SystemDep, s: SessionDep, who: Reviewer) -> Response:
        service.cancel(s, who, service.get(s, rid), system.clock)
        s.commit()
        return RedirectResponse(f"/redaction/{rid}", status_code=303)

    @router.post("/redaction/{rid}/download")
    def download(
        rid: int, system: SystemDep, s: SessionDep, who: Reviewer,
        what: Annotated[str, Form(pattern="^(video|release|package)$")] = "video",
    ) -> Response:  # fmt: skip
        r = service.get(s, rid)
        exports = system.settings.data_dir / "exports"
        video = service.output_path(exports, r)
        job = s.get(ExportJob, r.export_job_id)
        assert job is not None
        if what == "package" and not service.full_package_allowed(s, r):
            raise Conflict(
                "the full package holds the unredacted master and goes only to the police; "
                "download the release package"
            )
        if what in ("package", "release"):
            name = r.package if what == "package" else release_name(r.package)
            path, media = job_dir(exports, job.id) / f"{name}.zip", "application/zip"
            if not path.is_file():  # rendered before release packages existed
                raise Conflict(f"{path.name} is not there; render the redaction again")
        else:
            path, media = video, "video/mp4"
        details = {"file": path.name, "output_sha256": r.output_sha256}
        record(s, who.actor, "redaction.download", "redaction", str(r.id),
               f"{what} downloaded", details, clock=system.clock)  # fmt: skip
        add_entry(s, who, job.request_id, job.id, CustodyNote(
            CustodyAction.COPIED, who.username, medium_id=f"download {path.name}",
            notes=f"redacted {what} downloaded from the studio (redaction {r.id})",
        ), system.clock)  # fmt: skip
        return FileResponse(path, media_type=media, filename=path.name)

    return router
