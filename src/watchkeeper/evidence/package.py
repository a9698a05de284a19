"""Assemble one export package: master, working copies, manifest, signature, README.

The package is built in a hidden staging folder beside its destination and renamed into
place only when complete, so a failed or interrupted export never leaves something that
looks like a package. Layout and fields: ``docs/design/evidence.md``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from watchkeeper import __version__
from watchkeeper.audit.service import Actor, record
from watchkeeper.cameras.models import Camera
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.evidence.manifest import (
    FORMAT,
    MANIFEST,
    PUBLIC_KEY,
    SIGNATURE,
    SUMS,
    UNSIGNED,
    hash_file,
    manifest_bytes,
    package_files,
    sums_text,
    times,
)
from watchkeeper.evidence.master import MasterSegment, copy_segment, select_segments
from watchkeeper.evidence.recipient import index_html, readme_text
from watchkeeper.evidence.signing import SigningKey, fingerprint
from watchkeeper.evidence.statements import continuity_statement, exhibit_label
from watchkeeper.evidence.stills import make_stills, virtual_runs
from watchkeeper.evidence.working import WorkingCopy, encode_working_copy
from watchkeeper.playback.layout import GAP_TOLERANCE_US
from watchkeeper.playback.vmp4 import VirtualMp4
from watchkeeper.recording.gaps import gap_context
from watchkeeper.storage.files import SegmentFiles
from watchkeeper.timeutil import US_PER_S, Clock, format_utc, to_datetime

__all__ = ["MAX_WINDOW_US", "ExportSpec", "Package", "build_package"]

MAX_WINDOW_US = 24 * 3600 * US_PER_S
"""Longest window one package may cover; longer requests are split by the person asking."""

Progress = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class ExportSpec:
    camera_id: str
    start_us: int
    end_us: int
    stream: str = "main"
    request_ref: str = ""
    exhibit_ref: str = ""
    working: bool = True
    """False: master, manifest and signature only (a working copy can be made later)."""
    stills: tuple[int, ...] = ()
    """Instants (UTC µs) inside the window to include as JPEG stills."""


@dataclass(frozen=True, slots=True)
class Package:
    path: Path
    manifest: dict[str, Any]


def _name(spec: ExportSpec) -> str:
    stamp = to_datetime(spec.start_us).strftime("%Y%m%dT%H%M%SZ")
    ref = "".join(c if c.isalnum() or c in "-_" else "-" for c in spec.exhibit_ref)
    return f"{spec.camera_id}_{stamp}" + (f"_{ref}" if ref else "")


def _camera(s: Session, camera_id: str) -> dict[str, str]:
    cam = s.get(Camera, camera_id)
    if cam is None:
        raise NotFound(f"camera {camera_id} not found")
    return {
        "id": cam.id,
        "name": cam.name,
        "location": cam.location,
        "area": cam.area.name,
        "site": cam.area.site.name,
    }


def _gaps(s: Session, spec: ExportSpec, segs: list[MasterSegment]) -> list[dict[str, Any]]:
    ctx = gap_context(s, spec.camera_id, spec.stream, spec.end_us)
    out = []
    cursor = spec.start_us
    for seg in [*segs, None]:
        nxt = spec.end_us if seg is None else max(spec.start_us, seg.start_us)
        if nxt - cursor > GAP_TOLERANCE_US:
            out.append(
                {
                    **times("start", cursor),
                    **times("end", nxt),
                    "reason": ctx.explain(cursor, nxt),
                }
            )
        if seg is not None:
            cursor = max(cursor, min(seg.end_us, spec.end_us))
    return out


def _master_entry(seg: MasterSegment, path: str) -> dict[str, Any]:
    return {
        "path": path,
        "segment_id": seg.id,
        "sha256": seg.sha256,
        "size": seg.size_bytes,
        **times("start", seg.start_us),
        **times("end", seg.end_us),
        "frames": seg.frames,
        "codec": seg.codec,
        "width": seg.width,
        "height": seg.height,
        "clock_offset_us": seg.clock_offset_us,
        "discontinuity": seg.discontinuity,
    }


def _working_entry(w: WorkingCopy, path: str) -> dict[str, Any]:
    return {
        "path": path,
        "frames": w.frames,
        "frame_duration_us": w.frame_us,
        **times("first_frame", w.first_us),
        **times("last_frame", w.last_us),
    }


def _working_copies(
    runs: list[VirtualMp4], spec: ExportSpec, stage: Path, label: str,
    progress: Callable[[float], None],
) -> list[WorkingCopy]:  # fmt: skip
    (stage / "working").mkdir()
    out = []
    for n, vm in enumerate(runs, 1):
        src = stage / f".source-{n}.mp4"
        with src.open("wb") as fh:
            for chunk in vm.read():
                fh.write(chunk)
        dest = stage / "working" / f"{spec.camera_id}-{n}.mp4"

        def part(frac: float, n: int = n) -> None:
            progress((n - 1 + frac) / len(runs))

        try:
            out.append(
                encode_working_copy(src, vm.start_us, spec.start_us, spec.end_us, label, dest, part)
            )
        finally:
            src.unlink(missing_ok=True)
    return out


def _fsync_tree(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def build_package(
    s: Session,
    root: Path | SegmentFiles,
    out_dir: Path,
    key: SigningKey,
    spec: ExportSpec,
    actor: Actor,
    clock: Clock,
    progress: Progress | None = None,
) -> Package:
    """Build the package for ``spec`` in ``out_dir`` and audit the export in ``s``."""
    report: Progress = progress or (lambda _stage, _frac: None)
    if spec.end_us <= spec.start_us:
        raise ValidationError("the window must end after it starts")
    if spec.end_us - spec.start_us > MAX_WINDOW_US:
        raise ValidationError("a package covers at most 24 hours; split the window")
    camera = _camera(s, spec.camera_id)
    segs = select_segments(s, spec.camera_id, spec.stream, spec.start_us, spec.end_us)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / _name(spec)
    if final.exists():
        raise ValidationError(f"{final.name} exists already in {out_dir.name}")
    stage = out_dir / f".{final.name}.part"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        (stage / "master").mkdir()
        total = sum(x.size_bytes for x in segs)
        done = 0

        def copied(n: int) -> None:
            nonlocal done
            done += n
            report("master", done / total)

        master = []
        for seg in segs:
            rel = f"master/{Path(seg.path).name}"
            copy_segment(root, seg, stage / rel, copied)
            master.append(_master_entry(seg, rel))
        label = " ".join(x for x in (camera["id"], camera["name"]) if x)
        if camera["location"]:
            label += f", {camera['location']}"
        runs = virtual_runs(s, root, spec.camera_id, spec.stream, spec.start_us, spec.end_us)
        stills = make_stills(runs, spec.camera_id, spec.stills, spec.start_us, spec.end_us, stage)
        working = (
            _working_copies(runs, spec, stage, label, lambda f: report("working", f))
            if spec.working
            else []
        )
        offsets = [x.clock_offset_us for x in segs if x.clock_offset_us is not None]
        now = clock.now_us()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "system": {"id": key.system_id(), "name": "Watchkeeper", "version": __version__},
            **times("created", now),
            "operator": actor.username,
            "request": spec.request_ref,
            "exhibit": spec.exhibit_ref,
            "camera": camera,
            "stream": spec.stream,
            "window": {**times("start", spec.start_us), **times("end", spec.end_us)},
            "clock_offset_us": {"min": min(offsets), "max": max(offsets)} if offsets else None,
            "gaps": _gaps(s, spec, segs),
            "master": master,
            "stills": stills,
            "working": [_working_entry(w, w.path.relative_to(stage).as_posix()) for w in working],
        }
        report("manifest", 0.0)
        public = key.public_pem()
        (stage / PUBLIC_KEY).write_bytes(public)
        (stage / "README.txt").write_text(readme_text(manifest, fingerprint(public)))
        (stage / "index.html").write_text(index_html(manifest), encoding="utf-8")
        exhibit_label(manifest, stage / "exhibit_label.pdf")
        continuity_statement(manifest, stage / "continuity_statement.pdf")
        files = {
            p: hash_file(stage / p) for p in package_files(stage) if p not in UNSIGNED and p != SUMS
        }
        (stage / SUMS).write_text(sums_text(files), encoding="utf-8")
        files[SUMS] = hash_file(stage / SUMS)
        manifest["files"] = files
        body = manifest_bytes(manifest)
        (stage / MANIFEST).write_bytes(body)
        (stage / SIGNATURE).write_bytes(key.sign(body))
        _fsync_tree(stage)
        stage.rename(final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    record(
        s,
        actor,
        "evidence.export",
        "camera",
        spec.camera_id,
        spec.request_ref or spec.exhibit_ref or "export",
        {
            "package": final.name,
            "start": format_utc(spec.start_us),
            "end": format_utc(spec.end_us),
            "manifest_sha256": hashlib.sha256(body).hexdigest(),
            "request": spec.request_ref,
            "exhibit": spec.exhibit_ref,
        },
        clock=clock,
    )
    report("done", 1.0)
    return Package(final, manifest)
