"""The system's signing key: made once with mode 0600, the same key on every later use."""

from __future__ import annotations

import stat
from pathlib import Path

from typer.testing import CliRunner

from watchkeeper.cli.main import build_app
from watchkeeper.evidence.signing import (
    KEY_FILE,
    ensure_signing_key,
    fingerprint,
    verify_signature,
)


def test_key_is_private_and_stable(tmp_path: Path) -> None:
    key, created = ensure_signing_key(tmp_path)
    assert created
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    again, created_again = ensure_signing_key(tmp_path)
    assert not created_again and again.public_pem() == key.public_pem()
    sig = key.sign(b"manifest")
    assert verify_signature(key.public_pem(), b"manifest", sig)
    assert not verify_signature(key.public_pem(), b"manifest!", sig)
    assert key.system_id() == "wk-" + fingerprint(key.public_pem())[:16]


def test_init_makes_the_signing_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(build_app(), ["--data-dir", str(data), "init"])
    assert result.exit_code == 0, result.output
    assert "evidence signing key written" in result.output
    assert (data / KEY_FILE).is_file()
    second = CliRunner().invoke(build_app(), ["--data-dir", str(data), "init"])
    assert "evidence signing key written" not in second.output
