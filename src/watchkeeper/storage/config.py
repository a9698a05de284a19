"""Settings of the object-store tier (the site file's ``storage:`` section). Off by default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["StorageConfig"]


class StorageConfig(BaseModel):
    """Where older segments and locked evidence go: any S3-compatible object store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bucket: str | None = Field(
        None, min_length=3, max_length=63, description="Bucket name; None: no object tier"
    )
    endpoint_url: str | None = Field(
        None, description="S3 endpoint, e.g. http://127.0.0.1:8333; None: the SDK's default"
    )
    region: str = Field("us-east-1", min_length=1, description="Region the SDK signs for")
    # Plain strings, not SecretStr: the settings travel to worker processes as JSON on
    # standard input. They are never logged; errors from the store are masked (storage/s3.py).
    access_key: str | None = Field(
        None, repr=False, description="Access key id (WATCHKEEPER_STORAGE__ACCESS_KEY)"
    )
    secret_key: str | None = Field(
        None, repr=False, description="Secret key (WATCHKEEPER_STORAGE__SECRET_KEY)"
    )
    tier_after_hours: float = Field(
        24.0, ge=0.0, le=24 * 365, description="Move a segment to the bucket once this old"
    )
    tier_interval_s: float = Field(
        300.0, ge=1.0, le=86_400.0, description="How often the tier mover looks"
    )
    lock_held: bool = Field(
        True, description="Tier held footage with Object Lock (compliance) until the hold ends"
    )
    hold_lock_days: int = Field(
        90, ge=1, le=3650, description="Lock held footage this long when the hold has no expiry"
    )

    @property
    def enabled(self) -> bool:
        return self.bucket is not None
