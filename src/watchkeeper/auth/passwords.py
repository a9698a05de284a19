"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "check_password",
    "dummy_hash",
    "generate_password",
    "hash_password",
    "needs_rehash",
]

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str, check_length: bool = True) -> str:
    """An argon2id hash; ``check_length=False`` only to re-hash a password already in use."""
    if check_length and len(password) < MIN_LENGTH:
        from watchkeeper.errors import ValidationError

        raise ValidationError(f"password must have at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (upgrade at log-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def dummy_hash() -> str:
    """A hash of a random password, made once: unknown users cost a real verification."""
    return _hasher.hash(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random password for a first administrator, printed once."""
    return secrets.token_urlsafe(15)
