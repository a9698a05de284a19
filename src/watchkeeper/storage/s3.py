"""The one door to the object store: a boto3 S3 client behind a single error boundary.

Every call goes through :meth:`ObjectStore._call`, which turns botocore's errors into
``StorageError`` (``ObjectLocked`` when the store refuses a deletion because of Object Lock),
with the access keys and any credentials in a URL masked, so no secret leaves this module.
Works with any S3-compatible store (SeaweedFS in the tests); path-style addressing, so a
store on a bare IP address works.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from watchkeeper.cameras.redact import redact_text
from watchkeeper.errors import StorageError
from watchkeeper.storage.config import StorageConfig

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["ObjectLocked", "ObjectStore"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_CHUNK = 1024 * 1024
_LOCK_CODES = {"AccessDenied", "InvalidRequest", "ObjectLocked"}


class ObjectLocked(StorageError):
    """The store refused to delete or overwrite an object under Object Lock."""


class ObjectStore:
    """Put, read (whole or by byte range), hash and delete objects in one bucket."""

    def __init__(self, config: StorageConfig) -> None:
        if config.bucket is None:
            raise StorageError("no bucket configured (storage.bucket)")
        self.bucket = config.bucket
        self._secrets = [x for x in (config.access_key, config.secret_key) if x]
        self._client: S3Client = boto3.session.Session().client(
            "s3",
            endpoint_url=config.endpoint_url,
            region_name=config.region,
            aws_access_key_id=config.access_key,
            aws_secret_access_key=config.secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self._transfer = TransferConfig(multipart_threshold=64 * _CHUNK, use_threads=False)

    # -- the error boundary ------------------------------------------------------------
    def _mask(self, text: str) -> str:
        text = redact_text(text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _call(self, what: str, fn: Callable[[], T], deleting: bool = False) -> T:
        try:
            return fn()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            msg = self._mask(f"object store: {what}: {code or exc}")
            if deleting and code in _LOCK_CODES:
                raise ObjectLocked(msg + " (Object Lock: retained)") from None
            raise StorageError(msg) from None
        except (BotoCoreError, OSError) as exc:
            raise StorageError(self._mask(f"object store: {what}: {exc}")) from None

    # -- bucket --------------------------------------------------------------------------
    def ensure_bucket(self, object_lock: bool = True) -> None:
        """Create the bucket (with Object Lock enabled, which needs versioning) if missing."""

        def make() -> None:
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except ClientError:
                self._client.create_bucket(
                    Bucket=self.bucket, ObjectLockEnabledForBucket=object_lock
                )

        self._call(f"create bucket {self.bucket}", make)

    # -- objects -------------------------------------------------------------------------
    def put_file(self, key: str, path: Path, retain_until_us: int | None = None) -> str | None:
        """Upload a file; with ``retain_until_us``, under Object Lock in compliance mode.

        Returns the version id (a locked bucket is versioned), or None."""
        extra: dict[str, Any] = {}
        if retain_until_us is not None:
            extra["ObjectLockMode"] = "COMPLIANCE"
            extra["ObjectLockRetainUntilDate"] = datetime.fromtimestamp(retain_until_us / 1e6, UTC)

        def put() -> str | None:
            with path.open("rb") as fh:
                if extra:  # lock headers go with a single PUT
                    r = self._client.put_object(Bucket=self.bucket, Key=key, Body=fh, **extra)
                    return r.get("VersionId")
                self._client.upload_fileobj(fh, self.bucket, key, Config=self._transfer)
            head = self._client.head_object(Bucket=self.bucket, Key=key)
            return head.get("VersionId")

        return self._call(f"upload {key}", put)

    def size_of(self, key: str) -> int | None:
        """The object's size by one HEAD, or None when the store has no such object."""

        def head() -> int | None:
            try:
                return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in {"404", "NoSuchKey", "NotFound"}:
                    return None
                raise

        return self._call(f"inspect {key}", head)

    def read_range(self, key: str, offset: int, size: int) -> bytes:
        """Bytes ``[offset, offset + size)`` by one ranged GET (fewer at the object's end)."""
        if size <= 0:
            return b""

        def get() -> bytes:
            r = self._client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={offset}-{offset + size - 1}"
            )
            return r["Body"].read()

        return self._call(f"read {key}", get)

    def iter_object(self, key: str) -> Iterator[bytes]:
        """The whole object in chunks (exports copy it, hashing as they go)."""
        body = self._call(
            f"read {key}", lambda: self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
        )
        while True:
            chunk = self._call(f"read {key}", lambda: body.read(_CHUNK))
            if not chunk:
                return
            yield chunk

    def sha256(self, key: str) -> tuple[str, int]:
        """SHA-256 (hex) and size of the stored object, by reading it back."""
        h = hashlib.sha256()
        size = 0
        for chunk in self.iter_object(key):
            h.update(chunk)
            size += len(chunk)
        return h.hexdigest(), size

    def retention(self, key: str) -> tuple[str | None, datetime | None]:
        """The object's lock mode and retain-until date, as the store reports them."""
        head = self._call(
            f"inspect {key}", lambda: self._client.head_object(Bucket=self.bucket, Key=key)
        )
        return head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate")

    def delete(self, key: str) -> None:
        """Delete every version of ``key``; ``ObjectLocked`` if the store refuses."""

        versions, markers = self._versions(key)
        for version in versions + markers or [None]:
            self._call(f"delete {key}", partial(self._delete_one, key, version), deleting=True)

    def earlier_versions(self, key: str) -> int:
        """How many stored versions ``key`` has (behind a delete marker when HEAD finds none)."""
        return len(self._versions(key)[0])

    def _versions(self, key: str) -> tuple[list[str | None], list[str | None]]:
        def listing() -> tuple[list[str | None], list[str | None]]:
            r = self._client.list_object_versions(Bucket=self.bucket, Prefix=key)
            found = [v.get("VersionId") for v in r.get("Versions", []) if v.get("Key") == key]
            gone = [m.get("VersionId") for m in r.get("DeleteMarkers", []) if m.get("Key") == key]
            return found, gone

        return self._call(f"list versions of {key}", listing)

    def _delete_one(self, key: str, version: str | None) -> None:
        if version is None or version == "null":
            self._client.delete_object(Bucket=self.bucket, Key=key)
        else:
            self._client.delete_object(Bucket=self.bucket, Key=key, VersionId=version)
