"""Scale-out settings: everything off by default; bad values refused with the field named;
a recorder node refuses SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from watchkeeper.cluster.config import ClusterConfig
from watchkeeper.cluster.run import start_node
from watchkeeper.config.settings import Settings, load_settings
from watchkeeper.errors import ConfigError
from watchkeeper.system import build_system


def test_single_machine_default_needs_none_of_it(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    assert not s.cluster.enabled and not s.storage.enabled
    system = build_system(s)
    try:
        assert system.playback.files.store is None  # no object store, no boto3 client
    finally:
        system.close()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WATCHKEEPER_CLUSTER__ENABLED", "true")
    monkeypatch.setenv("WATCHKEEPER_CLUSTER__NODE_ID", "rec-a")
    monkeypatch.setenv("WATCHKEEPER_CLUSTER__LEASE_S", "3")
    monkeypatch.setenv("WATCHKEEPER_STORAGE__BUCKET", "footage")
    s = Settings(mode="development", data_dir=tmp_path)
    assert (s.cluster.enabled, s.cluster.name, s.cluster.lease_s) == (True, "rec-a", 3.0)
    assert s.cluster.renew_every_s == 1.0 and s.cluster.margin_every_s == 0.75
    assert s.storage.enabled and s.storage.bucket == "footage"


def test_bad_values_are_refused_with_the_field() -> None:
    with pytest.raises(ConfigError, match=r"cluster\.node_id"):
        load_settings(mode="development", cluster={"node_id": "no/slashes"})
    with pytest.raises(ValueError, match=r"renew_s \+ margin_s"):
        ClusterConfig(lease_s=3, renew_s=2, margin_s=1)


def test_a_node_refuses_sqlite(tmp_path: Path) -> None:
    s = make_settings(tmp_path).model_copy(update={"cluster": ClusterConfig(enabled=True)})
    system = build_system(s)
    try:
        with pytest.raises(ConfigError, match="PostgreSQL"):
            start_node(system)
    finally:
        system.close()
