"""The audit log is append-only and hash-chained; tampering is found by the CLI."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tests.foundation.helpers import ROOT
from watchkeeper.audit.anchor import CHECKPOINT_FILE, verify_anchored, write_checkpoint
from watchkeeper.audit.models import AuditEntry
from watchkeeper.audit.service import GENESIS, Actor, entry_hash, record, verify
from watchkeeper.cli.main import build_app
from watchkeeper.cli.server import audit_checkpoints
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


def _cli(system: System, *command: str) -> tuple[int, str]:
    """Run ``watchkeeper audit <command>`` on ``system``'s data folder and database."""
    args = ["--mode", "development", "--data-dir", str(system.settings.data_dir)]
    args += ["--database-url", system.settings.db_url, "audit", *command]
    result = CliRunner().invoke(build_app(), args)
    return result.exit_code, result.output


def _verify_cli(system: System) -> tuple[int, str]:
    return _cli(system, "verify")


def _drop_append_only_guard(system: System) -> None:
    """What an attacker with database access would do first."""
    with system.db.engine.begin() as conn:
        if system.db.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
            conn.execute(text("DROP TRIGGER audit_log_no_truncate ON audit_log"))
            conn.execute(text("DROP TRIGGER audit_head_guard ON audit_head"))
            conn.execute(text("DROP TRIGGER audit_head_no_truncate ON audit_head"))
        else:
            for name in (
                "audit_log_no_update",
                "audit_log_no_delete",
                "audit_head_no_delete",
                "audit_head_no_insert",
                "audit_head_forward_only",
            ):
                conn.execute(text(f"DROP TRIGGER {name}"))


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


def _checkpoint(system: System) -> None:
    assert system.db.audit_key is not None
    with system.db.session() as s:
        write_checkpoint(
            s, system.db.audit_key, system.settings.data_dir / CHECKPOINT_FILE, system.clock
        )


@pytest.mark.parametrize(
    "stmt",
    [
        "DELETE FROM audit_head",
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)",
        "UPDATE audit_head SET hash = 'x'",
        "INSERT INTO audit_head (id, seq, hash, mac) VALUES (2, 0, 'x', '')",
    ],
)
def test_database_refuses_moving_the_head_back(any_system: System, stmt: str) -> None:
    _fill(any_system, 3)
    with pytest.raises(DBAPIError, match="audit head"), any_system.db.engine.begin() as c:
        c.execute(text(stmt))


def test_postgresql_refuses_truncate(any_system: System) -> None:
    if any_system.db.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _fill(any_system, 2)
    for table in ("audit_log", "audit_head"):
        with pytest.raises(DBAPIError, match="TRUNCATE"), any_system.db.engine.begin() as c:
            c.execute(text(f"TRUNCATE {table}"))


@pytest.mark.parametrize("keep", [3, 0])
def test_rows_cut_off_with_the_head_fail_verify(any_system: System, keep: int) -> None:
    """Delete the last rows (or all) and the head that would have shown it."""
    _fill(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :keep"), {"keep": keep})
        conn.execute(text("DELETE FROM audit_head"))
    code, out = _verify_cli(any_system)
    assert code != 0 and "head is missing" in out


def test_tail_cut_and_head_moved_back_without_the_key_fails(any_system: System) -> None:
    _fill(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > 3"))
        conn.execute(
            text("UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)")
        )
    with any_system.db.session() as s:
        assert verify(s).ok  # the chain alone cannot tell
    code, out = _verify_cli(any_system)
    assert code != 0 and "signature does not match" in out


def test_chain_rebuilt_without_the_key_fails(any_system: System) -> None:
    """Edit entry 2, recompute every hash after it and the head: only the HMAC tells."""
    _fill(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
        conn.execute(text("DELETE FROM audit_log"))
        prev = GENESIS
        for row in rows:
            values = dict(row)
            if values["seq"] == 2:
                values["reason"] = "nothing happened"
            values["prev_hash"] = prev
            values["hash"] = entry_hash(
                prev,
                values["seq"],
                values["at_us"],
                values["user_id"],
                values["username"],
                values["action"],
                values["object_type"],
                values["object_id"],
                values["reason"],
                values["details"],
            )
            prev = values["hash"]
            conn.execute(insert(AuditEntry).values(**values))
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    with any_system.db.session() as s:
        assert verify(s).ok
    code, out = _verify_cli(any_system)
    assert code != 0 and "signature does not match" in out
    _fill(any_system, 1)  # the next honest append must not bless the rebuilt chain
    code, out = _verify_cli(any_system)
    assert code != 0 and "unsigned" in out


def test_an_unsigned_head_is_sealed_once_everything_else_verifies(system: System) -> None:
    """A database from before the signed head, or after a key change."""
    _fill(system, 3)
    with system.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET mac = ''"))
    _fill(system, 1)  # stays unsigned
    code, out = _verify_cli(system)
    assert code != 0 and "unsigned" in out
    code, out = _cli(system, "seal")
    assert code == 0, out
    assert _verify_cli(system) == (0, "audit chain intact: 5 entries\n")
    with system.db.session() as s:
        assert s.get(AuditEntry, 5).action == "audit.seal"  # type: ignore[union-attr]


def test_seal_refuses_a_broken_chain(system: System) -> None:
    _fill(system, 3)
    _drop_append_only_guard(system)
    with system.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET reason = 'x' WHERE seq = 2"))
    code, out = _cli(system, "seal")
    assert code != 0 and "not sealed" in out


def test_wiped_log_with_a_reset_head_fails_against_the_checkpoints(any_system: System) -> None:
    _fill(any_system)
    _checkpoint(any_system)
    _drop_append_only_guard(any_system)
    with any_system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :g, mac = ''"), {"g": GENESIS})
    with any_system.db.session() as s:
        assert verify(s).ok  # an empty log with an empty head looks new
    code, out = _verify_cli(any_system)
    assert code != 0 and "ends at entry 0" in out and "saw entry 5" in out


def test_checkpoints_are_signed_and_checked(system: System) -> None:
    _fill(system, 3)
    _checkpoint(system)
    _checkpoint(system)  # nothing new: no second line
    _fill(system, 2)
    code, out = _cli(system, "checkpoint")
    assert code == 0 and "entry 5" in out
    path = system.settings.data_dir / CHECKPOINT_FILE
    lines = path.read_text().splitlines()
    assert [int(line.split()[0]) for line in lines] == [3, 5]
    assert _verify_cli(system)[0] == 0
    forged = lines[0].split()
    forged[3] = "0" * 64
    path.write_text(" ".join(forged) + "\n" + lines[1] + "\n")
    code, out = _verify_cli(system)
    assert code != 0 and "not signed with the system key" in out


def test_verify_without_checkpoints_passes_on_a_fresh_log(system: System) -> None:
    with system.db.session() as s:
        result = verify_anchored(s, system.db.audit_key, system.settings.data_dir / "none")
    assert result.ok and result.checked == 0


def test_server_writes_checkpoints_while_it_runs(system: System) -> None:
    _fill(system, 2)
    system.settings.audit_checkpoint_minutes = 0.001
    writer = audit_checkpoints(system)
    deadline = time.monotonic() + 10
    path = system.settings.data_dir / CHECKPOINT_FILE
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    _fill(system, 1)
    writer.stop()  # writes a last one on the way out
    assert [int(line.split()[0]) for line in path.read_text().splitlines()] == [2, 3]
