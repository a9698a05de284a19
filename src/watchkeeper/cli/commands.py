"""The command modules the ``watchkeeper`` command is assembled from."""

from __future__ import annotations

from types import ModuleType

from watchkeeper.cli import (
    audit,
    cameras,
    evidence,
    nodes,
    police,
    record,
    records,
    redaction,
    reports,
    server,
    simulate,
    storage,
    users,
)

__all__ = ["MODULES"]

MODULES: tuple[ModuleType, ...] = (
    server,
    users,
    cameras,
    audit,
    records,
    record,
    simulate,
    evidence,
    redaction,
    reports,
    nodes,
    storage,
    police,
)
