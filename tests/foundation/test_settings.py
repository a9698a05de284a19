from pathlib import Path

import pytest

from watchkeeper.config.settings import DEV_SECRET, ensure_secret_file, load_settings
from watchkeeper.errors import ConfigError


def test_default_secret_refused_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHKEEPER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(mode="production", data_dir=tmp_path)
    assert load_settings(mode="development", data_dir=tmp_path).secret_key == DEV_SECRET


def test_secret_file_made_by_init_is_used(tmp_path: Path) -> None:
    assert ensure_secret_file(tmp_path)
    assert not ensure_secret_file(tmp_path)
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    settings = load_settings(mode="production", data_dir=tmp_path)
    assert settings.secret_key == (tmp_path / "secret.key").read_text().strip()


def test_environment_variables_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHKEEPER_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("WATCHKEEPER_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    s = load_settings()
    assert s.data_dir == tmp_path / "env"
    assert s.db_url == "sqlite:///x.db"
    assert load_settings(data_dir=tmp_path / "opt").data_dir == tmp_path / "opt"


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(
            mode="development", data_dir=tmp_path, port=70000, recorder={"segment_seconds": 0}
        )
    assert "port" in str(err.value) and "recorder.segment_seconds" in str(err.value)
