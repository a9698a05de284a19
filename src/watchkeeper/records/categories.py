"""Incident categories: a table, because councils differ and their lists change.

Retiring a category (``active = False``) takes it off the pick list; incidents that
used it keep it, so old figures stay comparable.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import ValidationError
from watchkeeper.records.incident_models import Category
from watchkeeper.timeutil import Clock

__all__ = ["save_category"]


def save_category(
    s: Session,
    who: Principal,
    cid: str,
    name: str,
    clock: Clock,
    sort: int = 0,
    active: bool = True,
) -> Category:
    """Add or change a category (audited with old and new values)."""
    who.require(Right.INCIDENT_CATEGORIES_MANAGE)
    if not cid.strip() or not name.strip() or len(cid) > 32:
        raise ValidationError("a category needs an id (up to 32 characters) and a name")
    row = s.get(Category, cid)
    old = None if row is None else {"name": row.name, "sort": row.sort, "active": row.active}
    if row is None:
        row = Category(id=cid)
        s.add(row)
    row.name, row.sort, row.active = name.strip(), sort, active
    s.flush()
    new = {"name": row.name, "sort": sort, "active": active}
    record(
        s,
        who.actor,
        "incident.category",
        "incident_category",
        cid,
        "",
        {"old": old, "new": new},
        clock=clock,
    )
    return row
