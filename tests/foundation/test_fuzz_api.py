"""Schemathesis over the app's OpenAPI, in process (ASGI) on SQLite, as every role and
anonymous: no request is answered 500, and every 401/403 agrees with the rights table.

Each generated request is sent once per role (bearer token) and once anonymous, so a
few examples per operation cover the whole matrix. Bounded for speed (see MAX_EXAMPLES);
a deeper run is the same test with ``WK_FUZZ_EXAMPLES`` raised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import make_settings
from tests.foundation.helpers import ROOT, add_user, load_small_register
from watchkeeper.auth.roles import RIGHTS, Right, Role
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app
from watchkeeper.web.routers.auth import PUBLIC_PATHS

MAX_EXAMPLES = int(os.environ.get("WK_FUZZ_EXAMPLES", "6"))
SKIP = re.compile(r"^/api/live/events$")
"""A long poll: each call may wait its full ``wait``; not worth fuzzing time here."""


class Rig:
    def __init__(self, system: System, app: FastAPI, tokens: dict[Role, str]) -> None:
        self.system, self.app, self._tokens = system, app, tokens
        self.rights: dict[tuple[str, str], Right] = {}
        for route in _api_routes(app):
            right = _right_of(route)
            if right is not None:
                for method in route.methods:
                    self.rights[(method, route.path_format)] = right

    def tokens(self) -> dict[Role, str]:
        """A working token per role: generated requests may revoke a token, reset a
        password or disable a user; the next example starts from working users again."""
        with self.system.db.session() as s:
            for role, token in self._tokens.items():
                name = f"user-{role.value}"
                user = self.system.users.get(s, name)
                if user.disabled:
                    self.system.users.set_disabled(s, name, False, ROOT, "fuzz")
                if self.system.users.principal_for_token(s, token) is None:
                    self._tokens[role] = self.system.users.issue_token(s, name, "fuzz", ROOT)
        return dict(self._tokens)


def _api_routes(app: FastAPI) -> Iterator[APIRoute]:
    stack: list[Any] = list(app.routes)
    while stack:
        r = stack.pop()
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):
            stack.extend(r.original_router.routes)


def _right_of(route: APIRoute) -> Right | None:
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        right = getattr(dep.call, "__wk_right__", None)
        if right is not None:
            return right  # type: ignore[no-any-return]
        stack.extend(dep.dependencies)
    return None


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    system = build_system(make_settings(tmp_path_factory.mktemp("fuzz") / "data"), FakeClock())
    load_small_register(system)
    tokens = {}
    for role in Role:
        name = f"user-{role.value}"
        add_user(system, name, role, client_id="acme" if role is Role.CLIENT_VIEWER else None)
        with system.db.session() as s:
            tokens[role] = system.users.issue_token(s, name, "fuzz", ROOT)
    yield Rig(system, create_app(system), tokens)
    system.close()


DENIED = re.compile(r"the (\w+) role may not ([\w.]+)")
SHARDS = 2


def _check(case: Any, rig: Rig) -> None:
    path = case.operation.path
    anonymous = case.call(headers={"accept": "application/json"})
    case.validate_response(anonymous, checks=[not_a_server_error])
    if path in PUBLIC_PATHS:  # public by design (the evidence public key): no right to check
        assert anonymous.status_code == 200, (case.method, path, anonymous.status_code)
        return
    right = rig.rights[(case.method.upper(), path)]
    assert anonymous.status_code == 401, (case.method, path, anonymous.status_code)
    for role, token in rig.tokens().items():
        resp = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(resp, checks=[not_a_server_error])
        where = (role.value, case.method, path, resp.status_code, resp.text[:200])
        assert resp.status_code != 401, where  # a valid token is never "log in first"
        if right not in RIGHTS[role]:
            assert resp.status_code == 403, where
        elif resp.status_code == 403:
            # allowed by the route's right: a refusal must name another right the role
            # lacks, or be a rule of the domain; never the route's own right
            said = DENIED.search(resp.json().get("detail", ""))
            if said is not None:
                assert said.group(2) != right.value, where
                assert Right(said.group(2)) not in RIGHTS[role], where


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_as_every_role(rig: Rig, shard: int) -> None:
    """Schemathesis drives generation; pytest 9 does not run its plugin, so a plain loop."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", rig.app)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda op: op.label)
    failures: list[str] = []
    checked = 0
    for n, op in enumerate(operations):
        if n % SHARDS != shard or SKIP.match(op.path):
            continue

        @given(case=op.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            _check(case, rig)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report all
            failures.append(f"{op.label}: {type(exc).__name__}: {str(exc)[:600]}")
        checked += 1
    assert checked >= 25
    assert not failures, "\n\n".join(failures)
