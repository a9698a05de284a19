"""Full-text search and filtered listing of incidents: one function, two dialects.

Each incident has one document in the full-text index (an FTS5 row on SQLite, a
``tsvector`` row with a GIN index on PostgreSQL) holding its fields and every
timeline entry; :func:`reindex` rewrites it whenever the incident changes, inside
the same transaction. :func:`search_incidents` turns the words typed into an AND of
prefix terms for either engine, so the same query finds the same incidents on both.
A reference such as ``2026-004217`` is matched exactly rather than as words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, Select, column, exists, select, table, text
from sqlalchemy.orm import Session, selectinload

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area
from watchkeeper.records.incident_models import (
    Incident,
    IncidentCamera,
    IncidentOutcome,
)
from watchkeeper.records.vocab import Source

__all__ = ["SearchQuery", "document_text", "reindex", "search_incidents", "write_document"]

REF = re.compile(r"^\d{4}-\d{1,6}$")
WORD = re.compile(r"\w+", re.UNICODE)
NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
MAX_TERMS = 12


@dataclass
class SearchQuery:
    """Words and filters; every filter left as None (or empty) is not applied."""

    text: str = ""
    from_us: int | None = None
    to_us: int | None = None
    category_id: str | None = None
    area_id: str | None = None
    camera_id: str | None = None
    source: str | None = None
    outcome: str | None = None
    operator: str | None = None
    status: str | None = None
    limit: int = 50
    offset: int = 0


def _document(s: Session, inc: Incident) -> str:
    area = s.get(Area, inc.area_id) if inc.area_id else None
    parts = [
        inc.ref,
        inc.category.name,
        Source(inc.source).label,
        area.name if area else "",
        inc.location,
        inc.summary,
        inc.police_ref,
        inc.crime_ref,
        inc.scheme_ref,
        inc.operator_name,
    ]
    parts += [f"{o.name} {o.collar_number}" for o in inc.officers]
    parts += [c.camera_id for c in inc.cameras]
    parts += [f"{e.text} {e.reason}" for e in inc.entries if e.kind != "change"]
    return document_text(parts)


def document_text(parts: Iterable[str]) -> str:
    """The indexed text of an incident from its parts (bulk loaders use it too).

    Punctuation becomes space so both engines see the same words ("DISC-99812"
    would otherwise be a word and a negative number to PostgreSQL's parser).
    """
    return NON_WORD.sub(" ", " ".join(p for p in parts if p))


def write_document(s: Session, incident_id: int, body: str) -> None:
    """Store one document in the dialect's full-text index (replacing any old one)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(
            text(
                "INSERT INTO incident_fts (incident_id, doc) "
                "VALUES (:id, to_tsvector('english', :body)) "
                "ON CONFLICT (incident_id) DO UPDATE SET doc = EXCLUDED.doc"
            ),
            {"id": incident_id, "body": body},
        )
    else:
        s.execute(text("DELETE FROM incident_fts WHERE rowid = :id"), {"id": incident_id})
        s.execute(
            text("INSERT INTO incident_fts (rowid, body) VALUES (:id, :body)"),
            {"id": incident_id, "body": body},
        )


def reindex(s: Session, inc: Incident) -> None:
    """Rewrite ``inc``'s document in the full-text index (same transaction)."""
    s.flush()
    write_document(s, inc.id, _document(s, inc))


def _terms(words: list[str]) -> list[str]:
    return [w.lower() for w in words][:MAX_TERMS]


def _with_terms(stmt: Select[Incident], dialect: str, terms: list[str]) -> Select[Incident]:
    """Join the full-text index so matches stream newest-recorded first.

    Ordering by the index's own key (FTS5 rowid, the incident id) lets both engines stop
    after the first page instead of sorting every match of a common word.
    """
    if dialect == "postgresql":
        pg = table("incident_fts", column("incident_id", Integer))
        tsq = " & ".join(f"{t}:*" for t in terms)
        return (
            stmt.join(pg, pg.c.incident_id == Incident.id)
            .where(text("incident_fts.doc @@ to_tsquery('english', :tsq)").bindparams(tsq=tsq))
            .order_by(Incident.id.desc())
        )
    fts = table("incident_fts", column("rowid", Integer))
    ftq = " ".join(f'"{t}"*' for t in terms)
    return (
        stmt.join(fts, fts.c.rowid == Incident.id)
        .where(text("incident_fts MATCH :ftq").bindparams(ftq=ftq))
        .order_by(fts.c.rowid.desc())
    )


def search_incidents(s: Session, who: Principal, q: SearchQuery) -> list[Incident]:
    """Incidents matching the words and filters, newest first.

    With words, "newest" is the order of recording (the incident id); without, the
    opening time, which an operator may have set a little in the past.
    """
    who.require(Right.INCIDENTS_VIEW)
    stmt = select(Incident)
    words = q.text.split()
    refs = [w for w in words if REF.match(w)]
    terms = _terms([t for w in words if not REF.match(w) for t in WORD.findall(w)])
    if refs:
        stmt = stmt.where(Incident.ref.in_(refs))
    if terms:
        stmt = _with_terms(stmt, s.get_bind().dialect.name, terms)
    else:
        stmt = stmt.order_by(Incident.opened_us.desc(), Incident.id.desc())
    if q.from_us is not None:
        stmt = stmt.where(Incident.opened_us >= q.from_us)
    if q.to_us is not None:
        stmt = stmt.where(Incident.opened_us < q.to_us)
    if q.category_id:
        stmt = stmt.where(Incident.category_id == q.category_id)
    if q.area_id:
        stmt = stmt.where(Incident.area_id == q.area_id)
    if q.source:
        stmt = stmt.where(Incident.source == q.source)
    if q.status:
        stmt = stmt.where(Incident.status == q.status)
    if q.operator:
        stmt = stmt.where(Incident.operator_name == q.operator)
    if q.camera_id:
        stmt = stmt.where(
            exists().where(
                IncidentCamera.incident_id == Incident.id, IncidentCamera.camera_id == q.camera_id
            )
        )
    if q.outcome:
        stmt = stmt.where(
            exists().where(
                IncidentOutcome.incident_id == Incident.id, IncidentOutcome.outcome == q.outcome
            )
        )
    stmt = (
        stmt.limit(max(1, min(q.limit, 500)))
        .offset(max(0, q.offset))
        .options(selectinload(Incident.category), selectinload(Incident.outcomes))
    )
    return list(s.scalars(stmt))
