"""Stills: the picture on screen at chosen instants, decoded from the master, as JPEG.

Each still is the frame on screen at its instant (the last frame at or before it), decoded
from the recorded GOP that holds it, so it shows exactly what the master holds. The
package lists each still with its instant; the stills register records every still made.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.evidence.manifest import times
from watchkeeper.playback.layout import build_runs, load_rows
from watchkeeper.playback.snapshot import decode_at, encode_jpeg
from watchkeeper.playback.vmp4 import VirtualMp4
from watchkeeper.recording.models import InitSegment
from watchkeeper.storage.files import SegmentFiles
from watchkeeper.timeutil import format_local

__all__ = ["make_stills", "virtual_runs"]


def virtual_runs(
    s: Session, root: Path | SegmentFiles, camera_id: str, stream: str, start_us: int, end_us: int
) -> list[VirtualMp4]:
    """The window as playback assembles it: one virtual file per video format."""
    rows = load_rows(s, camera_id, stream, start_us, end_us)
    out = []
    for run in build_runs(rows, start_us, end_us, split_gaps=False):
        init = s.get(InitSegment, run.init_id)
        if init is None:
            raise NotFound(f"init segment {run.init_id} missing")
        out.append(VirtualMp4(run, init.data, init.timescale, root))
    return out


def make_stills(
    runs: Sequence[VirtualMp4], camera_id: str, instants: Sequence[int], start_us: int,
    end_us: int, folder: Path,
) -> list[dict[str, Any]]:  # fmt: skip
    """Write ``stills/<camera>-<n>.jpg`` under ``folder``; their manifest entries."""
    if not instants:
        return []
    (folder / "stills").mkdir()
    entries = []
    for n, at in enumerate(sorted(instants), 1):
        if not start_us <= at < end_us:
            raise ValidationError(f"a still at {format_local(at)} is outside the window")
        vm = next((v for v in runs if v.run.start_us <= at < v.run.end_us), None)
        if vm is None:
            raise NotFound(f"nothing recorded at {format_local(at)} for a still")
        rel = f"stills/{camera_id}-{n}.jpg"
        (folder / rel).write_bytes(encode_jpeg(decode_at(vm, at)))
        entries.append({"path": rel, **times("at", at)})
    return entries
