"""Recorder processes: one shard in this process, or N shard processes kept alive.

``python -m watchkeeper.recording.worker --shard-index I --shard-count N`` records the cameras
of shard I. :func:`run_workers` starts N such processes and restarts any that dies, because
a dead worker is a set of cameras nobody records. The parent hands each worker its own
settings as JSON on standard input (``--settings-stdin``; never on the command line, where
any user could read a database password), so a worker records exactly where its parent
was told to; every process is built by the one composition root (``build_system``).
Signals (SIGINT, SIGTERM) stop them all; each finishes and indexes its open segments.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchkeeper.config.settings import Settings, load_settings
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.system import System, build_system, start_recorder

if TYPE_CHECKING:
    from watchkeeper.storage.tier import TierMover

__all__ = ["main", "run_shard", "run_workers", "shard_config"]

log = logging.getLogger(__name__)


def _stop_on_signals() -> threading.Event:
    done = threading.Event()

    def _on_signal(_sig: int, _frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    return done


def run_shard(
    settings: Settings, config: RecorderConfig | None = None, migrate: bool = True
) -> tuple[int, int]:
    """Record this shard's cameras until a signal; returns (streams, streams that had a
    segment open at the stop and finished it)."""
    config = config or settings.recorder
    system = build_system(settings, migrate=migrate)
    finished = 0
    try:
        done = _stop_on_signals()
        tier = _start_tier(system) if config.shard_index == 0 else None  # one mover
        if settings.cluster.enabled:  # a recorder node: cameras by lease (scale-out.md)
            from watchkeeper.cluster.run import start_node

            node = start_node(system, config)
            done.wait()
            node.stop()
            if tier is not None:
                tier.stop()
            return len(node.held), 0
        service = start_recorder(system, config)
        streams = len(service.health())
        log.info(
            "shard %d/%d: recording %d streams", config.shard_index, config.shard_count, streams
        )
        done.wait()
        finished = service.stop()  # open segments are finished and indexed
        if tier is not None:
            tier.stop()
    finally:
        system.close()
    return streams, finished


def _start_tier(system: System) -> TierMover | None:
    """The object tier's mover, in the recorder process, when a bucket is configured."""
    store = system.playback.files.store
    if store is None:
        return None
    from watchkeeper.storage.tier import TierMover

    node = system.settings.cluster.name if system.settings.cluster.enabled else None
    tier = TierMover(
        system.db, system.playback.root, store, system.settings.storage, system.clock, node
    )
    tier.start()
    return tier


def shard_config(settings: Settings, index: int, count: int) -> RecorderConfig:
    """The settings' recorder section for shard ``index`` of ``count`` (validated)."""
    return RecorderConfig.model_validate(
        {**settings.recorder.model_dump(), "shard_index": index, "shard_count": count}
    )


def run_workers(count: int, settings: Settings, restart_delay_s: float = 1.0) -> None:
    """Run ``count`` shard processes; restart any that exits until a signal arrives."""
    build_system(settings).close()  # migrate once, before any worker starts
    done = _stop_on_signals()
    handed = json.dumps(settings.model_dump(mode="json")).encode()

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
            "--settings-stdin",
        ]
        proc = subprocess.Popen(args, stdin=subprocess.PIPE)
        assert proc.stdin is not None
        proc.stdin.write(handed)
        proc.stdin.close()
        return proc

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
    ap.add_argument(
        "--settings-stdin", action="store_true", help="Settings as JSON on stdin (from the parent)"
    )
    args = ap.parse_args(argv)
    faulthandler.enable()  # a native crash (the media library) prints every thread's stack
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.settings_stdin:
        settings = load_settings(**json.loads(sys.stdin.read()))
    else:
        settings = load_settings(data_dir=args.data_dir)
    config = shard_config(settings, args.shard_index, args.shard_count)
    run_shard(settings, config, migrate=not args.no_migrate)


if __name__ == "__main__":
    main()
