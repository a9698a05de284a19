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


SITE_WITH_RECORDER = """\
version: 1
sites: []
recorder:
  segment_seconds: 30
  backoff_max_s: {backoff}
"""


def test_recorder_settings_from_the_site_file_under_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE_WITH_RECORDER.format(backoff=4))
    monkeypatch.setenv("WATCHKEEPER_SITE_FILE", str(site))
    monkeypatch.delenv("WATCHKEEPER_RECORDER__SEGMENT_SECONDS", raising=False)
    rec = load_settings(mode="development", data_dir=tmp_path).recorder
    assert (rec.segment_seconds, rec.backoff_max_s, rec.stall_seconds) == (30, 4, 10)
    monkeypatch.setenv("WATCHKEEPER_RECORDER__SEGMENT_SECONDS", "45")  # the environment wins
    rec = load_settings(mode="development", data_dir=tmp_path).recorder
    assert (rec.segment_seconds, rec.backoff_max_s) == (45, 4)


def test_a_bad_recorder_section_names_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE_WITH_RECORDER.format(backoff=-1))
    monkeypatch.setenv("WATCHKEEPER_SITE_FILE", str(site))
    with pytest.raises(ConfigError) as err:
        load_settings(mode="development", data_dir=tmp_path)
    assert f"{site}:5: recorder.backoff_max_s:" in str(err.value)
