"""``watchkeeper incidents search/show`` and ``watchkeeper stats`` read the log."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from watchkeeper.cli.main import build_app
from watchkeeper.records.incidents import IncidentDraft
from watchkeeper.records.vocab import Outcome, Source

from .conftest import World


def test_cli_searches_shows_and_counts(world: World, tmp_path: Path) -> None:
    svc = world.system.incidents
    with world.session() as s:
        ref = svc.create(
            s, world.operator, IncidentDraft("drugs", Source.POLICE, "deal by the fountain")
        ).ref
        svc.add_action(s, world.operator, ref, "tracked on TC-005", why="buyer left east")
        svc.set_outcomes(s, world.operator, ref, [Outcome.POLICE_ATTENDED])
    world.system.close()
    run = CliRunner().invoke
    base = ["--data-dir", str(tmp_path), "--mode", "development"]
    found = run(build_app(), [*base, "incidents", "search", "fountain"])
    assert found.exit_code == 0, found.output
    assert ref in found.output and "Drugs" in found.output
    shown = run(build_app(), [*base, "incidents", "show", ref])
    assert "tracked on TC-005 (why: buyer left east)" in shown.output
    missing = run(build_app(), [*base, "incidents", "show", "2026-999999"])
    assert missing.exit_code == 1
    stats = run(build_app(), [*base, "stats", "--since", "2025-12-01", "--until", "2026-02-01"])
    assert "category,Drugs,1" in stats.output
    assert "outcome,police_attended,1" in stats.output
