"""The redacted package: a new folder beside the export package, with the redacted copy.

The source package is never changed (docs/design/redaction.md, invariant 1). Its files are
hard-linked (copied where links are impossible) into a staging folder, the redacted copy
and its log are added under ``redacted/``, and a new manifest (format unchanged: fields and
files are only added) is written and signed. The staging folder is renamed into place when
complete, as the export builder does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from watchkeeper.evidence.manifest import (
    MANIFEST,
    SIGNATURE,
    SUMS,
    UNSIGNED,
    hash_file,
    manifest_bytes,
    package_files,
    sums_text,
)
from watchkeeper.evidence.signing import SigningKey

__all__ = ["REDACTED_DIR", "derived_name", "fsync_tree", "link_file", "seal_redacted", "stage_dir"]

REDACTED_DIR = "redacted"


def derived_name(package: str, redaction_id: int) -> str:
    return f"{package}_R{redaction_id}"


def stage_dir(job_dir: Path, package: str, redaction_id: int) -> Path:
    """Where the redacted package is assembled before it is renamed into place."""
    return job_dir / f".{derived_name(package, redaction_id)}.part"


def link_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def fsync_tree(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def seal_redacted(
    source: Path,
    stage: Path,
    key: SigningKey,
    entry: dict[str, Any],
) -> Path:
    """Complete ``stage`` (which already holds ``redacted/...``) into the final package.

    ``entry`` is the manifest's record of the redacted file (path, log, source, hashes).
    """
    body = (source / MANIFEST).read_bytes()
    manifest = json.loads(body)
    for rel in package_files(source):
        if rel in UNSIGNED or rel == SUMS:
            continue
        link_file(source / rel, stage / rel)

    manifest["derived_from"] = {
        "package": source.name,
        "manifest_sha256": hashlib.sha256(body).hexdigest(),
    }
    manifest["redacted"] = [*manifest.get("redacted", []), entry]
    files = {p: hash_file(stage / p) for p in package_files(stage) if p not in UNSIGNED}
    files.pop(SUMS, None)
    (stage / SUMS).write_text(sums_text(files), encoding="utf-8")
    files[SUMS] = hash_file(stage / SUMS)
    manifest["files"] = files
    new = manifest_bytes(manifest)
    (stage / MANIFEST).write_bytes(new)
    (stage / SIGNATURE).write_bytes(key.sign(new))
    fsync_tree(stage)
    final = stage.parent / stage.name.removeprefix(".").removesuffix(".part")
    shutil.rmtree(final, ignore_errors=True)
    stage.rename(final)
    return final
