"""The records web tests' client and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from watchkeeper.audit.service import Actor
from watchkeeper.web.app import create_app

from ..conftest import World


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as c:
        yield c


def auth_header(world: World, username: str) -> dict[str, str]:
    """A bearer token for ``username``, as request headers."""
    with world.session() as s:
        token = world.system.users.issue_token(s, username, "test", Actor.system())
    return {"Authorization": f"Bearer {token}"}
