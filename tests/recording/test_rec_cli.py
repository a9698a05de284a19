"""The recording CLI commands, assembled into a bare Typer app as ``cli/main.py`` would."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rec_helpers import add_cameras, run_writer
from typer.testing import CliRunner

from watchkeeper.cli.record import register
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.timeutil import FakeClock, format_local


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    monkeypatch.setenv("WATCHKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WATCHKEEPER_DATABASE_URL", raising=False)
    db = Database(f"sqlite:///{tmp_path / 'watchkeeper.db'}")
    upgrade(db.engine)
    add_cameras(db)
    return db


def invoke(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def test_check_exit_codes(env: Database, clip: Path, tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    clock = FakeClock()
    segs = run_writer(clip, root, clock, RecorderConfig(segment_seconds=3, stagger=False),
                      index=SegmentIndex(env, clock).add)
    assert invoke("check") == (0, "2 rows, 2 files, 0 problems\n")
    (root / segs[0].relpath).unlink()
    code, out = invoke("check")
    assert code == 1 and f"missing_file: {segs[0].relpath}" in out
    code, out = invoke("check", "--repair")
    assert code == 0 and "row removed" in out and "all fixed" in out
    assert invoke("check", "--full")[0] == 0


def test_holds_add_list_release(env: Database) -> None:
    code, out = invoke("holds", "add", "--camera", "TC-001", "--from", "2026-10-25T01:00+01:00",
                       "--to", "2026-10-25T01:30+00:00", "--reference", "INC-77",
                       "--reason", "robbery", "--holder", "PC 77 Jones", "--user", "sup1")
    assert (code, out) == (0, "hold 1 created\n")
    code, out = invoke("holds", "list")
    assert code == 0 and "INC-77" in out and "PC 77 Jones" in out and "BST" in out
    assert invoke("holds", "release", "1", "--reason", "NFA", "--user", "sup1") == (
        0, "hold 1 released\n")
    assert invoke("holds", "list") == (0, "")
    code, out = invoke("holds", "release", "1", "--reason", "again")
    assert code == 2 and "released already" in out
    code, out = invoke("holds", "add", "--camera", "NOPE", "--from", "2026-01-01T00:00",
                       "--to", "2026-01-01T01:00", "--reference", "R", "--reason", "r",
                       "--holder", "h")
    assert code == 2 and "not found" in out


def test_gaps_lists_spans_and_gaps(env: Database, clip: Path, tmp_path: Path) -> None:
    clock = FakeClock()  # 2026-01-01 00:00 UTC = local midnight (GMT)
    segs = run_writer(clip, tmp_path / "recordings", clock, RecorderConfig(stagger=False),
                      index=SegmentIndex(env, clock).add)
    code, out = invoke("gaps", "TC-001", "--day", "2026-01-01")
    assert code == 0
    assert f"recorded {format_local(segs[0].start_us)} - {format_local(segs[0].end_us)}" in out
    assert "GAP" in out and "not recorded" not in out.splitlines()[0]
