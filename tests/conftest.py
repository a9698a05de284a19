"""Shared fixtures: databases (SQLite and PostgreSQL), systems on fake time, a web client.

PostgreSQL tests skip only when the server is unreachable and ``CI`` is unset;
under CI they fail instead, so a broken service cannot pass unnoticed.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from watchkeeper.config.settings import Settings
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import FakeClock

PG_ADMIN_URL = os.environ.get(
    "WATCHKEEPER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def need_service(name: str, available: bool) -> None:
    """Skip when a service is missing, unless under CI, where that is a failure."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not reachable, and CI requires it")
    pytest.skip(f"{name} is not reachable")


@pytest.fixture(scope="session")
def pg_available() -> bool:
    return _pg_reachable()


def make_pg_database() -> str:
    name = f"wk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_available: bool) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    need_service("PostgreSQL", pg_available)
    url = make_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(data_dir: Path, database_url: str | None = None) -> Settings:
    return Settings(mode="development", data_dir=data_dir, database_url=database_url)


@pytest.fixture
def system(tmp_path: Path, clock: FakeClock) -> Iterator[System]:
    """A migrated system on SQLite and fake time."""
    sys_ = build_system(make_settings(tmp_path / "data"), clock=clock)
    yield sys_
    sys_.close()


@pytest.fixture
def any_system(tmp_path: Path, clock: FakeClock, db_url: str) -> Iterator[System]:
    """A migrated system on each database kind."""
    sys_ = build_system(make_settings(tmp_path / "data", db_url), clock=clock)
    yield sys_
    sys_.close()
