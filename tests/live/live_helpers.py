"""Helpers for the live tests (a uniquely named module, imported by name)."""

from __future__ import annotations

from watchkeeper.system import System


def cookie_for(system: System, username: str) -> str:
    with system.db.session() as s:
        token = system.users.open_session(s, system.users.get(s, username))
    return f"wk_session={token}"
