"""Shared by the cluster tests: a PostgreSQL database with cameras, node processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import watchkeeper
from watchkeeper.cameras.models import Area, Camera, CameraKind, CameraStatus, Site
from watchkeeper.db.engine import Database

__all__ = ["NodeProcess", "add_cameras", "node_process", "wait_for"]


def add_cameras(db: Database, urls: dict[str, str]) -> None:
    with db.session() as s:
        s.add(Site(id="tc", name="Town centre"))
        s.add(Area(id="tc-high", site_id="tc", name="High Street"))
        for cid, url in urls.items():
            s.add(
                Camera(
                    id=cid,
                    name=cid,
                    area_id="tc-high",
                    kind=CameraKind.FIXED,
                    status=CameraStatus.ACTIVE,
                    purpose="crime prevention",
                    dpia_ref="DPIA-1",
                    retention_days=31,
                    main_url=url,
                    updated_us=0,
                )
            )


def wait_for(cond: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``cond`` until true; a busy machine gets a generous ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@dataclass
class NodeProcess:
    node_id: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def node_env(
    node_id: str, data_dir: Path, db_url: str, lease_s: float, **extra: str
) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(watchkeeper.__file__).parents[1]),
        "WATCHKEEPER_MODE": "development",
        "WATCHKEEPER_DATA_DIR": str(data_dir),
        "WATCHKEEPER_DATABASE_URL": db_url,
        "WATCHKEEPER_CLUSTER__ENABLED": "true",
        "WATCHKEEPER_CLUSTER__NODE_ID": node_id,
        "WATCHKEEPER_CLUSTER__LEASE_S": str(lease_s),
        "WATCHKEEPER_RECORDER__SEGMENT_SECONDS": "2",
        "WATCHKEEPER_RECORDER__OPEN_TIMEOUT_S": "3",
        "WATCHKEEPER_RECORDER__STALL_SECONDS": "2",
        "WATCHKEEPER_RECORDER__BACKOFF_INITIAL_S": "0.2",
        "WATCHKEEPER_RECORDER__BACKOFF_MAX_S": "1",
        "WATCHKEEPER_RECORDER__DISK_CHECK_INTERVAL_S": "1",
        **extra,
    }
    env.pop("WATCHKEEPER_SITE_FILE", None)
    return env


@contextmanager
def node_process(
    node_id: str, tmp: Path, db_url: str, lease_s: float = 3.0, **extra: str
) -> Iterator[NodeProcess]:
    """``watchkeeper record`` as a recorder node in its own process and data folder."""
    data_dir = tmp / node_id
    data_dir.mkdir(parents=True, exist_ok=True)
    log = tmp / f"{node_id}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "watchkeeper", "record"],
            env=node_env(node_id, data_dir, db_url, lease_s, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    node = NodeProcess(node_id, data_dir, proc, log)
    try:
        yield node
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
