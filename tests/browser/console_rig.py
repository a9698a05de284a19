"""A served borough with a small live recorder, shared by the console's browser tests.

RP-001 streams without end; RP-002 plays a 3-second clip once per connection, so it ends,
goes stalled or offline and comes back again and again (alerts to list); TC-001 points at
a file that does not exist (offline); every other camera has no stream here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browser.conftest import serve_app
from tests.clips import make_clip
from tests.conftest import make_settings
from tests.foundation.helpers import ROOT, add_user
from watchkeeper.auth.roles import Role
from watchkeeper.cameras.io import parse_import
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import FileSource
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.system import System, build_system
from watchkeeper.timeutil import SystemClock

BOROUGH = Path(__file__).resolve().parents[2] / "examples" / "borough.yaml"


@dataclass
class Console:
    url: str
    system: System
    server_log: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def load_borough(system: System) -> None:
    parsed = parse_import(BOROUGH.read_text(), "borough.yaml")
    with system.db.session() as s:
        system.cameras.apply(s, parsed.cameras, ROOT, "test", sites=parsed.sites)


@contextmanager
def console(tmp_path: Path, live: bool = True, tile_url: str = "") -> Iterator[Console]:
    settings = make_settings(tmp_path / "data").model_copy(update={"map_tile_url": tile_url})
    system = build_system(settings)
    load_borough(system)
    add_user(system, "olive", Role.OPERATOR)
    add_user(system, "sue", Role.SUPERVISOR)
    if live:
        clock = SystemClock()
        long_clip = make_clip(tmp_path / "long.ts", 4, "320x240")
        short_clip = make_clip(tmp_path / "short.ts", 3, "160x120")

        def opener(url: str) -> Any:
            loops = 1 if "short" in url else 1000
            return FileSource(Path(url), clock, True, loops)

        recorder = RecorderService(
            system.db,
            system.playback.root,
            RecorderConfig(
                segment_seconds=10, fsync_each_fragment=False, offline_after_s=3, stall_seconds=2
            ),
            clock,
            opener,
        )
        recorder.start(
            [
                StreamPlan(StreamKey("RP-001", "main"), str(long_clip)),
                StreamPlan(StreamKey("RP-002", "main"), str(short_clip)),
                StreamPlan(StreamKey("RP-002", "sub"), str(short_clip)),
                StreamPlan(StreamKey("TC-001", "main"), str(tmp_path / "missing.ts")),
            ]
        )
        system.recorder = recorder
    lines: list[str] = []
    handler = _Collect(lines)
    watched = [logging.getLogger(n) for n in ("uvicorn.error", "uvicorn.asgi", "uvicorn")]
    for lg in watched:
        lg.addHandler(handler)
    try:
        with serve_app(system) as url:
            yield Console(url, system, lines)
    finally:
        for lg in watched:
            lg.removeHandler(handler)
        system.close()


def log_in(page: Any, con: Console, username: str) -> None:
    with con.system.db.session() as s:
        token = con.system.users.open_session(s, con.system.users.get(s, username))
    page.context.add_cookies([{"name": "wk_session", "value": token, "url": con.url}])
