"""What a reviewer does to a redaction: start one, decide tracks and boxes, render, cancel.

Rights are checked by the caller (``redaction.manage``); every change is audited in the
same transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.models import EvidenceRequest, ExportJob, JobState, RequestKind
from watchkeeper.redaction.models import QUEUED, RUNNING, Redaction, RedactionState
from watchkeeper.redaction.plan import Decision, Settings, Style, parse_manual
from watchkeeper.redaction.track import Track, merge
from watchkeeper.timeutil import Clock

__all__ = [
    "cancel",
    "clip_of",
    "create",
    "decisions_of",
    "full_package_allowed",
    "get",
    "merge_tracks",
    "output_path",
    "queue_render",
    "save_decisions",
    "source_path",
    "tracks_of",
]

EDITABLE = (RedactionState.READY.value, RedactionState.DONE.value, RedactionState.FAILED.value)


def get(s: Session, redaction_id: int) -> Redaction:
    r = s.get(Redaction, redaction_id)
    if r is None:
        raise NotFound(f"redaction {redaction_id} not found")
    return r


def _export(s: Session, export_job_id: int) -> ExportJob:
    job = s.get(ExportJob, export_job_id)
    if job is None:
        raise NotFound(f"export job {export_job_id} not found")
    if job.state != JobState.DONE.value or not job.package:
        raise Conflict(f"export job {export_job_id} is {job.state}; redact a finished package")
    return job


def source_path(exports: Path, s: Session, r: Redaction) -> Path:
    return job_dir(exports, r.export_job_id) / _export(s, r.export_job_id).package / r.source


def output_path(exports: Path, r: Redaction) -> Path:
    if r.state != RedactionState.DONE.value:
        raise Conflict(f"redaction {r.id} is {r.state}; nothing to download yet")
    return job_dir(exports, r.export_job_id) / r.package / r.output


def full_package_allowed(s: Session, r: Redaction) -> bool:
    """Only a police request takes the full package (with the unredacted master) away;
    anyone else receives the release package (docs/design/redaction.md, invariant 9)."""
    job = s.get(ExportJob, r.export_job_id)
    req = s.get(EvidenceRequest, job.request_id) if job and job.request_id else None
    return req is not None and req.kind == RequestKind.POLICE.value


def tracks_of(r: Redaction) -> list[Track]:
    return [Track.from_json(t) for t in json.loads(r.tracks)]


def decisions_of(r: Redaction) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = json.loads(r.decisions)
    return out


def clip_of(r: Redaction) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(r.clip)
    return out


def create(
    s: Session, who: Principal, exports: Path, export_job_id: int, part: int, clock: Clock,
    settings: Settings | None = None,
) -> Redaction:  # fmt: skip
    """Queue the analysis of working copy ``part`` of a finished export package."""
    job = _export(s, export_job_id)
    manifest = json.loads((job_dir(exports, job.id) / job.package / "manifest.json").read_text())
    working = manifest.get("working") or []
    if not 1 <= part <= len(working):
        raise ValidationError(
            f"package {job.package} has {len(working)} working cop"
            f"{'y' if len(working) == 1 else 'ies'}; part {part} does not exist"
        )
    settings = settings or Settings()
    if not 0.2 <= settings.rate <= 30:
        raise ValidationError("detections per second must be between 0.2 and 30")
    r = Redaction(
        export_job_id=job.id, part=part, source=working[part - 1]["path"],
        state=RedactionState.ANALYSE_QUEUED.value, settings=json.dumps(settings.to_json()),
        created_by=who.username, created_us=clock.now_us(),
    )  # fmt: skip
    s.add(r)
    s.flush()
    record(s, who.actor, "redaction.create", "redaction", str(r.id), "studio opened",
           {"export_job": job.id, "package": job.package, "part": part,
            "camera": job.camera_id}, clock=clock)  # fmt: skip
    return r


def save_decisions(
    s: Session, who: Principal, r: Redaction, decisions: Mapping[int, Decision],
    manual: Any, style: Style, clock: Clock,
) -> list[str]:  # fmt: skip
    """Store the reviewer's choices; the list of what changed (for the audit row)."""
    if r.state not in EDITABLE:
        raise Conflict(f"redaction {r.id} is {r.state}; decisions wait until it is ready")
    clip = clip_of(r)
    known = {t.id for t in tracks_of(r)}
    stored = decisions_of(r)
    changed = []
    for tid, d in decisions.items():
        if tid not in known:
            raise ValidationError(f"track {tid} does not exist")
        if stored.get(str(tid), {}).get("decision") != d.value:
            stored[str(tid)] = {"decision": d.value, "by": who.username, "at_us": clock.now_us()}
            changed.append(f"track {tid}: {d.value}")
    boxes = parse_manual(manual, int(clip.get("frames", 0)))
    new_manual = json.dumps([m.to_json() for m in boxes])
    if new_manual != r.manual:
        changed.append(f"manual boxes: {len(boxes)}")
    settings = Settings.from_json(json.loads(r.settings))
    if style is not settings.style:
        changed.append(f"style: {style.value}")
        settings = dataclasses.replace(settings, style=style)
    r.decisions, r.manual = json.dumps(stored, sort_keys=True), new_manual
    r.settings = json.dumps(settings.to_json())
    if changed:
        record(s, who.actor, "redaction.decide", "redaction", str(r.id), "; ".join(changed),
               {"changes": changed}, clock=clock)  # fmt: skip
    return changed


def merge_tracks(s: Session, who: Principal, r: Redaction, ids: list[int], clock: Clock) -> Track:
    """Make tracks ``ids`` (one person in pieces) one track, so one decision covers them.

    The merged track keeps the lowest id; its decision is "subject" if any piece was the
    subject, else the lowest piece's decision (none: the default, redacted).
    """
    if r.state not in EDITABLE:
        raise Conflict(f"redaction {r.id} is {r.state}; tracks can be merged when it is ready")
    tracks = tracks_of(r)
    by_id = {t.id: t for t in tracks}
    chosen = sorted(set(ids))
    if len(chosen) < 2:
        raise ValidationError("choose two or more tracks to merge")
    unknown = [i for i in chosen if i not in by_id]
    if unknown:
        raise ValidationError(f"track {unknown[0]} does not exist")
    try:
        merged = merge([by_id[i] for i in chosen])
    except ValueError as exc:
        raise ValidationError(f"{exc}: two faces at once are not one person") from exc
    stored = decisions_of(r)
    pieces = [stored[str(i)] for i in chosen if str(i) in stored]
    subject = [d for d in pieces if d["decision"] == Decision.SUBJECT.value]
    keep = subject[0] if subject else stored.get(str(chosen[0]))
    for i in chosen:
        stored.pop(str(i), None)
    if keep is not None:
        stored[str(merged.id)] = keep
    rest = [t for t in tracks if t.id not in chosen]
    r.tracks = json.dumps([t.to_json() for t in sorted([*rest, merged], key=lambda t: t.id)])
    r.decisions = json.dumps(stored, sort_keys=True)
    what = f"tracks {', '.join(map(str, chosen))} merged into {merged.id}"
    record(s, who.actor, "redaction.merge", "redaction", str(r.id), what,
           {"tracks": chosen, "into": merged.id,
            "decision": keep["decision"] if keep else "default"}, clock=clock)  # fmt: skip
    return merged


def queue_render(s: Session, who: Principal, r: Redaction, clock: Clock) -> None:
    if r.state not in EDITABLE:
        raise Conflict(f"redaction {r.id} is {r.state}; it cannot be rendered now")
    if not clip_of(r).get("frames"):
        raise Conflict(f"redaction {r.id} has no finished analysis; start a new one")
    r.state, r.stage, r.progress, r.error = RedactionState.RENDER_QUEUED.value, "", 0.0, ""
    r.rendered_by, r.cancel_requested = who.username, False
    record(s, who.actor, "redaction.render", "redaction", str(r.id), "render queued",
           {"export_job": r.export_job_id, "part": r.part}, clock=clock)  # fmt: skip


def cancel(s: Session, who: Principal, r: Redaction, clock: Clock) -> None:
    if r.state not in (*QUEUED, *RUNNING):
        raise Conflict(f"redaction {r.id} is {r.state}; nothing to cancel")
    r.cancel_requested = True
    if r.state in QUEUED:
        r.state, r.finished_us = RedactionState.CANCELLED.value, clock.now_us()
    record(s, who.actor, "redaction.cancel", "redaction", str(r.id), "cancelled",
           {"state": r.state}, clock=clock)  # fmt: skip


def browse(s: Session, limit: int = 200) -> list[Redaction]:
    return list(s.scalars(select(Redaction).order_by(Redaction.id.desc()).limit(limit)))
