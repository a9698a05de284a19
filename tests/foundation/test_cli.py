"""The README's promises about the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchkeeper.cli.main import build_app

ROOT = Path(__file__).resolve().parents[2]


def run(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["--data-dir", str(data), *args])
    return result.exit_code, result.output


def test_init_without_a_terminal_prints_the_password_once(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "watchkeeper", "--data-dir", str(tmp_path / "d"), "init"]
    first = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True
    )
    assert "password (shown once)" in first.stdout
    second = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True
    )
    assert "password" not in second.stdout.replace("no password printed", "")


def test_every_command_has_help(tmp_path: Path) -> None:
    for args in (
        ["--help"],
        ["init", "--help"],
        ["serve", "--help"],
        ["demo", "--help"],
        ["user", "add", "--help"],
        ["user", "list", "--help"],
        ["user", "disable", "--help"],
        ["cameras", "import", "--help"],
        ["cameras", "export", "--help"],
        ["cameras", "list", "--help"],
        ["audit", "verify", "--help"],
    ):
        code, out = run(tmp_path, *args)
        assert code == 0 and "Usage" in out, args


def test_bad_import_exits_non_zero_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert run(data, "init")[0] == 0
    good = tmp_path / "good.csv"
    good.write_text("id,name,kind,site,area\nTC-001,Market Place,ptz,tc,tc-mkt\n")
    assert run(data, "cameras", "import", str(good))[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,kind,site,area\nTC-002,Fine,fixed,tc,tc-mkt\nTC-003,Broken,dome,tc,tc-mkt\n"
    )
    code, out = run(data, "cameras", "import", str(bad))
    assert code != 0
    assert "row 3 (TC-003): kind" in out and "nothing was imported" in out
    code, listing = run(data, "cameras", "list")
    assert code == 0 and "TC-001" in listing and "TC-002" not in listing


def test_import_of_the_sample_borough_and_export_masks(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert run(data, "init")[0] == 0
    code, out = run(data, "cameras", "import", str(ROOT / "examples" / "borough.yaml"))
    assert code == 0 and "138 created" in out
    code, out = run(data, "cameras", "export", "--format", "csv")
    assert code == 0 and out.count("\n") == 139
    assert ":admin@" not in out


def test_user_add_and_list_show_licence(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert run(data, "init")[0] == 0
    code, out = run(
        data,
        "user",
        "add",
        "olive",
        "--role",
        "operator",
        "--sia-number",
        "1111-2222-3333-4444",
        "--sia-expiry",
        "2020-01-01",
    )
    assert code == 0 and "password (shown once)" in out
    code, out = run(data, "user", "list")
    assert "BLOCKED: SIA licence 1111-2222-3333-4444 expired on 2020-01-01" in out


def test_serve_refuses_a_bad_site_file_naming_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    assert run(data, "init")[0] == 0
    bad = tmp_path / "site.yaml"
    bad.write_text(
        "sites:\n  - id: tc\n    name: Town\n    areas:\n      - id: hs\n"
        "        name: High St\n        cameras:\n          - id: TC-001\n"
        "            name: One\n            kind: dome\n"
    )
    monkeypatch.setenv("WATCHKEEPER_SITE_FILE", str(bad))
    result = CliRunner().invoke(build_app(), ["--data-dir", str(data), "serve"])
    assert result.exit_code == 1
    assert f"{bad}:10: sites[0].areas[0].cameras[0].kind:" in result.output
    assert "Traceback" not in result.output
    assert "TC-001" not in run(data, "cameras", "list")[1]
