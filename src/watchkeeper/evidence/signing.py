"""The system's Ed25519 signing key: made once, kept in the data folder, never exported.

The private key is ``DATA_DIR/evidence_signing.key`` (PKCS#8 PEM, mode 0600), created by
``watchkeeper init`` or on first use. Packages carry the public key; the server publishes it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from watchkeeper.errors import StorageError, ValidationError

__all__ = [
    "KEY_FILE",
    "SigningKey",
    "ensure_signing_key",
    "fingerprint",
    "load_public_pem",
    "verify_signature",
]

KEY_FILE = "evidence_signing.key"


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 (hex) of the public key's DER form: what a recipient compares."""
    der = load_public_pem(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def load_public_pem(public_pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(public_pem)
    except ValueError as exc:
        raise ValidationError("public key is not a readable PEM key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationError("public key is not an Ed25519 key")
    return key


def verify_signature(public_pem: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the key's Ed25519 signature of ``data``."""
    try:
        load_public_pem(public_pem).verify(signature, data)
    except (InvalidSignature, ValidationError):
        return False
    return True


class SigningKey:
    """The private key, loaded from its file."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read the evidence signing key {path.name}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise StorageError(f"{path.name} is not an Ed25519 key")
        return cls(key)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def public_pem(self) -> bytes:
        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def system_id(self) -> str:
        return "wk-" + fingerprint(self.public_pem())[:16]


def ensure_signing_key(data_dir: Path) -> tuple[SigningKey, bool]:
    """The system's key, created (0600, never overwritten) if missing; True if created."""
    path = data_dir / KEY_FILE
    if path.exists():
        return SigningKey.load(path), False
    data_dir.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SigningKey.load(path), False
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    return SigningKey.load(path), True
