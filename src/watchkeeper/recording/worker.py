"""Recorder processes: one shard in this process, or N shard processes kept alive.

``python -m watchkeeper.recording.worker --shard-index I --shard-count N`` records the cameras
of shard I. :func:`run_workers` starts N such processes and restarts any that dies, because
a dead worker is a set of cameras nobody records. Signals (SIGINT, SIGTERM) stop them all;
each finishes and indexes its open segments.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from watchkeeper.config.settings import load_settings
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.service import RecorderService, recordings_root
from watchkeeper.records.faults import camera_offline

__all__ = ["main", "run_shard", "run_workers"]

log = logging.getLogger(__name__)


def _stop_on_signals() -> threading.Event:
    done = threading.Event()

    def _on_signal(_sig: int, _frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    return done


def run_shard(
    data_dir: Path | None, config: RecorderConfig, migrate: bool = True
) -> tuple[int, int]:
    """Record this shard's cameras until a signal; returns (streams, streams that had a
    segment open at the stop and finished it)."""
    settings = load_settings(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    if migrate:
        upgrade(db.engine)
    done = _stop_on_signals()
    service = RecorderService(
        db, recordings_root(settings.data_dir), config, on_offline=camera_offline
    )
    service.start()
    streams = len(service.health())
    log.info("shard %d/%d: recording %d streams", config.shard_index, config.shard_count, streams)
    done.wait()
    finished = service.stop()
    db.dispose()
    return streams, finished


def run_workers(count: int, data_dir: Path | None, restart_delay_s: float = 1.0) -> None:
    """Run ``count`` shard processes; restart any that exits until a signal arrives."""
    load_settings(data_dir=data_dir)  # refuse bad settings before spawning anything
    upgrade(Database(load_settings(data_dir=data_dir).db_url).engine)
    done = _stop_on_signals()

    def spawn(i: int) -> subprocess.Popen[bytes]:
        args = [
            sys.executable,
            "-X",
            "faulthandler",  # from the first instruction, before main() enables it too
            "-m",
            "watchkeeper.recording.worker",
            "--shard-index",
            str(i),
            "--shard-count",
            str(count),
            "--no-migrate",
        ]
        if data_dir is not None:
            args += ["--data-dir", str(data_dir)]
        return subprocess.Popen(args)

    procs = {i: spawn(i) for i in range(count)}
    while not done.wait(0.5):
        for i, p in procs.items():
            if p.poll() is not None:
                log.error("recorder shard %d exited with %s; restarting", i, p.returncode)
                time.sleep(restart_delay_s)
                procs[i] = spawn(i)
    for p in procs.values():
        p.send_signal(signal.SIGTERM)
    for p in procs.values():
        p.wait(30)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Record one shard of the cameras.")
    ap.add_argument("--shard-index", type=int, default=0)
    ap.add_argument("--shard-count", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--no-migrate", action="store_true")
    args = ap.parse_args(argv)
    faulthandler.enable()  # a native crash (the media library) prints every thread's stack
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = RecorderConfig(shard_index=args.shard_index, shard_count=args.shard_count)
    run_shard(args.data_dir, config, migrate=not args.no_migrate)


if __name__ == "__main__":
    main()
