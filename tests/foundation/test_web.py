"""The web app: log-in flow, CSRF, the role matrix over every route, client isolation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from watchkeeper.auth.roles import RIGHTS, Right, Role
from watchkeeper.system import System
from watchkeeper.web.app import create_app
from watchkeeper.web.routers.auth import PUBLIC_PATHS

PATH_VALUES = {
    "camera_id": "TC-001",
    "username": "user-operator",
    "ref": "2026-000001",
    "entry_id": "1",
    "fault_id": "1",
    "hold_id": "1",
    "category_id": "1",
    "visitor_id": "1",
    "seq": "0",
    "job_id": "1",
    "rid": "1",
    "token_id": "999999",
    "span_id": "1",
    "alert_id": "1",
    "zone_id": "1",
    "rule_id": "1",
    "sign_id": "1",
    "record_id": "1",
    "version_id": "1",
    "client_id": "acme",
    "month": "2026-01",
    "year": "2026",
    "table": "incidents_total",
    "share_id": "1",
}


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    load_small_register(system)
    for role in Role:
        add_user(
            system,
            f"user-{role.value}",
            role,
            client_id="acme" if role is Role.CLIENT_VIEWER else None,
        )
    with TestClient(create_app(system)) as c:
        yield c


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf, "next": "/cameras"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    cams = client.get("/cameras")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', cams.text).group(1)  # type: ignore[union-attr]


def right_of(route: APIRoute) -> Right | None:
    found: list[Right] = []

    def walk(dep: object) -> None:
        call: Callable[..., object] | None = getattr(dep, "call", None)
        if call is not None and hasattr(call, "__wk_right__"):
            found.append(call.__wk_right__)
        for sub in getattr(dep, "dependencies", []):
            walk(sub)

    walk(route.dependant)
    assert len(found) <= 1, f"{route.path} names several rights"
    return found[0] if found else None


def api_routes(client: TestClient) -> list[APIRoute]:
    """Every API route, also through routers included by newer FastAPI as wrappers."""
    found: list[APIRoute] = []

    def walk(routes: list[object]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                found.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes)

    walk(client.app.routes)  # type: ignore[attr-defined]
    assert len(found) > 10
    return found


def test_every_route_names_a_right_or_is_public(client: TestClient) -> None:
    for route in api_routes(client):
        assert right_of(route) is not None or route.path in PUBLIC_PATHS, route.path


def test_role_matrix_over_every_route(client: TestClient, system: System) -> None:
    tokens = {}
    with system.db.session() as s:
        for role in Role:
            tokens[role] = system.users.issue_token(s, f"user-{role.value}", "matrix", ROOT)
    checked = 0
    for route in api_routes(client):
        right = right_of(route)
        if right is None:
            continue
        path = route.path
        for name, value in PATH_VALUES.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no test value for a parameter of {route.path}"
        for method in sorted(route.methods - {"HEAD"}):
            for role in Role:
                resp = client.request(
                    method,
                    path,
                    headers={"Authorization": f"Bearer {tokens[role]}"},
                    follow_redirects=False,
                )
                allowed = right in RIGHTS[role]
                if allowed:
                    assert resp.status_code not in (401, 403), (role, method, path, resp.text)
                else:
                    assert resp.status_code == 403, (role, method, path, resp.status_code)
                checked += 1
            anonymous = client.request(
                method, path, follow_redirects=False, headers={"accept": "application/json"}
            )
            assert anonymous.status_code in (401, 303), (method, path)
    assert checked >= len(Role) * 10


def test_login_page_and_camera_list_render(client: TestClient) -> None:
    assert "Log in" in client.get("/login").text
    anonymous = client.get("/cameras", follow_redirects=False, headers={"accept": "text/html"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(client, "user-operator")
    page = client.get("/cameras")
    assert "Town Centre" in page.text and "High Street" in page.text and "TC-001" in page.text
    assert "s3cret" not in page.text
    found = client.get("/cameras?q=car+park", headers={"hx-request": "true"})
    assert "RP-001" in found.text and "TC-001" not in found.text


def test_session_cookie_flags_and_csrf(client: TestClient) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    resp = client.post(
        "/login",
        data={"username": "user-manager", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.get("/cameras").text
    csrf_session = re.search(r'"X-CSRF-Token": "([^"]+)"', token).group(1)  # type: ignore[union-attr]
    body = {"status": "suspended", "reason": "maintenance"}
    assert client.post("/api/cameras/TC-001/status", json=body).status_code == 403
    ok = client.post(
        "/api/cameras/TC-001/status", json=body, headers={"X-CSRF-Token": csrf_session}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "suspended"
    assert ok.json()["main_url"] == "rtsp://***@10.0.0.1/main"


def test_login_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    resp = client.post(
        "/login",
        data={"username": "user-admin", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert resp.status_code == 403


def test_client_viewer_cannot_load_another_clients_camera(client: TestClient) -> None:
    login(client, "user-client_viewer")
    assert client.get("/api/cameras/TC-001").status_code == 404
    assert client.get("/api/cameras/RP-001").status_code == 200
    assert [c["id"] for c in client.get("/api/cameras").json()] == ["RP-001"]
    assert "TC-001" not in client.get("/api/cameras/export?format=csv").text


def test_admin_sees_why_a_user_cannot_log_in(client: TestClient, system: System) -> None:
    add_user(system, "lapsed", Role.OPERATOR, expiry_days=-3)
    login(client, "user-admin")
    row = next(u for u in client.get("/api/users").json() if u["username"] == "lapsed")
    assert row["licence"] == "expired" and "expired on" in row["login_blocked"]
    assert "expired on" in client.get("/users").text


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/cameras" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_a_write_commits_before_its_response_starts(client: TestClient, system: System) -> None:
    """A browser that follows a redirect at once must find what the request wrote."""
    import asyncio
    import json

    from watchkeeper.cameras.models import Camera

    with system.db.session() as s:
        token = system.users.issue_token(s, "user-manager", "t", ROOT)
    body = json.dumps({"status": "suspended", "reason": "pole struck by a van"}).encode()
    seen: dict[str, object] = {}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            seen["code"] = message["status"]
            with system.db.session() as s:
                seen["status"] = s.get(Camera, "TC-001").status  # type: ignore[union-attr]

    path = "/api/cameras/TC-001/status"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
        ],
    }
    asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    assert seen == {"code": 200, "status": "suspended"}
