"""``watchkeeper redaction``: start the face search, render, follow to done, list."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.evidence.conftest import Recorded
from tests.foundation.helpers import add_user
from tests.redaction.conftest import export_done
from watchkeeper.auth.roles import Role
from watchkeeper.cli.main import build_app
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

pytestmark = pytest.mark.media


def test_start_run_render_run_list(
    system: System, recorded: Recorded, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    job = export_done(system, clock, recorded.t0, recorded.t0 + 2_000_000)
    add_user(system, "sam", Role.SUPERVISOR)
    add_user(system, "olly", Role.OPERATOR)
    data = str(system.settings.data_dir)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(build_app(), ["--data-dir", data, *args])
        return result.exit_code, result.output

    code, out = run("redaction", "start", str(job), "--by", "olly")
    assert code != 0 and "may not redact" in out
    code, out = run("redaction", "start", str(job), "--by", "sam")
    assert code == 0 and "redaction 1 queued" in out, out
    code, out = run("redaction", "run", "1")
    assert code == 0 and "redaction 1: ready" in out, out
    code, out = run("redaction", "render", "1", "--by", "sam")
    assert code == 0, out
    code, out = run("redaction", "run", "1")
    assert code == 0 and "redaction 1: done" in out and "redacted/TC-001-1.mp4" in out, out
    code, out = run("redaction", "list")
    assert code == 0 and "done" in out
