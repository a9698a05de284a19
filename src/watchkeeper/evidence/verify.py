"""Check a package: signature over the manifest, every file's hash, nothing added or missing.

Uses only the package itself (and, when given, the key the recipient trusts), exactly as
the README's ``openssl`` and ``sha256sum`` commands do; it names every problem it finds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from watchkeeper.errors import ValidationError
from watchkeeper.evidence.manifest import (
    FORMATS,
    MANIFEST,
    PUBLIC_KEY,
    RELEASE_KIND,
    SIGNATURE,
    SUMS,
    UNREDACTED_DIRS,
    UNSIGNED,
    hash_file,
    package_files,
    sums_text,
)
from watchkeeper.evidence.signing import fingerprint, verify_signature

__all__ = ["VerifyReport", "verify_package"]


@dataclass
class VerifyReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(path: Path, trusted_public_pem: bytes | None = None) -> VerifyReport:
    """Every check on the package at ``path``; ``ok`` only when none failed."""
    report = VerifyReport(path)
    if not path.is_dir():
        raise ValidationError(f"{path} is not a package folder")
    try:
        body = (path / MANIFEST).read_bytes()
        sig = (path / SIGNATURE).read_bytes()
        public = (path / PUBLIC_KEY).read_bytes()
    except OSError as exc:
        report.problems.append(f"missing {Path(exc.filename or '?').name}")
        return report
    try:
        report.fingerprint = fingerprint(public)
    except ValidationError as exc:
        report.problems.append(f"{PUBLIC_KEY}: {exc}")
    if not verify_signature(public, body, sig):
        report.problems.append(f"{SIGNATURE}: not a valid signature of {MANIFEST} by {PUBLIC_KEY}")
    if trusted_public_pem is not None and public.strip() != trusted_public_pem.strip():
        report.problems.append(f"{PUBLIC_KEY} is not the trusted key")
    try:
        manifest = json.loads(body)
        files: dict[str, str] = dict(manifest["files"])
        fmt = manifest["format"]
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"{MANIFEST} is not a readable manifest")
        return report
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        report.problems.append(f"unknown package format {fmt!r} (this verifier reads {known})")
    present = set(package_files(path)) - UNSIGNED
    if manifest.get("kind") == RELEASE_KIND:
        for name in sorted(x for x in present | set(files) if x.startswith(UNREDACTED_DIRS)):
            report.problems.append(f"{name}: an unredacted picture in a release package")
    for name in sorted(present - set(files)):
        report.problems.append(f"{name}: in the package but not in the manifest")
    for name, digest in sorted(files.items()):
        if name not in present:
            report.problems.append(f"{name}: listed in the manifest but missing")
            continue
        report.checked += 1
        if hash_file(path / name) != digest:
            report.problems.append(f"{name}: SHA-256 differs from the manifest")
    if SUMS in present and (path / SUMS).read_bytes() != sums_text(files).encode():
        report.problems.append(f"{SUMS} does not match the manifest")
    return report
