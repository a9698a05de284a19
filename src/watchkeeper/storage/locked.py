"""Evidence packages into the bucket under Object Lock (compliance mode).

A package is uploaded file by file under ``evidence/<package folder name>/``, each object
locked until ``retain_until_us``: until then the store refuses to delete or overwrite it,
whoever asks. The manifest and signature travel with it, so a copy fetched back verifies
exactly as the original (``watchkeeper verify``).
"""

from __future__ import annotations

from pathlib import Path

from watchkeeper.errors import ValidationError
from watchkeeper.storage.s3 import ObjectStore

__all__ = ["PREFIX", "lock_package"]

PREFIX = "evidence/"


def lock_package(store: ObjectStore, package: Path, retain_until_us: int, now_us: int) -> list[str]:
    """Upload every file of ``package`` locked until ``retain_until_us``; returns the keys."""
    if retain_until_us <= now_us:
        raise ValidationError("a lock must end in the future")
    if not package.is_dir():
        raise ValidationError(f"{package.name}: not a package folder")
    keys = []
    for path in sorted(p for p in package.rglob("*") if p.is_file()):
        key = f"{PREFIX}{package.name}/{path.relative_to(package).as_posix()}"
        store.put_file(key, path, retain_until_us)
        keys.append(key)
    return keys
