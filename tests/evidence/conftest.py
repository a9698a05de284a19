"""Footage recorded through the real segment writer and index, and packages made from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clips import make_clip
from tests.foundation.helpers import ROOT, load_small_register
from tests.playback.pb_media import record
from watchkeeper.evidence.package import ExportSpec, Package, build_package
from watchkeeper.evidence.signing import SigningKey, ensure_signing_key
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock

SUMMER = 1_782_900_000_250_000
"""2026-07-01 10:00:00.25 UTC, 11:00 BST: London and UTC differ on the overlay."""


@dataclass
class Recorded:
    """TC-001: 6 s at 320x240 in 2 s segments, a 10 s gap, 3 s at 480x272."""

    t0: int
    gap_start: int
    gap_end: int
    end: int


@pytest.fixture(scope="session")
def ev_clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("evclips")
    return make_clip(d / "a.ts", 6, "320x240"), make_clip(d / "b.ts", 3, "480x272")


@pytest.fixture
def recorded(system: System, clock: FakeClock, ev_clips: tuple[Path, Path]) -> Recorded:
    load_small_register(system)
    clock.set(SUMMER)
    t0 = clock.now_us()
    record(system, clock, ev_clips[0], "TC-001")
    gap_start = clock.now_us()
    clock.advance(10)
    gap_end = clock.now_us()
    record(system, clock, ev_clips[1], "TC-001")
    return Recorded(t0, gap_start, gap_end, clock.now_us())


@pytest.fixture
def key(system: System) -> SigningKey:
    return ensure_signing_key(system.settings.data_dir)[0]


def export(
    system: System, key: SigningKey, out: Path, start_us: int, end_us: int, exhibit: str = "JS/1",
    stills: tuple[int, ...] = (),
) -> Package:  # fmt: skip
    with system.db.session() as s:
        pkg = build_package(
            s,
            system.playback.root,
            out,
            key,
            ExportSpec(
                "TC-001", start_us, end_us, request_ref="REQ-1", exhibit_ref=exhibit, stills=stills
            ),
            ROOT,
            system.clock,
        )
        s.commit()
    return pkg
