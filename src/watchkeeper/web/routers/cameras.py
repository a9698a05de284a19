"""The camera register over HTTP: list, read, change status, import, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, File, Form, UploadFile
from fastapi.responses import PlainTextResponse

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.io import export_csv, export_yaml, parse_import
from watchkeeper.cameras.models import CameraStatus
from watchkeeper.errors import ValidationError
from watchkeeper.web.deps import SessionDep, SystemDep, require
from watchkeeper.web.schemas import CameraPublic

__all__ = ["router"]

router = APIRouter(prefix="/api/cameras", tags=["cameras"])
Viewer = Annotated[Principal, Depends(require(Right.CAMERAS_VIEW))]
Manager = Annotated[Principal, Depends(require(Right.CAMERAS_MANAGE))]
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@router.get("")
def list_cameras(system: SystemDep, s: SessionDep, who: Viewer) -> list[CameraPublic]:
    return [CameraPublic.of(c) for c in system.cameras.list(s, who)]


@router.get("/export")
def export(
    system: SystemDep, s: SessionDep, who: Viewer, format: Literal["csv", "yaml"] = "csv"
) -> PlainTextResponse:
    cams = system.cameras.list(s, who)
    if format == "csv":
        return PlainTextResponse(export_csv(cams), media_type="text/csv")
    return PlainTextResponse(export_yaml(cams), media_type="application/yaml")


@router.get("/{camera_id}")
def get_camera(camera_id: str, system: SystemDep, s: SessionDep, who: Viewer) -> CameraPublic:
    return CameraPublic.of(system.cameras.get(s, who, camera_id))


@router.post("/{camera_id}/status")
def set_status(
    camera_id: str,
    system: SystemDep,
    s: SessionDep,
    who: Manager,
    status: Annotated[CameraStatus, Body()],
    reason: Annotated[str, Body(min_length=1, max_length=1000)],
) -> CameraPublic:
    return CameraPublic.of(system.cameras.set_status(s, who, camera_id, status, reason))


@router.post("/import")
async def import_cameras(
    system: SystemDep,
    who: Manager,
    file: Annotated[UploadFile, File()],
    reason: Annotated[str, Form(min_length=1, max_length=1000)],
) -> dict[str, int]:
    raw = await file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError("import file larger than 5 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("import file is not UTF-8 text") from exc
    from starlette.concurrency import run_in_threadpool

    def apply() -> dict[str, int]:
        parsed = parse_import(text, file.filename or "upload.yaml")
        with system.db.session() as s:
            result = system.cameras.apply(
                s, parsed.cameras, who.actor, reason, sites=parsed.sites, names=parsed.names
            )
        return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}

    return await run_in_threadpool(apply)
