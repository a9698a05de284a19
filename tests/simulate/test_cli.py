"""``watchkeeper simulate``: the fault command against a running rig, and bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from typer.testing import CliRunner

from tests.simulate.conftest import fixed
from watchkeeper.cli.simulate import register
from watchkeeper.simulate.rig import Rig


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps "simulate" a sub-command
        pass

    return app


@pytest.mark.media
def test_fault_command_reaches_rig(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fixed())
    creds = ["--control", rig.control_url, "--user", "operator", "--password", "s3cret-pass"]
    runner = CliRunner()
    ok = runner.invoke(_app(), ["simulate", "fault", "cam1", "stall", "--seconds", "1", *creds])
    assert ok.exit_code == 0 and "kind=stall" in ok.output
    bad = runner.invoke(_app(), ["simulate", "fault", "cam7", "drop", *creds])
    assert bad.exit_code == 1 and "no camera named" in bad.output


def test_unknown_fault_kind_and_unreachable_rig() -> None:
    runner = CliRunner()
    res = runner.invoke(_app(), ["simulate", "fault", "cam1", "melt", "--control",
                                 "http://127.0.0.1:9"])  # fmt: skip
    assert res.exit_code == 1 and "melt" in res.output
    res = runner.invoke(_app(), ["simulate", "fault", "cam1", "drop", "--control",
                                 "http://127.0.0.1:9"])  # fmt: skip
    assert res.exit_code == 1 and "unreachable" in res.output
