"""The redaction log: every decision and setting behind one redacted copy, as JSON.

It names each track with its decision and who made it (or ``default``), each manual box
with its keyframes, the settings, the models and versions, and the SHA-256 of input and
output (docs/design/redaction.md, invariant 5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from watchkeeper.evidence.manifest import times
from watchkeeper.redaction.detect import model_info
from watchkeeper.redaction.plan import Decision, ManualBox, Settings
from watchkeeper.redaction.track import Track

__all__ = ["LOG_FORMAT", "NO_ONE_NOTE", "log_bytes", "redaction_log"]

LOG_FORMAT = "watchkeeper-redaction-log/1"
NO_ONE_NOTE = "no faces found and no manual boxes: the copy shows what the source shows"


def redaction_log(
    *,
    redaction_id: int,
    package: str,
    source: str,
    source_sha256: str,
    output: str,
    output_sha256: str,
    rendered_by: str,
    rendered_us: int,
    created_by: str,
    tracks: Sequence[Track],
    decisions: Mapping[str, Mapping[str, Any]],
    manual: Sequence[ManualBox],
    settings: Settings,
    clip: Mapping[str, Any],
    frames_redacted: int,
) -> dict[str, Any]:
    track_rows = []
    for t in tracks:
        d = decisions.get(str(t.id), {})
        track_rows.append({
            "track": t.id,
            "first_frame": t.frames[0],
            "last_frame": t.frames[-1],
            "detections": len(t.frames),
            "decision": d.get("decision", Decision.REDACT.value),
            "decided_by": d.get("by", "default"),
            **({"merged_from": t.merged_from} if t.merged_from else {}),
            **({"decided_at_utc": times("decided", d["at_us"])["decided_utc"]}
               if "at_us" in d else {}),
        })  # fmt: skip
    notes = []
    if not tracks and not manual:
        notes.append(NO_ONE_NOTE)
    return {
        "format": LOG_FORMAT,
        "redaction": redaction_id,
        "package": package,
        "created_by": created_by,
        "rendered_by": rendered_by,
        **times("rendered", rendered_us),
        "input": {"path": source, "sha256": source_sha256},
        "output": {"path": output, "sha256": output_sha256},
        "clip": {k: clip[k] for k in ("width", "height", "frames", "rate") if k in clip},
        "frames_redacted": frames_redacted,
        "settings": settings.to_json(),
        "models": model_info(),
        "tracks": track_rows,
        "manual_boxes": [m.to_json() for m in manual],
        "notes": notes,
    }


def log_bytes(log: Mapping[str, Any]) -> bytes:
    return (json.dumps(log, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
