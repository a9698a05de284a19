"""Build the object tier from settings: nothing at all unless a bucket is configured."""

from __future__ import annotations

from pathlib import Path

from watchkeeper.storage.config import StorageConfig
from watchkeeper.storage.files import SegmentFiles

__all__ = ["segment_files"]


def segment_files(root: Path, config: StorageConfig) -> SegmentFiles:
    """Where segments are read from: the folder, and the bucket when one is configured."""
    if not config.enabled:
        return SegmentFiles(root)
    from watchkeeper.storage.s3 import ObjectStore  # boto3 only where it is used

    return SegmentFiles(root, ObjectStore(config))
