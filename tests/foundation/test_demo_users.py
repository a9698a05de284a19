"""The demo prints a password for every user it lists, and each one logs in."""

from __future__ import annotations

from watchkeeper.cli.server import FIRST_ADMIN, demo_users, ensure_admin
from watchkeeper.system import System


def test_every_listed_demo_user_has_a_working_password(system: System) -> None:
    ensure_admin(system)  # the demo makes the first administrator before its users
    logins = demo_users(system)
    names = [name for name, _role, _password in logins]
    assert FIRST_ADMIN in names  # the administrator the console shows is among them
    with system.db.session() as s:
        for name, _role, password in logins:
            assert password
            assert system.users.authenticate(s, name, password, "127.0.0.1").user_or_raise()
