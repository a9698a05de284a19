"""Fixtures of the records tests: a migrated system on SQLite or PostgreSQL, people, a fake.

PostgreSQL databases are scratch copies (``wk_cr_<random>``) of one migrated template
per test session, dropped afterwards. PostgreSQL tests skip only when the server is
unreachable and ``CI`` is unset; in CI an unreachable server fails them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.models import Area, Camera, CameraKind, Site
from watchkeeper.config.settings import Settings
from watchkeeper.records.log_models import PartnerMember
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import FakeClock

PG_ADMIN = os.environ.get("WK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"
PEOPLE = {
    "operator": "op1",
    "operator2": "op2",
    "supervisor": "sup1",
    "police": "pc1",
    "partner": "shop1",
    "partner2": "shop2",
}


def _pg(db: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + db


def _pg_admin() -> Engine:
    url = _pg("test").replace("postgresql://", "postgresql+psycopg://")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated, seeded template database on the PostgreSQL server; its name."""
    try:
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server here
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    name = f"wk_cr_{secrets.token_hex(4)}_tpl"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _seeded(_pg(name))
        yield name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A fresh scratch database copied from the template."""
    name = f"wk_cr_{secrets.token_hex(6)}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg(name)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file to copy for each test."""
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    _seeded(f"sqlite:///{path}")
    return path


@dataclass
class World:
    system: System
    clock: FakeClock
    operator: Principal
    operator2: Principal
    supervisor: Principal
    police: Principal
    partner: Principal
    partner2: Principal

    def session(self) -> AbstractContextManager[Session]:
        return self.system.db.session()


def _seed(system: System) -> None:
    specs = {
        "operator": UserSpec(
            "op1",
            "operator",
            sia_number="1234567890123456",
            sia_expiry=date(2030, 1, 1),
            sia_status="active",
        ),
        "operator2": UserSpec(
            "op2",
            "operator",
            sia_number="1234567890123457",
            sia_expiry=date(2030, 1, 1),
            sia_status="active",
        ),
        "supervisor": UserSpec(
            "sup1",
            "supervisor",
            sia_number="1234567890123458",
            sia_expiry=date(2030, 1, 1),
            sia_status="active",
        ),
        "police": UserSpec("pc1", "police_liaison"),
        "partner": UserSpec("shop1", "partner_member", partner_member_ref="SW-001"),
        "partner2": UserSpec("shop2", "partner_member", partner_member_ref="SW-002"),
    }
    with system.db.session() as s:
        for site in ("tc",):
            s.add(Site(id=site, name="Town centre"))
        s.add(Area(id="high-st", site_id="tc", name="High Street"))
        s.add(Area(id="market-sq", site_id="tc", name="Market Square"))
        for n in range(1, 6):
            s.add(
                Camera(
                    id=f"TC-00{n}",
                    name=f"Camera {n}",
                    area_id="high-st",
                    kind=CameraKind.PTZ,
                    updated_us=0,
                )
            )
        for ref, name in (("SW-001", "Corner Shop"), ("SW-002", "Boots")):
            s.add(
                PartnerMember(
                    ref=ref,
                    name=name,
                    scheme="shopwatch",
                    isa_ref="ISA-7",
                    isa_date=date(2025, 4, 1),
                    updated_us=0,
                )
            )
        s.flush()
        for spec in specs.values():
            spec.password = PASSWORD
            system.users.create(s, spec, Actor.system())


def _seeded(url: str) -> None:
    system = build_system(Settings(mode="development", data_dir=Path("."), database_url=url))
    _seed(system)
    system.close()


def _principals(system: System) -> dict[str, Principal]:
    with system.db.session() as s:
        users = {u.username: u for u in system.users.list(s)}
    return {
        key: Principal(
            users[name].id,
            name,
            Role(users[name].role),
            partner_member_ref=users[name].partner_member_ref,
        )
        for key, name in PEOPLE.items()
    }


def make_world(url: str, tmp: Path) -> World:
    clock = FakeClock()
    settings = Settings(mode="development", data_dir=tmp, database_url=url)
    system = build_system(settings, clock=clock, migrate=False)
    return World(system, clock, **_principals(system))


def sqlite_copy(template: Path, tmp: Path) -> str:
    target = tmp / "watchkeeper.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[World]:
    """Everything on SQLite."""
    w = make_world(sqlite_copy(sqlite_template, tmp_path), tmp_path)
    yield w
    w.system.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """Everything, once on SQLite and once on PostgreSQL."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    w = make_world(url, tmp_path)
    yield w
    w.system.close()
