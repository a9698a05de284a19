"""The recording CLI commands, assembled into a bare Typer app as ``cli/main.py`` would."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rec_helpers import add_cameras, run_writer
from typer.testing import CliRunner

from watchkeeper.cli.record import register
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.timeutil import FakeClock, format_local


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    monkeypatch.setenv("WATCHKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WATCHKEEPER_DATABASE_URL", raising=False)
    db = Database(f"sqlite:///{tmp_path / 'watchkeeper.db'}")
    upgrade(db.engine)
    add_cameras(db)
    return db


def invoke(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def test_check_exit_codes(env: Database, clip: Path, tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    clock = FakeClock()
    segs = run_writer(
        clip,
        root,
        clock,
        RecorderConfig(segment_seconds=3, stagger=False),
        index=SegmentIndex(env, clock).add,
    )
    assert invoke("check") == (0, "2 rows, 2 files, 0 problems\n")
    (root / segs[0].relpath).unlink()
    code, out = invoke("check")
    assert code == 1 and f"missing_file: {segs[0].relpath}" in out
    code, out = invoke("check", "--repair")
    assert code == 0 and "row removed" in out and "all fixed" in out
    assert invoke("check", "--full")[0] == 0


def test_holds_add_list_release(env: Database) -> None:
    code, out = invoke(
        "holds",
        "add",
        "--camera",
        "TC-001",
        "--from",
        "2026-10-25T01:00+01:00",
        "--to",
        "2026-10-25T01:30+00:00",
        "--reference",
        "INC-77",
        "--reason",
        "robbery",
        "--holder",
        "PC 77 Jones",
        "--user",
        "sup1",
    )
    assert (code, out) == (0, "hold 1 created\n")
    code, out = invoke("holds", "list")
    assert code == 0 and "INC-77" in out and "PC 77 Jones" in out and "BST" in out
    assert invoke("holds", "release", "1", "--reason", "NFA", "--user", "sup1") == (
        0,
        "hold 1 released\n",
    )
    assert invoke("holds", "list") == (0, "")
    code, out = invoke("holds", "release", "1", "--reason", "again")
    assert code == 2 and "released already" in out
    code, out = invoke(
        "holds",
        "add",
        "--camera",
        "NOPE",
        "--from",
        "2026-01-01T00:00",
        "--to",
        "2026-01-01T01:00",
        "--reference",
        "R",
        "--reason",
        "r",
        "--holder",
        "h",
    )
    assert code == 2 and "not found" in out


def test_gaps_lists_spans_and_gaps(env: Database, clip: Path, tmp_path: Path) -> None:
    clock = FakeClock()  # 2026-01-01 00:00 UTC = local midnight (GMT)
    segs = run_writer(
        clip,
        tmp_path / "recordings",
        clock,
        RecorderConfig(stagger=False),
        index=SegmentIndex(env, clock).add,
    )
    code, out = invoke("gaps", "TC-001", "--day", "2026-01-01")
    assert code == 0
    assert f"recorded {format_local(segs[0].start_us)} - {format_local(segs[0].end_us)}" in out
    assert "GAP" in out and "not recorded" not in out.splitlines()[0]


def test_record_logs_each_state_change_once_and_counts_open_segments(
    env: Database, tmp_path: Path
) -> None:
    """A single-worker ``record`` prints one line per state change of a camera that never
    connects, with its reason; the stop counts only streams that had a segment open."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import threading
    import time

    from sqlalchemy import update

    from watchkeeper.cameras.models import Camera

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with env.session() as ses:
        ses.execute(
            update(Camera)
            .where(Camera.id == "TC-001")
            .values(main_url=f"rtsp://u:pw@127.0.0.1:{port}/x")
        )
    child = subprocess.Popen(
        [sys.executable, "-m", "watchkeeper", "--data-dir", str(tmp_path), "record"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seen: list[str] = []
    assert child.stdout is not None
    reader = threading.Thread(target=lambda: seen.extend(child.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        end = time.monotonic() + 60  # a loaded machine starts Python slowly
        while time.monotonic() < end and not any("connect failed" in ln for ln in seen):
            time.sleep(0.2)
        time.sleep(2)  # more refusals, which must not print more lines
        child.send_signal(signal.SIGTERM)
        child.wait(30)
        reader.join(10)
        out = "".join(seen)
    finally:
        if child.poll() is None:
            child.kill()
    lines = [ln for ln in out.splitlines() if "TC-001/main" in ln]
    assert sum("connecting: opening stream" in ln for ln in lines) == 1, out
    refused = [ln for ln in lines if "connect failed" in ln and "Connection refused" in ln]
    assert len(refused) == 1, out  # the first refusal; later ones are counted, not repeated
    assert ":pw@" not in out
    assert "stopped; 0 of 1 streams had a segment open to finish" in out, out


def test_storage_error_is_one_line_naming_the_camera_once(
    clip: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import errno
    import threading

    from watchkeeper.recording.ingest import file_opener
    from watchkeeper.recording.paths import StreamKey
    from watchkeeper.recording.segments import SegmentWriter
    from watchkeeper.recording.supervisor import StreamSupervisor

    def broken_disk(_fd: int, _data: memoryview) -> int:
        raise OSError(errno.EIO, "Input/output error")

    key = StreamKey("TC-001", "main")
    cfg = RecorderConfig(stagger=False)
    clock = FakeClock()
    writer = SegmentWriter(tmp_path, key, cfg, lambda _s: None, write=broken_disk)
    stop = threading.Event()
    opens = []

    def opener(url: str):  # type: ignore[no-untyped-def]
        opens.append(url)
        if len(opens) > 1:
            stop.set()
        return file_opener(clock)(url)

    sup = StreamSupervisor(
        key, str(clip), opener, writer, lambda *a: None, cfg, clock, lambda *_a: None
    )
    caplog.set_level("INFO")
    sup.run(stop)
    text = [r.getMessage() for r in caplog.records if "Input/output error" in r.getMessage()]
    assert len(text) == 1, text
    assert text[0].startswith("TC-001/main stalled: storage error: cannot write"), text[0]


# --- the global options reach every recording command -----------------------------------


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHKEEPER_MODE", "development")
    for name in ("WATCHKEEPER_DATA_DIR", "WATCHKEEPER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_global_data_dir_reaches_holds_check_and_gaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchkeeper.cli.main import build_app
    from watchkeeper.recording.models import RecordingHold

    _clean_env(monkeypatch)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = tmp_path / "target"

    def run(*args: str) -> tuple[int, str]:
        r = CliRunner().invoke(build_app(), ["--data-dir", str(target), *args])
        return r.exit_code, r.output

    code, out = run(
        "holds", "add", "--from", "2026-01-01T10:00", "--to", "2026-01-01T11:00",
        "--reference", "INC-1", "--reason", "assault", "--holder", "PC 1",
    )  # fmt: skip
    assert (code, out) == (0, "hold 1 created\n")
    assert "INC-1" in run("holds", "list")[1]
    assert run("check") == (0, "0 rows, 0 files, 0 problems\n")
    assert run("gaps", "TC-001", "--day", "2026-01-01")[0] == 0
    db = Database(f"sqlite:///{target / 'watchkeeper.db'}")
    with db.session() as s:
        assert [h.reference for h in s.query(RecordingHold)] == ["INC-1"]
    assert not (elsewhere / "data").exists()  # nothing went to the default folder


def test_record_uses_the_global_data_dir_and_recorder_settings(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``watchkeeper --data-dir X record`` records into X, cut as the environment says."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import select

    import watchkeeper
    from watchkeeper.recording.models import Segment

    target = tmp_path / "target"
    target.mkdir()
    db = Database(f"sqlite:///{target / 'watchkeeper.db'}")
    upgrade(db.engine)
    add_cameras(db, ("TC-001",), url=str(clip))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(watchkeeper.__file__).parents[1]),
        "WATCHKEEPER_MODE": "development",
        "WATCHKEEPER_RECORDER__SEGMENT_SECONDS": "2",
        "WATCHKEEPER_RECORDER__STAGGER": "false",
    }
    env.pop("WATCHKEEPER_DATA_DIR", None)
    env.pop("WATCHKEEPER_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchkeeper", "--data-dir", str(target), "record"],
        cwd=elsewhere,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        rows: list[Segment] = []
        while len(rows) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.3)
            with db.session() as s:
                rows = list(s.execute(select(Segment)).scalars())
                s.expunge_all()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    assert len(rows) >= 2, "nothing recorded into the --data-dir"
    assert all((target / "recordings" / r.path).is_file() for r in rows)
    assert (rows[0].end_us - rows[0].start_us) / 1e6 < 4  # 2 s segments, not the 60 s default
    assert not (elsewhere / "data").exists()
