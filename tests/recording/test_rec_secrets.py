"""Camera credentials never leave the media boundary (DESIGN invariant 8).

A password-bearing URL is driven through every way a connection fails (refused, wrong
password, bad path, timeout, a mid-stream drop, a camera that goes offline) against the real
RTSP simulator; the password must then appear in no stream event, fault, audit row, other
table, health reason or log record.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from rec_helpers import add_cameras
from sqlalchemy import select
from test_rec_rtsp_faults import _skip_or_fail
from tests.simulate.conftest import small_config

from watchkeeper.cameras.models import Camera
from watchkeeper.cameras.redact import redact_text
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.db.registry import metadata
from watchkeeper.errors import MediaError
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import rtsp_opener
from watchkeeper.recording.models import StreamEvent
from watchkeeper.recording.service import RecorderService
from watchkeeper.records.faults import camera_offline
from watchkeeper.simulate.config import CameraSpec
from watchkeeper.simulate.faults import FaultKind
from watchkeeper.simulate.footage import cache_dir
from watchkeeper.simulate.rig import Rig
from watchkeeper.timeutil import SystemClock

pytestmark = [pytest.mark.media, pytest.mark.slow]

SECRETS = ("s3cret-pass", "wr0ng-s3cret")


def test_redact_text_masks_every_url_in_a_message() -> None:
    msg = (
        "cannot open stream: [Errno 111] Connection refused: "
        "'rtsp://operator:s3cret-pass@10.0.0.1:554/x'; also http://a:b@h/p and rtsp://h/q"
    )
    out = redact_text(msg)
    assert "s3cret-pass" not in out and ":b@" not in out
    assert "rtsp://***@10.0.0.1:554/x" in out and "http://***@h/p" in out
    assert "rtsp://h/q" in out


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (an RTSP timeout)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    yield srv.getsockname()[1]
    srv.close()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {where}: {text[:300]}"


def test_opener_errors_are_masked(silent_port: int) -> None:
    """The opener's own error text, before anyone stores it."""
    opener = rtsp_opener(1.0, 1.0)
    for url in (
        f"rtsp://operator:s3cret-pass@127.0.0.1:{_closed_port()}/cam/main",
        f"rtsp://operator:s3cret-pass@127.0.0.1:{silent_port}/cam/main",
    ):
        with pytest.raises(MediaError) as err:
            opener(url)
        _assert_clean(str(err.value), "the MediaError")
        _assert_clean(repr(err.value.__cause__), "the chained FFmpeg error")


def test_password_never_stored_or_logged(
    tmp_path: pytest.TempPathFactory, silent_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    _skip_or_fail()
    cfg = RecorderConfig(
        segment_seconds=2,
        stagger=False,
        stall_seconds=1,
        open_timeout_s=1,
        backoff_initial_s=0.2,
        backoff_max_s=0.5,
        offline_after_s=1,
    )
    caplog.set_level(logging.DEBUG)
    with Rig(small_config(cache_dir() / "tests", CameraSpec(name="k1", main="360p"))) as rig:
        good = rig.camera("k1").main_url
        assert "s3cret-pass" in good
        host = good.split("@", 1)[1].split("/", 1)[0]
        urls = {
            "refused": f"rtsp://operator:s3cret-pass@127.0.0.1:{_closed_port()}/k1/main",
            "wrongpw": f"rtsp://operator:wr0ng-s3cret@{host}/k1/main",
            "badpath": f"rtsp://operator:s3cret-pass@{host}/nobody/main",
            "timeout": f"rtsp://operator:s3cret-pass@127.0.0.1:{silent_port}/k1/main",
            "drop": good,
            "offline": good,
        }
        db = Database(f"sqlite:///{tmp_path}/wk.db")
        upgrade(db.engine)
        add_cameras(db, tuple(urls))
        with db.session() as s:
            for cam in s.execute(select(Camera)).scalars():
                cam.main_url = urls[cam.id]
        service = RecorderService(
            db, tmp_path / "rec", cfg, SystemClock(), on_offline=camera_offline
        )
        service.start()
        try:
            time.sleep(3)
            rig.fault("k1", FaultKind.DROP, 0)
            time.sleep(1)
            rig.fault("k1", FaultKind.OFFLINE, 3)
            time.sleep(5)
            health = service.health()
        finally:
            service.stop()
    for key, h in health.items():
        _assert_clean(h.reason, f"health of {key}")
    with db.session() as s:
        reasons = {
            e.camera_id: e.reason for e in s.execute(select(StreamEvent)).scalars() if e.reason
        }
    # every failure path was really taken
    assert "refused" in reasons and "wrongpw" in reasons and "timeout" in reasons
    with db.engine.connect() as c:
        for table in metadata.sorted_tables:
            for row in c.execute(table.select()):
                if table.name == Camera.__tablename__:
                    continue  # the register itself holds the credential, by design
                _assert_clean(" ".join(map(str, row)), f"table {table.name}")
    for rec in caplog.records:
        text = rec.getMessage() + (
            logging.Formatter().formatException(rec.exc_info) if rec.exc_info else ""
        )
        _assert_clean(text, f"log record {rec.name}")
    db.dispose()
