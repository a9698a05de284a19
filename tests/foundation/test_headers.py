"""Security headers on every response, no inline script in pages, /vendor allow-listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.foundation.test_web import client, login  # noqa: F401  (fixture)
from watchkeeper.web.app import find_vendor_dir
from watchkeeper.web.security import VENDOR_FILES

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "watchkeeper" / "web" / "templates"


def _check(resp_headers: object) -> None:
    h = resp_headers
    csp = h["content-security-policy"]  # type: ignore[index]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "media-src 'self' blob:" in csp
    assert h["x-frame-options"] == "DENY"  # type: ignore[index]
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["referrer-policy"] == "same-origin"  # type: ignore[index]


PUBLIC = (
    "/login",
    "/health",
    "/api/openapi.json",
    "/api/docs",
    "/api/cameras",  # 401
    "/no-such-page",  # 404
    "/static/app.css",
    "/vendor/htmx.org/dist/htmx.min.js",
)


def test_every_response_carries_the_headers(client: TestClient) -> None:  # noqa: F811
    for path in PUBLIC:
        _check(client.get(path, headers={"accept": "application/json"}).headers)


def test_logged_in_pages_carry_the_headers(client: TestClient) -> None:  # noqa: F811
    login(client, "user-supervisor")
    for path in ("/cameras", "/incidents", "/users", "/wall", "/playback"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        _check(resp.headers)


def test_templates_hold_no_inline_script_or_style() -> None:
    for page in TEMPLATES.glob("*.html"):
        html = page.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (page.name, tag)
        assert "<style" not in html, page.name
        assert not re.search(r"\sstyle=", html), page.name
        assert not re.search(r"\son[a-z]+=", html), page.name


def test_vendor_serves_only_the_files_pages_use(client: TestClient) -> None:  # noqa: F811
    if find_vendor_dir() is None:
        pytest.skip("front-end packages not installed")
    for name in sorted(VENDOR_FILES):
        assert client.get(f"/vendor/{name}").status_code == 200, name
    for name in (
        "htmx.org/package.json",
        "swagger-ui-dist/index.html",
        "swagger-ui-dist/swagger-initializer.js",
        ".package-lock.json",
        "hls.js/src/hls.ts",
    ):
        assert client.get(f"/vendor/{name}").status_code == 404, name
    used = set()
    for page in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'/vendor/([^"\']+)', page.read_text()))
    assert used == set(VENDOR_FILES)


def test_api_docs_load_nothing_from_another_host(client: TestClient) -> None:  # noqa: F811
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)
