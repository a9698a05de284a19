"""The package format (a public contract, versioned): file names, manifest bytes, checksums.

Anything a recipient's tools rely on is defined here and nowhere else. See
``docs/design/evidence.md`` for the fields and the rule for changing them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from watchkeeper.timeutil import format_local, format_utc

__all__ = [
    "FORMAT",
    "FORMATS",
    "MANIFEST",
    "PUBLIC_KEY",
    "RELEASE_FORMAT",
    "RELEASE_KIND",
    "SIGNATURE",
    "SUMS",
    "UNREDACTED_DIRS",
    "UNSIGNED",
    "hash_file",
    "manifest_bytes",
    "package_files",
    "sums_text",
    "times",
]

FORMAT = "watchkeeper-evidence/1"
"""Major version of the package format; a change of meaning is a new number."""

RELEASE_FORMAT = "watchkeeper-evidence/2"
"""Version 2 adds ``kind``; a ``release`` has no master, working copies or stills (a reader
of version 1 would take their absence for "nothing recorded", hence the new number)."""
RELEASE_KIND = "release"
UNREDACTED_DIRS = ("master/", "working/", "stills/")
"""Folders of pictures as recorded: never in a release (docs/design/evidence.md, inv. 9)."""
FORMATS = (FORMAT, RELEASE_FORMAT)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
SUMS = "SHA256SUMS"
UNSIGNED = frozenset({MANIFEST, SIGNATURE})
"""The only files the manifest does not list (it cannot list itself or its signature)."""

_READ = 1 << 20


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_READ):
            h.update(chunk)
    return h.hexdigest()


def times(prefix: str, us: int) -> dict[str, Any]:
    """``{prefix}_us``, ``{prefix}_utc`` and ``{prefix}_london`` for one instant."""
    return {
        f"{prefix}_us": us,
        f"{prefix}_utc": format_utc(us),
        f"{prefix}_london": format_local(us),
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as stored and signed: UTF-8, sorted keys, two-space indent, final newline."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def package_files(root: Path) -> list[str]:
    """Every file under ``root`` as a POSIX relative path, sorted; folders are not listed."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def sums_text(files: dict[str, str]) -> str:
    """``sha256sum -c`` input for ``files`` ({path: sha256}), less manifest.* and itself."""
    lines = [
        f"{digest}  {path}\n"
        for path, digest in sorted(files.items())
        if path not in UNSIGNED and path != SUMS
    ]
    return "".join(lines)
