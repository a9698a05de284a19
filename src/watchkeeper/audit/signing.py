"""The audit log's anchor outside the database: HMACs under a key from the system key.

Anyone who can write to the database can rebuild a chain of SHA-256 hashes; nobody
can sign its head without the system key, which lives in the settings or the data
folder's ``secret.key``, not in the database.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["audit_key", "checkpoint_mac", "head_mac"]


def audit_key(secret_key: str) -> bytes:
    """A key for the audit log only, derived from the system key."""
    return hmac.new(secret_key.encode(), b"watchkeeper audit head v1", hashlib.sha256).digest()


def head_mac(key: bytes, seq: int, digest: str) -> str:
    return hmac.new(key, f"head:{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def checkpoint_mac(key: bytes, seq: int, digest: str, at_us: int) -> str:
    return hmac.new(key, f"checkpoint:{seq}:{digest}:{at_us}".encode(), hashlib.sha256).hexdigest()
