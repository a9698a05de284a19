"""A package as one file for download: a plain zip, or an AES-256 zip that 7-Zip opens.

Both are stored, not compressed (video does not compress). The encrypted zip's password is
random, given back once to be shown to the exporter and sent to the recipient separately;
it is not kept anywhere.
"""

from __future__ import annotations

import secrets
import zipfile
from pathlib import Path

__all__ = ["encrypted_path", "encrypted_zip", "plain_path", "plain_zip"]

_WORDS = 6


def _files(package: Path) -> list[tuple[Path, str]]:
    return [
        (p, f"{package.name}/{p.relative_to(package).as_posix()}")
        for p in sorted(package.rglob("*"))
        if p.is_file()
    ]


def plain_path(job_dir: Path, package: str) -> Path:
    return job_dir / f"{package}.zip"


def encrypted_path(job_dir: Path, package: str, link_id: int) -> Path:
    return job_dir / f"{package}.link-{link_id}.aes.zip"


def plain_zip(package: Path) -> Path:
    target = plain_path(package.parent, package.name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as z:
        for path, name in _files(package):
            z.write(path, name)
    return target


def encrypted_zip(package: Path, link_id: int) -> tuple[Path, str]:
    """The AES-256 zip for one download link, and its password (shown once)."""
    import pyzipper  # only when someone asks for an encrypted download

    password = "-".join(secrets.token_hex(3) for _ in range(_WORDS))
    target = encrypted_path(package.parent, package.name, link_id)
    with pyzipper.AESZipFile(
        target, "w", compression=pyzipper.ZIP_STORED, encryption=pyzipper.WZ_AES
    ) as z:
        z.setpassword(password.encode())
        z.setencryption(pyzipper.WZ_AES, nbits=256)
        for path, name in _files(package):
            z.write(path, name)
    return target, password
