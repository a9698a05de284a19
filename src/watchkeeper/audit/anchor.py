"""Signed checkpoints of the audit log's head, kept outside the database.

Every few minutes (and on ``watchkeeper audit checkpoint``) the head's sequence
number and hash are appended, with an HMAC under the audit key, to a file in the data
folder and to the ``watchkeeper.audit.checkpoint`` logger (which an operator may send
to syslog or another host). ``verify_anchored`` then checks, besides the chain:

* the head's own HMAC, so a chain rebuilt by someone without the system key fails;
* every checkpoint: its HMAC, and that the entry it names still has the hash it had,
  so cutting the log back to an earlier state, or wiping it, fails too.

Line format (one per checkpoint): ``seq hash at_us hmac``.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from watchkeeper.audit.models import AuditEntry, AuditHead
from watchkeeper.audit.service import Actor, VerifyResult, record, verify
from watchkeeper.audit.signing import checkpoint_mac, head_mac
from watchkeeper.db.engine import Database
from watchkeeper.timeutil import Clock, format_utc

__all__ = [
    "CHECKPOINT_FILE",
    "Checkpoint",
    "CheckpointWriter",
    "read_checkpoints",
    "seal",
    "verify_anchored",
    "write_checkpoint",
]

CHECKPOINT_FILE = "audit-checkpoints.log"
log = logging.getLogger("watchkeeper.audit.checkpoint")


@dataclass(frozen=True)
class Checkpoint:
    line: int
    seq: int
    hash: str
    at_us: int
    mac: str

    def signed_by(self, key: bytes) -> bool:
        return hmac.compare_digest(self.mac, checkpoint_mac(key, self.seq, self.hash, self.at_us))


def read_checkpoints(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in ``path`` (none if it does not exist) and unreadable lines."""
    if not path.exists():
        return [], []
    found: list[Checkpoint] = []
    bad: list[str] = []
    for n, raw in enumerate(path.read_text(encoding="ascii", errors="replace").splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        try:
            seq, digest, at_us, mac = parts
            found.append(Checkpoint(n, int(seq), digest, int(at_us), mac))
        except ValueError:
            bad.append(f"{path.name} line {n} is not a checkpoint")
    return found, bad


def write_checkpoint(s: Session, key: bytes, path: Path, clock: Clock) -> Checkpoint | None:
    """Append the head to the checkpoint file (fsynced) unless it is there already."""
    head = s.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    existing, _ = read_checkpoints(path)
    if existing and existing[-1].seq == head.seq:
        return None
    at_us = clock.now_us()
    mac = checkpoint_mac(key, head.seq, head.hash, at_us)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as fh:
        fh.write(f"{head.seq} {head.hash} {at_us} {mac}\n")
        fh.flush()
        os.fsync(fh.fileno())
    log.info("audit checkpoint seq=%d hash=%s at_us=%d hmac=%s", head.seq, head.hash, at_us, mac)
    return Checkpoint(len(existing) + 1, head.seq, head.hash, at_us, mac)


def verify_anchored(
    s: Session, key: bytes | None, checkpoints: Path | None, check_head: bool = True
) -> VerifyResult:
    """The chain, then the head's signature, then every checkpoint against the log."""
    result = verify(s)
    if not result.ok:
        return result
    head = s.get(AuditHead, 1)
    assert head is not None  # verify fails without a head
    n = result.checked
    if key is not None and head.seq > 0 and check_head:
        if not head.mac:
            return VerifyResult(
                False, n, head.seq, "the head is unsigned (written without the system key)"
            )
        if not hmac.compare_digest(head.mac, head_mac(key, head.seq, head.hash)):
            return VerifyResult(
                False,
                n,
                head.seq,
                "the head's signature does not match the system key "
                "(the chain was rebuilt, or the key was changed)",
            )
    if checkpoints is None or key is None:
        return result
    found, bad = read_checkpoints(checkpoints)
    if bad:
        return VerifyResult(False, n, None, bad[0])
    for cp in found:
        where = f"checkpoint {cp.line} ({format_utc(cp.at_us)})"
        if not cp.signed_by(key):
            return VerifyResult(False, n, None, f"{where} is not signed with the system key")
        if cp.seq > head.seq:
            return VerifyResult(
                False,
                n,
                head.seq + 1,
                f"the log ends at entry {head.seq} but {where} saw entry {cp.seq}",
            )
        row = s.get(AuditEntry, cp.seq)
        if row is None or row.hash != cp.hash:
            return VerifyResult(False, n, cp.seq, f"entry {cp.seq} differs from {where}")
    return result


def seal(s: Session, key: bytes, checkpoints: Path, actor: Actor, clock: Clock) -> VerifyResult:
    """Sign an unsigned (or wrongly signed) head after checking everything else.

    For a database upgraded from before the signed head, or after the system key was
    changed. The chain and every checkpoint must verify first; the seal is audited.
    """
    result = verify_anchored(s, key, checkpoints, check_head=False)
    if not result.ok:
        return result
    head = s.get(AuditHead, 1)
    assert head is not None
    if head.seq == 0:
        return result  # an empty log has nothing to sign
    before = head.mac
    head.mac = head_mac(key, head.seq, head.hash)
    s.flush()
    details = {"seq": head.seq, "was_signed": bool(before)}
    record(s, actor, "audit.seal", "audit", str(head.seq), "head signed", details, clock=clock)
    return VerifyResult(True, result.checked + 1)


class CheckpointWriter:
    """Writes a checkpoint every ``minutes`` in a daemon thread until stopped."""

    def __init__(self, db: Database, path: Path, clock: Clock, minutes: float) -> None:
        if db.audit_key is None:
            raise ValueError("checkpoints need the audit key")
        self._key = db.audit_key
        self._db, self._path, self._clock = db, path, clock
        self._every = minutes * 60
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def write_now(self) -> Checkpoint | None:
        with self._db.session() as s:
            return write_checkpoint(s, self._key, self._path, self._clock)

    def _run(self) -> None:
        while True:
            stopping = self._stop.wait(self._every)
            try:
                self.write_now()
            except Exception:  # a failed checkpoint must not stop the next one
                log.exception("audit checkpoint failed")
            if stopping:
                return
