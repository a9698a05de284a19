"""Append to and verify the hash-chained audit log.

Invariant 5 of DESIGN.md: the log is append-only and hash-chained. Each entry's hash
covers the previous entry's hash and its own fields in a canonical form, so editing,
deleting or inserting a row anywhere breaks the chain from that row on. Entries are
written in the caller's session, so the audit row commits or rolls back together
with the action it records.

The head row (last sequence number and hash) is signed with an HMAC under a key
derived from the system key, which the session carries in ``info["audit_key"]``;
see :mod:`watchkeeper.audit.anchor` for the signature and the checkpoint file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from watchkeeper.audit.models import AuditEntry, AuditHead
from watchkeeper.audit.signing import head_mac
from watchkeeper.timeutil import Clock, SystemClock

__all__ = ["GENESIS", "Actor", "VerifyResult", "entry_hash", "record", "verify"]

GENESIS = "0" * 64
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who did it: a user (id and name) or the system itself."""

    user_id: int | None
    username: str

    @classmethod
    def system(cls, name: str = SYSTEM) -> Actor:
        return cls(None, name)


def _canonical(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    prev_hash: str,
    seq: int,
    at_us: int,
    user_id: int | None,
    username: str,
    action: str,
    object_type: str,
    object_id: str,
    reason: str,
    details: str,
) -> str:
    """SHA-256 of the previous hash and every field, joined unambiguously."""
    fields = [
        prev_hash,
        str(seq),
        str(at_us),
        "" if user_id is None else str(user_id),
        username,
        action,
        object_type,
        object_id,
        reason,
        details,
    ]
    payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> AuditEntry:
    """Append one entry in ``session``'s transaction.

    The head row is updated first: on SQLite that takes the write lock, on
    PostgreSQL a row lock, so two writers can never chain onto the same hash.
    """
    at_us = (clock or SystemClock()).now_us()
    bumped = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    session.refresh(head)
    canon = _canonical(details)
    digest = entry_hash(
        head.hash,
        head.seq,
        at_us,
        actor.user_id,
        actor.username,
        action,
        object_type,
        object_id,
        reason,
        canon,
    )
    entry = AuditEntry(
        seq=head.seq,
        at_us=at_us,
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        details=canon,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    session.flush()  # the entry first: the head may only move onto a row that exists
    key = session.info.get("audit_key")
    signed = key is not None and _head_was_signed(key, head.seq - 1, head.hash, head.mac)
    head.hash = digest
    # Sign only on top of a signed head: otherwise the next append would bless a chain
    # someone rebuilt without the key. An unsigned head stays unsigned until `audit seal`.
    head.mac = head_mac(key, head.seq, digest) if key is not None and signed else ""
    session.flush()
    return entry


def _head_was_signed(key: bytes, seq: int, digest: str, mac: str) -> bool:
    if seq == 0:
        return digest == GENESIS
    return hmac.compare_digest(mac, head_mac(key, seq, digest))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first entry; report the first row where it breaks."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq >= expected_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq,
                    f"entry {expected_seq} is missing (next is {e.seq})",
                )
            if e.prev_hash != prev:
                return VerifyResult(
                    False, checked, e.seq, f"entry {e.seq} does not follow entry {e.seq - 1}"
                )
            digest = entry_hash(
                e.prev_hash,
                e.seq,
                e.at_us,
                e.user_id,
                e.username,
                e.action,
                e.object_type,
                e.object_id,
                e.reason,
                e.details,
            )
            if digest != e.hash:
                return VerifyResult(
                    False, checked, e.seq, f"entry {e.seq} was altered (its hash does not match)"
                )
            prev = e.hash
            expected_seq += 1
            checked += 1
            last_seq = e.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"the log's head is missing ({checked} entries found), so its end cannot be checked",
        )
    if head.seq != last_seq or head.hash != prev:
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"the log ends at entry {last_seq} but {head.seq} were written",
        )
    return VerifyResult(True, checked)
