"""A council control room with its recorder playing camera TC-001 live, an operator, a
supervisor, a police wall account and an investigating officer, and an open incident."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.clips import make_clip
from tests.conftest import make_settings
from tests.foundation.helpers import ROOT, add_user, load_small_register
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.police.accounts import set_account
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.records.incident_models import Category
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Source
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock
from watchkeeper.web.app import create_app

SHARED = "TC-001"
"""The camera the tests share; RP-001 (a client's) and BK-001 stay unshared."""


@dataclass
class Room:
    system: System
    incident: str

    def who(self, username: str) -> Principal:
        with self.system.db.session() as s:
            u = self.system.users.get(s, username)
            return Principal(u.id, u.username, Role(u.role), client_id=u.client_id)

    def cookie(self, username: str) -> str:
        with self.system.db.session() as s:
            token = self.system.users.open_session(s, self.system.users.get(s, username))
        return token


def open_incident(system: System, who: Principal, police_ref: str = "CAD-1234") -> str:
    with system.db.session() as s:
        category = s.scalars(select(Category.id)).first()
        assert category is not None
        draft = IncidentDraft(category, Source.POLICE, "fight outside the bus station",
                              police_ref=police_ref)  # fmt: skip
        return system.incidents.create(s, who, draft).ref


def build_room(tmp_path: Path, clip: Path) -> Room:
    clock = SystemClock()
    system = build_system(make_settings(tmp_path / "data"), clock=clock)
    load_small_register(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "owen", Role.OPERATOR)
    add_user(system, "sue", Role.SUPERVISOR)
    add_user(system, "pc-view", Role.POLICE_VIEWER)
    add_user(system, "dc-jones", Role.POLICE_OFFICER)
    add_user(system, "dc-smith", Role.POLICE_OFFICER)
    with system.db.session() as s:
        for name, collar in (("pc-view", "CR101"), ("dc-jones", "4521"), ("dc-smith", "4522")):
            set_account(s, ROOT, system.users.get(s, name), "Borough Police", collar, clock)
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(segment_seconds=10, fsync_each_fragment=False),
        clock,
        file_opener(clock, realtime=True, loops=1000),
    )
    recorder.start(
        [StreamPlan(StreamKey(SHARED, "main"), str(clip)),
         StreamPlan(StreamKey("RP-001", "main"), str(clip))]
    )  # fmt: skip
    system.recorder = recorder
    room = Room(system, "")
    room.incident = open_incident(system, room.who("olive"))
    return room


@pytest.fixture(scope="session")
def police_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("policeclip") / "clip.ts", 4, "320x240")


@pytest.fixture
def room(tmp_path: Path, police_clip: Path) -> Iterator[Room]:
    r = build_room(tmp_path, police_clip)
    yield r
    r.system.close()


@pytest.fixture
def client(room: Room) -> Iterator[TestClient]:
    with TestClient(create_app(room.system)) as c:
        yield c
