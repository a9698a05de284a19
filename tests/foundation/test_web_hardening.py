"""Web hardening: log-out needs CSRF, one refusal message, token revocation over HTTP."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.foundation.helpers import PASSWORD, ROOT
from tests.foundation.test_web import client, login  # noqa: F401  (fixture)
from watchkeeper.system import System


def _login_error(client: TestClient, username: str, password: str) -> tuple[int, str]:  # noqa: F811
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )
    alert = re.search(r'role="alert"[^>]*>([^<]*)<', resp.text)
    return resp.status_code, alert.group(1).strip() if alert else ""


def test_logout_needs_the_csrf_token(client: TestClient) -> None:  # noqa: F811
    csrf = login(client, "user-operator")
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/me").status_code == 200  # still logged in
    done = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/me", headers={"accept": "application/json"}).status_code == 401


def test_login_form_says_the_same_for_unknown_wrong_and_locked(
    client: TestClient,  # noqa: F811
    system: System,
) -> None:
    for _ in range(system.settings.max_failed_logins):
        _login_error(client, "user-supervisor", "not the password")
    answers = {
        _login_error(client, "no-such-user", "not the password"),
        _login_error(client, "user-operator", "not the password"),
        _login_error(client, "user-supervisor", PASSWORD),
    }
    assert len(answers) == 1, answers
    status, message = answers.pop()
    assert status == 401 and message.startswith("wrong user name or password")


def test_tokens_listed_and_revoked_by_owner_and_admin(
    client: TestClient,  # noqa: F811
    system: System,
) -> None:
    with system.db.session() as s:
        own = system.users.issue_token(s, "user-operator", "own", ROOT)
        other = system.users.issue_token(s, "user-operator", "other", ROOT)
        admin = system.users.issue_token(s, "user-admin", "admin", ROOT)
        stranger = system.users.issue_token(s, "user-supervisor", "x", ROOT)

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    mine = client.get("/api/me/tokens", headers=auth(own)).json()
    ids = {t["name"]: t["id"] for t in mine}
    assert set(ids) == {"own", "other"} and all("token" not in k for t in mine for k in t)
    # someone else's token is not found, not forbidden
    assert (
        client.post(f"/api/me/tokens/{ids['own']}/revoke", headers=auth(stranger)).status_code
        == 404
    )
    resp = client.post(f"/api/me/tokens/{ids['own']}/revoke", headers=auth(own))
    assert resp.status_code == 200 and resp.json()["revoked"] is True
    assert client.get("/api/me", headers=auth(own)).status_code == 401
    listed = client.get("/api/users/user-operator/tokens", headers=auth(admin)).json()
    assert {t["name"]: t["revoked"] for t in listed} == {"own": True, "other": False}
    wrong_user = client.post(
        f"/api/users/user-admin/tokens/{ids['other']}/revoke", headers=auth(admin)
    )
    assert wrong_user.status_code == 404
    resp = client.post(
        f"/api/users/user-operator/tokens/{ids['other']}/revoke",
        headers=auth(admin),
        json={"reason": "integration retired"},
    )
    assert resp.status_code == 200
    assert client.get("/api/me", headers=auth(other)).status_code == 401


def test_admin_password_reset_over_http_ends_the_users_sessions(
    client: TestClient,  # noqa: F811
    system: System,
) -> None:
    other = TestClient(client.app)
    login(other, "user-operator")
    assert other.get("/api/me").status_code == 200
    with system.db.session() as s:
        admin = system.users.issue_token(s, "user-admin", "admin", ROOT)
        user = system.users.get(s, "user-operator")
        body = {
            "username": "user-operator",
            "role": "operator",
            "password": "a new password for olive",
            "sia_number": user.sia_number,
            "sia_expiry": str(user.sia_expiry),
            "sia_status": user.sia_status,
            "reason": "forgot it",
        }
    resp = client.put(
        "/api/users/user-operator", json=body, headers={"Authorization": f"Bearer {admin}"}
    )
    assert resp.status_code == 200, resp.text
    assert other.get("/api/me", headers={"accept": "application/json"}).status_code == 401
