"""Log-in hardening: lock-out is no weapon, counting is atomic, refusals all look alike.

Each test here failed on the code before issue 10: a lock ended open sessions, counts
never decayed, parallel failures were lost, unknown users answered at once with their
own audit row, locked accounts had their own message, hashes were never upgraded and
a password reset left sessions and tokens working.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from tests.conftest import make_settings
from tests.foundation.helpers import PASSWORD, ROOT, add_user
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.passwords import needs_rehash
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import LOGIN_REFUSED, LoginResult, UserSpec
from watchkeeper.errors import AuthError, NotFound
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import FakeClock


def _try(system: System, username: str, password: str, source: str = "10.0.0.9") -> LoginResult:
    with system.db.session() as s:
        return system.users.authenticate(s, username, password, source=source)


def _ok(system: System, username: str, source: str = "10.0.0.9") -> bool:
    return _try(system, username, PASSWORD, source).user is not None


def _audit(system: System) -> list[AuditEntry]:
    with system.db.session() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _operator_logged_in(system: System, username: str) -> tuple[str, str]:
    """A new operator with a browser session and an API token: (cookie, token)."""
    add_user(system, username, Role.OPERATOR)
    with system.db.session() as s:
        user = _try(system, username, PASSWORD).user_or_raise()
        cookie = system.users.open_session(s, s.merge(user))
        token = system.users.issue_token(s, username, "bridge", ROOT)
    return cookie, token


def test_lockout_stops_new_logins_but_not_open_sessions_or_tokens(system: System) -> None:
    cookie, token = _operator_logged_in(system, "olive")
    for _ in range(system.settings.max_failed_logins):
        assert _try(system, "olive", "wrong-password").user is None
    assert not _ok(system, "olive")
    with system.db.session() as s:
        assert system.users.principal_for_session(s, cookie) is not None
        assert system.users.principal_for_token(s, token) is not None


def test_failures_decay_so_one_wrong_try_a_quarter_hour_never_locks(
    system: System, clock: FakeClock
) -> None:
    add_user(system, "olive", Role.OPERATOR)
    for _ in range(system.settings.max_failed_logins + 2):
        clock.advance(system.settings.lockout_minutes * 60 + 1)
        assert _try(system, "olive", "wrong-password").user is None
    clock.advance(60)  # the operator arrives a minute after the latest wrong try
    assert _ok(system, "olive")


@pytest.fixture
def strict(tmp_path: Path, clock: FakeClock) -> Iterator[System]:
    """A system that refuses an address after 6 failures (fewer argon2 runs to get there)."""
    settings = make_settings(tmp_path / "strict")
    settings.max_failed_logins_per_source = 6
    system = build_system(settings, clock=clock)
    yield system
    system.close()


def test_one_source_address_is_throttled_across_user_names(strict: System) -> None:
    system = strict
    add_user(system, "olive", Role.OPERATOR)
    for i in range(system.settings.max_failed_logins_per_source):
        _try(system, f"guess{i}", "whatever-password", source="203.0.113.7")
    assert not _ok(system, "olive", source="203.0.113.7")
    assert _ok(system, "olive", source="10.0.0.9")
    refused = [e for e in _audit(system) if e.action == "login.refused"]
    assert refused and "source address" in refused[-1].reason


def test_successful_logins_from_a_shared_address_do_not_add_up(strict: System) -> None:
    system = strict
    add_user(system, "olive", Role.OPERATOR)
    for _ in range(system.settings.max_failed_logins_per_source + 2):
        assert _ok(system, "olive", source="192.0.2.1")


def test_parallel_wrong_logins_cannot_beat_the_lock(any_system: System) -> None:
    system = any_system
    add_user(system, "olive", Role.OPERATOR)
    attempts = 12
    barrier = threading.Barrier(attempts)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            _try(system, "olive", "wrong-password")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = _audit(system)
    checked = [e for e in entries if e.action == "login.failed"]
    refused = [e for e in entries if e.action == "login.refused"]
    # exactly the allowed number of passwords were tried; the rest were refused unseen
    assert len(checked) == system.settings.max_failed_logins
    assert len(refused) == attempts - system.settings.max_failed_logins
    assert not _ok(system, "olive")


def test_unknown_wrong_and_locked_read_the_same(system: System) -> None:
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "lockd", Role.OPERATOR)
    for _ in range(system.settings.max_failed_logins):
        _try(system, "lockd", "wrong-password", source="10.0.0.1")
    messages = {
        str(_try(system, "nobody", "whatever-password", source="10.0.0.2").error),
        str(_try(system, "olive", "wrong-password", source="10.0.0.3").error),
        str(_try(system, "lockd", PASSWORD, source="10.0.0.4").error),
    }
    assert messages == {LOGIN_REFUSED}
    kinds = {
        type(_try(system, n, p, source="10.0.0.5").error)
        for n, p in (("nobody", "x" * 12), ("olive", "x" * 12), ("lockd", PASSWORD))
    }
    assert kinds == {AuthError}


def test_unknown_users_cost_a_password_check_too(system: System, clock: FakeClock) -> None:
    add_user(system, "olive", Role.OPERATOR)

    took: dict[str, list[float]] = {"olive": [], "nobody-at-all": []}
    for _ in range(5):  # interleaved, and the fastest of each: a busy machine slows both
        for username, times in took.items():
            clock.advance(system.settings.lockout_minutes * 60 + 1)  # never locked
            start = time.perf_counter()
            _try(system, username, "wrong-password")
            times.append(time.perf_counter() - start)
    known, unknown = min(took["olive"]), min(took["nobody-at-all"])
    assert unknown >= 0.5 * known, (unknown, known)


def test_a_name_that_matches_no_user_is_not_recorded(system: System) -> None:
    typed = "Tr0ub4dor&3-typed-in-the-wrong-box"
    _try(system, typed, "whatever-password")
    with system.db.engine.connect() as conn:
        audit = conn.execute(text("SELECT * FROM audit_log")).all()
        throttle = conn.execute(text("SELECT * FROM login_throttle")).all()
    assert audit and throttle
    assert typed not in repr(audit) + repr(throttle)
    assert typed.casefold() not in repr(audit).casefold() + repr(throttle).casefold()


def test_stored_hash_is_upgraded_when_parameters_change(system: System) -> None:
    add_user(system, "olive", Role.OPERATOR)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with system.db.session() as s:
        system.users.get(s, "olive").password_hash = weak
    assert needs_rehash(weak)
    assert _ok(system, "olive")
    with system.db.session() as s:
        upgraded = system.users.get(s, "olive").password_hash
    assert upgraded != weak and not needs_rehash(upgraded)
    assert _ok(system, "olive")


def test_password_reset_ends_sessions_and_tokens(system: System) -> None:
    cookie, token = _operator_logged_in(system, "olive")
    with system.db.session() as s:
        user = system.users.get(s, "olive")
        spec = UserSpec(
            username="olive",
            role="operator",
            password="a brand new password",
            sia_number=user.sia_number,
            sia_expiry=user.sia_expiry,
            sia_status=user.sia_status,
        )
        system.users.update(s, "olive", spec, ROOT, "reset at the user's request")
    with system.db.session() as s:
        assert system.users.principal_for_session(s, cookie) is None
        assert system.users.principal_for_token(s, token) is None
    last = _audit(system)[-1]
    assert '"sessions_ended":1' in last.details and '"tokens_revoked":1' in last.details


def test_tokens_are_revoked_by_their_owner_or_an_administrator(system: System) -> None:
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "sam", Role.OPERATOR)
    add_user(system, "ada", Role.ADMIN)
    with system.db.session() as s:
        mine = system.users.issue_token(s, "olive", "mine", ROOT)
        other = system.users.issue_token(s, "olive", "other", ROOT)
    with system.db.session() as s:
        olive = system.users.principal_for_token(s, mine)
        sam = system.users.principal_for_token(s, system.users.issue_token(s, "sam", "x", ROOT))
        ids = {t.name: t.id for t in system.users.tokens(s, "olive")}
    assert olive is not None and sam is not None
    with pytest.raises(NotFound), system.db.session() as s:
        system.users.revoke_token(s, sam, ids["mine"])
    with system.db.session() as s:
        system.users.revoke_token(s, olive, ids["mine"], "lost laptop")
    with system.db.session() as s:
        assert system.users.principal_for_token(s, mine) is None
        ada = system.users.principal_for_session(
            s, system.users.open_session(s, system.users.get(s, "ada"))
        )
        assert ada is not None
        system.users.revoke_token(s, ada, ids["other"], "integration retired")
    with system.db.session() as s:
        assert system.users.principal_for_token(s, other) is None
    assert [e.action for e in _audit(system)][-2:] == ["token.revoke", "token.revoke"]
