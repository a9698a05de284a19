"""The sample borough and an operator called ``bench``, loaded into a benchmark's system."""

from __future__ import annotations

import secrets
from pathlib import Path

from watchkeeper.audit.service import Actor
from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.io import ParsedImport, parse_import
from watchkeeper.system import System

__all__ = ["BENCH", "borough", "load_borough"]

ROOT = Path(__file__).resolve().parents[1]
BENCH = Actor.system("bench")


def borough() -> ParsedImport:
    return parse_import((ROOT / "examples" / "borough.yaml").read_text(), "borough.yaml")


def load_borough(system: System, parsed: ParsedImport) -> None:
    """Register the borough's cameras and add the ``bench`` operator (licence valid)."""
    today = system.users.today()
    with system.db.session() as s:
        system.cameras.apply(
            s, parsed.cameras, BENCH, "bench", sites=parsed.sites, names=parsed.names
        )
        system.users.create(
            s,
            UserSpec(
                username="bench",
                role=Role.OPERATOR.value,
                password=secrets.token_urlsafe(16),
                sia_number="1" * 16,
                sia_expiry=today.replace(year=2099),
                sia_status="active",
                sia_checked_on=today,
            ),
            BENCH,
        )
