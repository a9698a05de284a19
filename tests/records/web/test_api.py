"""The records API: thin handlers, one right per route, no deletion anywhere."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from watchkeeper.web.app import create_app

from ..conftest import World
from .conftest import auth_header

PREFIXES = (
    "/api/incidents",
    "/api/radio",
    "/api/shifts",
    "/api/visitors",
    "/api/faults",
    "/api/partners",
    "/api/stats",
    "/incidents",
    "/radio",
)


_auth = auth_header


def _rights_of(route: APIRoute) -> list[str]:
    found = []
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        right = getattr(dep.call, "__wk_right__", None)
        if right is not None:
            found.append(str(right))
        stack.extend(dep.dependencies)
    return found


def _walk(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for r in routes:
        inner = getattr(r, "original_router", None)  # newer FastAPI wraps included routers
        if inner is not None:
            yield from _walk(inner.routes)
        else:
            yield r


def _records_routes(world: World) -> list[APIRoute]:
    return [
        r
        for r in _walk(create_app(world.system).routes)
        if isinstance(r, APIRoute) and r.path.startswith(PREFIXES)
    ]


def test_every_records_route_requires_exactly_one_right(world: World) -> None:
    routes = _records_routes(world)
    assert len(routes) > 30
    for r in routes:
        assert len(_rights_of(r)) == 1, r.path


def test_there_is_no_way_to_delete_a_record(client: TestClient, world: World) -> None:
    op = _auth(world, "op1")
    sup = _auth(world, "sup1")
    made = client.post(
        "/api/incidents", json={"category_id": "drugs", "source": "operator"}, headers=op
    )
    assert made.status_code == 201
    ref = made.json()["ref"]
    for who in (op, sup):
        assert client.delete(f"/api/incidents/{ref}", headers=who).status_code == 405
        assert client.delete("/api/radio/1", headers=who).status_code == 405
    for r in _records_routes(world):
        assert "DELETE" not in r.methods, r.path
    assert client.get(f"/api/incidents/{ref}", headers=op).status_code == 200


def test_lock_and_amend_over_http(client: TestClient, world: World) -> None:
    op = _auth(world, "op1")
    sup = _auth(world, "sup1")
    ref = client.post(
        "/api/incidents",
        json={"category_id": "violence", "source": "police", "summary": "fight"},
        headers=op,
    ).json()["ref"]
    r = client.post(f"/api/incidents/{ref}/entries", json={"text": "PTZ to TC-001"}, headers=op)
    assert r.status_code == 201
    assert client.post(f"/api/incidents/{ref}/close", json={}, headers=op).status_code == 422
    assert (
        client.put(
            f"/api/incidents/{ref}/outcomes", json={"outcomes": ["arrest"]}, headers=op
        ).status_code
        == 200
    )
    closed = client.post(f"/api/incidents/{ref}/close", json={"note": "done"}, headers=op)
    assert closed.json()["status"] == "closed"
    late = {"text": "late note", "why": "forgot"}
    assert client.post(f"/api/incidents/{ref}/entries", json=late, headers=op).status_code == 403
    no_reason = {"changes": {"crime_ref": "CR/9"}}
    assert client.patch(f"/api/incidents/{ref}", json=no_reason, headers=sup).status_code == 422
    ok = client.patch(
        f"/api/incidents/{ref}", json={**no_reason, "reason": "from OIC"}, headers=sup
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["crime_ref"] == "CR/9"
    assert [e["kind"] for e in body["entries"]] == [
        "open",
        "action",
        "outcome",
        "close",
        "amendment",
    ]


def test_holds_over_http_release_by_supervisor_only(client: TestClient, world: World) -> None:
    op = _auth(world, "op1")
    sup = _auth(world, "sup1")
    ref = client.post(
        "/api/incidents", json={"category_id": "theft", "source": "shopwatch"}, headers=op
    ).json()["ref"]
    t0 = world.clock.now_us()
    span = {"camera_ids": ["TC-004"], "start_us": t0 - 20, "end_us": t0 - 10}
    marked = client.post(f"/api/incidents/{ref}/cameras", json=span, headers=op)
    assert marked.status_code == 201
    hold_id = marked.json()["cameras"][0]["hold_id"]
    url = f"/api/incidents/{ref}/holds/{hold_id}/release"
    assert client.post(url, json={"reason": "x"}, headers=op).status_code == 403
    assert client.post(url, json={"reason": ""}, headers=sup).status_code == 422
    done = client.post(url, json={"reason": "no crime"}, headers=sup)
    assert done.status_code == 200
    assert done.json()["cameras"][0]["released_by"] == "sup1"


def test_partner_member_over_http_sees_only_own_radio(client: TestClient, world: World) -> None:
    shop1 = _auth(world, "shop1")
    shop2 = _auth(world, "shop2")
    msg = {"channel": "shopwatch", "message": "suspect in store"}
    mine = client.post("/api/radio", json=msg, headers=shop1).json()["id"]
    client.post("/api/radio", json=msg, headers=shop2)
    assert [e["id"] for e in client.get("/api/radio", headers=shop1).json()] == [mine]
    assert len(client.get("/api/radio", headers=_auth(world, "op1")).json()) == 2
    assert client.get("/api/incidents", headers=shop1).status_code == 403
    assert (
        client.post(
            f"/api/radio/{mine}/incident", json={"category_id": "theft"}, headers=shop1
        ).status_code
        == 403
    )


def test_new_incident_page_is_prefilled_from_a_camera(client: TestClient, world: World) -> None:
    op = _auth(world, "op1")
    at = world.clock.now_us() - 60_000_000
    page = client.get(f"/incidents/new?camera=TC-001&at={at}", headers=op)
    assert page.status_code == 200
    assert 'value="TC-001"' in page.text
    assert f'name="at" value="{at}"' in page.text
    assert '<option value="high-st" selected>' in page.text
