"""Log-in, lock-out, SIA licence rules and tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.licence import LicenceLevel
from watchkeeper.auth.models import User
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.errors import AuthError, LicenceInvalid, ValidationError
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock


def _login(system: System, username: str, password: str = PASSWORD) -> User:
    with system.db.session() as s:
        result = system.users.authenticate(s, username, password)
    return result.user_or_raise()


def _actions(system: System) -> list[str]:
    with system.db.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_password_is_argon2_and_login_is_audited(system: System) -> None:
    add_user(system, "olive", Role.OPERATOR)
    with system.db.session() as s:
        assert system.users.get(s, "olive").password_hash.startswith("$argon2id$")
    assert _login(system, "olive").username == "olive"
    with pytest.raises(AuthError, match="wrong user name or password"):
        _login(system, "olive", "not the password")
    with pytest.raises(AuthError, match="wrong user name or password"):
        _login(system, "nobody", "whatever")
    assert _actions(system)[-3:] == ["login", "login.failed", "login.failed"]


def test_lockout_after_repeated_failures_then_expires(system: System, clock: FakeClock) -> None:
    add_user(system, "olive", Role.OPERATOR)
    for _ in range(system.settings.max_failed_logins):
        with pytest.raises(AuthError):
            _login(system, "olive", "wrong-password")
    with pytest.raises(AuthError, match="too many attempts"):
        _login(system, "olive")
    with system.db.session() as s:
        assert "locked" in system.users.login_blocker(system.users.get(s, "olive"))
    clock.advance(system.settings.lockout_minutes * 60 + 1)
    assert _login(system, "olive").username == "olive"
    with system.db.session() as s:
        assert system.users.login_blocker(system.users.get(s, "olive")) == ""


@pytest.mark.parametrize(
    ("days", "status", "level"),
    [
        (-1, "active", LicenceLevel.EXPIRED),
        (200, "suspended", LicenceLevel.SUSPENDED),
        (200, "revoked", LicenceLevel.REVOKED),
    ],
)
def test_invalid_licence_cannot_log_in_and_admin_sees_why(
    system: System, days: int, status: str, level: LicenceLevel
) -> None:
    add_user(system, "olive", Role.OPERATOR, expiry_days=days, sia_status=status)
    with pytest.raises(LicenceInvalid, match=status if status != "active" else "expired"):
        _login(system, "olive")
    with system.db.session() as s:
        user = system.users.get(s, "olive")
        assert system.users.licence(user).level is level
        assert "SIA licence" in system.users.login_blocker(user)
    assert _actions(system)[-1] == "login.refused"


@pytest.mark.parametrize(
    ("days", "level"),
    [
        (400, LicenceLevel.VALID),
        (120, LicenceLevel.EXPIRES_IN_4_MONTHS),
        (30, LicenceLevel.EXPIRES_IN_30_DAYS),
        (0, LicenceLevel.EXPIRES_IN_30_DAYS),
    ],
)
def test_licence_warnings_before_expiry(system: System, days: int, level: LicenceLevel) -> None:
    add_user(system, "olive", Role.SUPERVISOR, expiry_days=days)
    user = _login(system, "olive")
    assert system.users.licence(user).level is level


def test_unlicensed_roles_need_no_licence(system: System) -> None:
    add_user(system, "dora", Role.DPO)
    assert _login(system, "dora").role == "dpo"


def test_operator_without_licence_is_refused(system: System) -> None:
    with system.db.session() as s:
        system.users.create(
            s, UserSpec(username="newbie", role="operator", password=PASSWORD), ROOT
        )
    with pytest.raises(LicenceInvalid, match="no SIA licence"):
        _login(system, "newbie")


def test_client_viewer_must_name_a_client(system: System) -> None:
    load_small_register(system)
    with pytest.raises(ValidationError, match="client"), system.db.session() as s:
        system.users.create(
            s, UserSpec(username="c", role="client_viewer", password=PASSWORD), ROOT
        )
    add_user(system, "acme1", Role.CLIENT_VIEWER, client_id="acme")


def test_role_change_disable_and_tokens_are_audited(system: System) -> None:
    add_user(system, "olive", Role.OPERATOR)
    with system.db.session() as s:
        user = system.users.get(s, "olive")
        spec = UserSpec(
            username="olive",
            role="supervisor",
            sia_number=user.sia_number,
            sia_expiry=user.sia_expiry,
            sia_status="active",
        )
        system.users.update(s, "olive", spec, ROOT, "promoted")
        token = system.users.issue_token(s, "olive", "radio bridge", ROOT)
    with system.db.session() as s:
        who = system.users.principal_for_token(s, token)
        assert who is not None and who.role is Role.SUPERVISOR and who.via_token
        assert system.users.principal_for_token(s, token + "x") is None
        system.users.set_disabled(s, "olive", True, ROOT, "left the service")
    with system.db.session() as s:
        assert system.users.principal_for_token(s, token) is None
    assert _actions(system)[-3:] == ["user.role_change", "token.issue", "user.disable"]
    with pytest.raises(AuthError, match="disabled"):
        _login(system, "olive")
