"""The audit log is append-only and hash-chained; tampering is found by the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tests.foundation.helpers import ROOT
from watchkeeper.audit.service import Actor, record, verify
from watchkeeper.cli.main import build_app
from watchkeeper.system import System


def _fill(system: System, n: int = 5) -> None:
    for i in range(n):
        with system.db.session() as s:
            record(
                s,
                Actor(7, "alice"),
                "camera.view",
                "camera",
                f"TC-00{i}",
                f"reason {i}",
                {"i": i},
                clock=system.clock,
            )
            system.clock.advance(1)  # type: ignore[attr-defined]


def _verify_cli(system: System) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        build_app(),
        [
            "--mode",
            "development",
            "--data-dir",
            str(system.settings.data_dir),
            "--database-url",
            system.settings.db_url,
            "audit",
            "verify",
        ],
    )
    return result.exit_code, result.output


def _drop_append_only_guard(system: System) -> None:
    """What an attacker with database access would do first."""
    with system.db.engine.begin() as conn:
        if system.db.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_intact_chain_verifies(any_system: System) -> None:
    _fill(any_system)
    with any_system.db.session() as s:
        result = verify(s)
    assert result.ok and result.checked == 5
    code, out = _verify_cli(any_system)
    assert code == 0 and "intact: 5 entries" in out


def test_database_refuses_update_and_delete(any_system: System) -> None:
    _fill(any_system, 2)
    for stmt in (
        "UPDATE audit_log SET reason = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), any_system.db.engine.begin() as c:
            c.execute(text(stmt))


def test_edited_row_is_caught_by_verify_command(any_system: System) -> None:
    _fill(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3"))
    code, out = _verify_cli(any_system)
    assert code != 0
    assert "broken at entry 3" in out and "altered" in out


def test_deleted_rows_are_caught(any_system: System) -> None:
    _fill(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    code, out = _verify_cli(any_system)
    assert code != 0 and "entry 2 is missing" in out


def test_truncated_tail_is_caught(system: System) -> None:
    _fill(system)
    _drop_append_only_guard(system)
    with system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    with system.db.session() as s:
        result = verify(s)
    assert not result.ok and result.first_bad_seq == 4


def test_audit_row_rolls_back_with_its_action(system: System) -> None:
    with pytest.raises(RuntimeError), system.db.session() as s:
        record(s, ROOT, "camera.update", "camera", "TC-001")
        raise RuntimeError("the action failed")
    with system.db.session() as s:
        assert verify(s).checked == 0
