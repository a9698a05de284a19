"""Expiring download links for finished packages; only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import Conflict, NotFound
from watchkeeper.evidence.archive import encrypted_path, encrypted_zip, plain_path
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.models import DownloadLink, ExportJob, JobState
from watchkeeper.timeutil import US_PER_S, Clock, format_utc

__all__ = ["LINK_HOURS", "make_link", "resolve_link"]

LINK_HOURS = 24


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(
    s: Session, who: Principal, job_id: int, clock: Clock, exports: Path,
    encrypted: bool = False, hours: int = LINK_HOURS,
) -> tuple[str, DownloadLink, str | None]:  # fmt: skip
    """A new token (shown once) for a finished job's package; with ``encrypted``, an
    AES-256 zip made for this link and its password (shown once, not kept)."""
    who.require(Right.EVIDENCE_EXPORT)
    job = s.get(ExportJob, job_id)
    if job is None:
        raise NotFound(f"export job {job_id} not found")
    if job.state != JobState.DONE.value:
        raise Conflict(f"export job {job_id} is {job.state}; no package to download yet")
    token = secrets.token_urlsafe(32)
    now = clock.now_us()
    link = DownloadLink(job_id=job.id, token_sha256=_digest(token),
                        expires_us=now + hours * 3600 * US_PER_S, created_by=who.username,
                        created_us=now, encrypted=encrypted)  # fmt: skip
    s.add(link)
    s.flush()
    password = None
    if encrypted:
        _, password = encrypted_zip(job_dir(exports, job.id) / job.package, link.id)
    record(s, who.actor, "evidence.link", "evidence_job", str(job.id), "download link made",
           {"link_id": link.id, "expires": format_utc(link.expires_us), "encrypted": encrypted},
           clock=clock)  # fmt: skip
    return token, link, password


def resolve_link(s: Session, token: str, now_us: int, exports: Path) -> tuple[ExportJob, Path]:
    """The job a live token points at and the file it serves; unknown and expired tokens
    are not found alike."""
    link = s.scalar(select(DownloadLink).where(DownloadLink.token_sha256 == _digest(token)))
    if link is None or link.expires_us <= now_us:
        raise NotFound("download link unknown or expired; make a new one")
    job = s.get(ExportJob, link.job_id)
    if job is None or job.state != JobState.DONE.value:
        raise NotFound("the package of this link is gone")
    folder = job_dir(exports, job.id)
    path = (
        encrypted_path(folder, job.package, link.id)
        if link.encrypted
        else plain_path(folder, job.package)
    )
    if not path.is_file():
        raise NotFound("the package file is missing; export it again")
    return job, path
