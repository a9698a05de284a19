"""Many operators saving at once all get answers (a real server, SQLite).

A sync handler commits after its response is validated on the same thread pool; with too
few threads, writers waiting for the SQLite write lock held every thread and the lock
holder could not commit: requests failed after the 30 s timeouts (and the recorder, whose
writes queue on the same lock, stopped). ``web/serving.py`` sizes the pool.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.browser.conftest import serve_app
from tests.conftest import make_settings
from tests.foundation.helpers import add_user
from watchkeeper.auth.roles import Role
from watchkeeper.system import build_system

WRITERS = 50


def test_fifty_operators_creating_incidents_at_once_all_succeed(tmp_path: Path) -> None:
    system = build_system(make_settings(tmp_path / "data"))
    add_user(system, "olive", Role.OPERATOR)
    sessions = []
    with system.db.session() as s:
        user = system.users.get(s, "olive")
        for _ in range(WRITERS):
            cookie = system.users.open_session(s, user)
            s.flush()
            who = system.users.principal_for_session(s, cookie)
            assert who is not None
            sessions.append((f"wk_session={cookie}", who.csrf_token))

    async def save(url: str, cookie: str, csrf: str) -> int:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            r = await http.post(
                "/api/incidents",
                headers={"cookie": cookie, "x-csrf-token": csrf},
                json={"category_id": "violence", "source": "operator", "summary": "fight"},
            )
            return r.status_code

    async def all_at_once(url: str) -> list[int]:
        return await asyncio.gather(*(save(url, c, t) for c, t in sessions))

    try:
        with serve_app(system) as url:
            codes = asyncio.run(all_at_once(url))
    finally:
        system.close()
    assert codes == [201] * WRITERS
