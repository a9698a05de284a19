"""Migration 0003 seeds categories and downgrades cleanly (model match: tests/foundation)."""

from __future__ import annotations

from .conftest import World


def test_categories_are_seeded(any_world: World) -> None:
    with any_world.session() as s:
        names = [c.name for c in any_world.system.incidents.categories(s)]
    assert names[0] == "Violence"
    assert names[-1] == "Other"
    assert len(names) == 12


def test_downgrade_removes_the_records_and_upgrade_restores_them(any_world: World) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from watchkeeper.db.migrate import alembic_config

    engine = any_world.system.db.engine
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"incident", "incident_entry", "incident_fts", "radio_entry", "fault"}
    assert "camera" in tables
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    assert {"incident", "incident_fts"} <= set(inspect(engine).get_table_names())
