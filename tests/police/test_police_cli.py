"""``watchkeeper police account``: a police user gets a force and a collar number."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from watchkeeper.cli.main import build_app


def run(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["--data-dir", str(data), *args])
    return result.exit_code, result.output


def test_police_account_is_set_and_refused_for_council_staff(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert run(data, "init")[0] == 0
    assert run(data, "user", "add", "pc-view", "--role", "police_viewer")[0] == 0
    licence = ("--sia-number", "1111-2222-3333-4444", "--sia-expiry", "2099-01-01")
    assert run(data, "user", "add", "olive", "--role", "operator", *licence)[0] == 0
    code, out = run(data, "police", "account", "pc-view", "--force", "Borough Police",
                    "--collar", "CR101")  # fmt: skip
    assert code == 0 and "collar number CR101" in out
    code, out = run(data, "police", "account", "olive", "--force", "X", "--collar", "1")
    assert code != 0 and "not a police account" in out
