"""The release package: what a data subject (or anyone but the police) receives.

A release never contains an unredacted picture of anyone (docs/design/redaction.md,
invariant 9): only the redacted copy, its redaction log, the README, the public key and a
signed manifest. The master, the working copy and the stills stay in the council's full
redacted package (``<package>_R<id>``); the release names them by their hashes only, as
provenance. Format ``watchkeeper-evidence/2``, ``kind: release`` (evidence.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment

from watchkeeper.evidence.manifest import (
    MANIFEST,
    PUBLIC_KEY,
    RELEASE_FORMAT,
    RELEASE_KIND,
    SIGNATURE,
    SUMS,
    UNSIGNED,
    hash_file,
    manifest_bytes,
    package_files,
    sums_text,
    times,
)
from watchkeeper.evidence.recipient import VERIFY_COMMANDS
from watchkeeper.evidence.signing import SigningKey, fingerprint
from watchkeeper.redaction.package import fsync_tree, link_file

__all__ = ["RELEASE_SUFFIX", "release_name", "seal_release"]

RELEASE_SUFFIX = "_release"
_KEEP = ("format", "system", "request", "exhibit", "camera", "stream", "window",
         "clock_offset_us", "gaps")  # fmt: skip

_README = """\
Release package {{ m.format }} ({{ m.kind }})
==============================================================

Camera:     {{ m.camera.id }} {{ m.camera.name }}
Location:   {{ m.camera.location or "-" }}, {{ m.camera.area }}, {{ m.camera.site }}
Window:     {{ m.window.start_london }} to {{ m.window.end_london }}
            {{ m.window.start_utc }} to {{ m.window.end_utc }} (UTC)
Request:    {{ m.request or "-" }}
Released:   {{ m.created_london }}, prepared by {{ m.operator }}
System:     {{ m.system.name }} {{ m.system.version }}, id {{ m.system.id }}
Public key fingerprint (SHA-256 of the DER key):
            {{ fingerprint }}

What is here
------------
This package holds the footage with everyone but you obscured. It holds no picture of
anyone as recorded: the recording itself is kept by the council as evidence.
{% for r in m.redacted %}
{{ r.path }}
            The redacted video ({{ r.frames }} frames, {{ r.frames_redacted }} with something
            obscured), SHA-256 {{ r.sha256 }}.
{{ r.log }}
            The redaction log: every face found, what was decided and by whom, every box
            drawn by hand, the settings and the hashes of the input and the output.
{% endfor %}
{{ manifest }}  Facts about the footage and the SHA-256 of every other file. Under
            "derived_from" it names the council's package this was made from and the
            SHA-256 of each recorded file, so the council can show where it came from.
{{ signature }}  Ed25519 signature of {{ manifest }} by the system's key.
{{ public_key }}  The system's public key.
{{ sums }}  The hashes in the form sha256sum reads.

How to verify (Linux, macOS, or Windows with Git Bash; OpenSSL 3)
-----------------------------------------------------------------
In this folder run:

{{ commands }}
All three must succeed: "Signature Verified Successfully", every file "OK", and the last
line printed. Then check that the fingerprint of {{ public_key }} matches the one the
council publishes:

openssl pkey -pubin -in {{ public_key }} -outform DER | sha256sum
"""

_env = Environment(autoescape=False, keep_trailing_newline=True)  # noqa: S701 (plain text)


def release_name(redacted_package: str) -> str:
    return redacted_package + RELEASE_SUFFIX


def _provenance(full: Path, body: bytes, manifest: dict[str, Any]) -> dict[str, Any]:
    files: dict[str, str] = manifest["files"]
    src = manifest.get("derived_from") or {}
    return {
        "package": full.name,
        "manifest_sha256": hashlib.sha256(body).hexdigest(),
        "source_package": src.get("package", ""),
        "source_manifest_sha256": src.get("manifest_sha256", ""),
        "master": [
            {k: m[k] for k in ("path", "sha256", "size", "start_utc", "end_utc") if k in m}
            for m in manifest.get("master", [])
        ],
        "working": [
            {"path": w["path"], "sha256": files.get(w["path"], "")}
            for w in manifest.get("working", [])
        ],
    }


def readme(manifest: dict[str, Any], public_pem: bytes) -> str:
    return _env.from_string(_README).render(
        m=manifest, fingerprint=fingerprint(public_pem), commands=VERIFY_COMMANDS,
        manifest=MANIFEST.ljust(10), signature=SIGNATURE.ljust(10),
        public_key=PUBLIC_KEY.ljust(10), sums=SUMS.ljust(10),
    )  # fmt: skip


def seal_release(full: Path, key: SigningKey, operator: str, now_us: int) -> Path:
    """Make ``<full>_release`` beside the full redacted package ``full``; return its path."""
    body = (full / MANIFEST).read_bytes()
    src = json.loads(body)
    final = full.parent / release_name(full.name)
    stage = full.parent / f".{final.name}.part"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        manifest: dict[str, Any] = {k: src[k] for k in _KEEP if k in src}
        manifest.update(format=RELEASE_FORMAT, kind=RELEASE_KIND, operator=operator,
                        redacted=src["redacted"], derived_from=_provenance(full, body, src),
                        **times("created", now_us))  # fmt: skip
        for entry in src["redacted"]:
            for rel in (entry["path"], entry["log"]):
                link_file(full / rel, stage / rel)
        public = key.public_pem()
        (stage / PUBLIC_KEY).write_bytes(public)
        (stage / "README.txt").write_text(readme(manifest, public), encoding="utf-8")
        files = {p: hash_file(stage / p) for p in package_files(stage) if p not in UNSIGNED}
        (stage / SUMS).write_text(sums_text(files), encoding="utf-8")
        files[SUMS] = hash_file(stage / SUMS)
        manifest["files"] = files
        signed = manifest_bytes(manifest)
        (stage / MANIFEST).write_bytes(signed)
        (stage / SIGNATURE).write_bytes(key.sign(signed))
        fsync_tree(stage)
        shutil.rmtree(final, ignore_errors=True)
        stage.rename(final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return final
