"""Imports every module that defines tables, so ``Base.metadata`` is complete.

Alembic's environment and the schema tests import this module. A domain that
adds tables adds its models module here.
"""

from __future__ import annotations

from watchkeeper.analytics import models as analytics_models
from watchkeeper.audit import models as audit_models
from watchkeeper.auth import models as auth_models
from watchkeeper.cameras import models as camera_models
from watchkeeper.cluster import models as cluster_models
from watchkeeper.db.base import Base
from watchkeeper.evidence import models as evidence_models
from watchkeeper.governance import models as governance_models
from watchkeeper.police import models as police_models
from watchkeeper.ptz import models as ptz_models
from watchkeeper.recording import models as recording_models
from watchkeeper.records import incident_models, log_models
from watchkeeper.redaction import models as redaction_models

__all__ = ["UNMAPPED_TABLES", "Base", "include_mapped", "metadata"]

_MODULES = (
    audit_models,
    auth_models,
    camera_models,
    recording_models,
    incident_models,
    log_models,
    evidence_models,
    ptz_models,
    analytics_models,
    redaction_models,
    governance_models,
    cluster_models,
    police_models,
)
metadata = Base.metadata

UNMAPPED_TABLES = ("incident_fts",)
"""Prefixes of tables the migrations make outside the ORM, different by dialect on purpose:
the incident search index (an FTS5 virtual table and its shadow tables on SQLite, a
tsvector table on PostgreSQL)."""


def include_mapped(name: str | None, type_: str, *_: object) -> bool:
    """Alembic ``include_name`` filter: leave the unmapped tables out of comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(UNMAPPED_TABLES))
