"""Fixtures for the recording tests: small H.264 clips, databases with cameras, fake clocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rec_helpers import add_cameras, run_writer
from sqlalchemy import create_engine, text
from tests.clips import make_clip

from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.timeutil import FakeClock

PG_ADMIN = os.environ.get("WATCHKEEPER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds of MPEG-TS (Annex B, 90 kHz), like an RTSP H.264 stream."""
    return make_clip(tmp_path_factory.mktemp("clips") / "cam.ts")


@pytest.fixture(scope="session")
def clip_hd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Same, at another resolution, for codec-change tests."""
    return make_clip(tmp_path_factory.mktemp("clips") / "cam_hd.ts", 3, size="480x272")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _sqlite(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'wk.db'}")
    upgrade(db.engine)
    return db


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"))
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh scratch PostgreSQL database; skipped only if unreachable outside CI."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is unreachable and CI is set")
        pytest.skip("PostgreSQL is unreachable")
    name = f"wk_rec_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """SQLite, migrated, with two active cameras."""
    d = _sqlite(tmp_path)
    add_cameras(d)
    yield d
    d.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same tests on SQLite and PostgreSQL, migrated, with two active cameras."""
    if request.param == "sqlite":
        d = _sqlite(tmp_path)
    else:
        d = Database(request.getfixturevalue("pg_url"))
        upgrade(d.engine)
    add_cameras(d)
    yield d
    d.dispose()


@pytest.fixture(scope="session")
def recorded_file(tmp_path_factory: pytest.TempPathFactory, clip: Path) -> Path:
    """One segment file written by our writer from the test clip."""
    out = tmp_path_factory.mktemp("rec")
    segs = run_writer(clip, out, FakeClock(), RecorderConfig(segment_seconds=60), loops=1)
    return out / segs[0].relpath
