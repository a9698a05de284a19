"""Migrations create the schema the models describe, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import drop_pg_database, make_pg_database, need_service
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.db.registry import UNMAPPED_TABLES, include_mapped, metadata


def test_migrations_match_models(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db.engine)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_mapped})
        diffs = compare_metadata(ctx, metadata)
    db.dispose()
    assert diffs == []


def _shape(url: str) -> dict[str, object]:
    db = Database(url)
    upgrade(db.engine)
    insp = inspect(db.engine)
    shape: dict[str, object] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version" or table.startswith(UNMAPPED_TABLES):
            continue
        cols = {
            c["name"]: (c["nullable"], type(c["type"]).__mro__[0].__visit_name__)
            for c in insp.get_columns(table)
        }
        # PostgreSQL also lists a unique constraint's index among the indexes.
        uniques = {u["name"]: tuple(u["column_names"]) for u in insp.get_unique_constraints(table)}
        shape[table] = {
            "columns": sorted(cols),
            "nullable": sorted(n for n, (nullable, _) in cols.items() if nullable),
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                i["name"] or "" for i in insp.get_indexes(table) if i["name"] not in uniques
            ),
            "unique": sorted(uniques.values()),
        }
    db.dispose()
    return shape


def test_same_schema_on_sqlite_and_postgresql(tmp_path: Path, pg_available: bool) -> None:
    need_service("PostgreSQL", pg_available)
    pg = make_pg_database()
    try:
        lite = _shape(f"sqlite:///{tmp_path / 's.db'}")
        post = _shape(pg)
    finally:
        drop_pg_database(pg)
    assert set(lite) == set(post)
    for table in lite:
        assert lite[table] == post[table], table


@pytest.mark.parametrize("revision", ["0001"])
def test_upgrade_is_idempotent(tmp_path: Path, revision: str) -> None:
    db = Database(f"sqlite:///{tmp_path / 'i.db'}")
    upgrade(db.engine, revision)
    upgrade(db.engine)
    upgrade(db.engine)
    assert "camera" in inspect(db.engine).get_table_names()
    db.dispose()
