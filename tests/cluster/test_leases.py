"""Leases and the fence, on PostgreSQL's own clock: claim, renew, expiry, take-over, refusal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.cluster.helpers import add_cameras
from tests.cluster.rows import finished_segment, store_init
from tests.conftest import drop_pg_database, make_pg_database, need_service
from watchkeeper.cluster import leases
from watchkeeper.cluster.balance import plan_moves, share
from watchkeeper.cluster.models import CameraLease, ClusterNode
from watchkeeper.cluster.node import make_fence
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.errors import LeaseLost
from watchkeeper.recording.models import Segment
from watchkeeper.recording.store import SegmentIndex
from watchkeeper.timeutil import SystemClock

pytestmark = pytest.mark.postgres
S = 1_000_000


@pytest.fixture
def pg(pg_available: bool) -> Iterator[Database]:
    need_service("PostgreSQL", pg_available)
    url = make_pg_database()
    db = Database(url)
    upgrade(db.engine)
    add_cameras(db, {"C1": "", "C2": "", "C3": ""})
    with db.session() as s:
        now = leases.db_now_us(s)
        for n in ("a", "b"):
            s.add(ClusterNode(node_id=n, host="h", pid=1, started_us=now, heartbeat_us=now))
        leases.ensure_lease_rows(s)
    yield db
    db.dispose()
    drop_pg_database(url)


def test_one_claim_wins_and_the_generation_rises(pg: Database) -> None:
    with pg.session() as s:
        leases.ensure_lease_rows(s)  # idempotent
        assert len(s.execute(select(CameraLease)).all()) == 3
        won = leases.claim(s, "a", "C1", 5 * S)
    with pg.session() as s:
        lost = leases.claim(s, "b", "C1", 5 * S)
    assert won == leases.Lease("C1", 1) and lost is None
    with pg.session() as s:
        assert [x.camera_id for x in leases.renew(s, "a", 5 * S)] == ["C1"]
        assert leases.renew(s, "b", 5 * S) == []


def test_an_expired_lease_is_taken_over_and_the_old_holder_is_fenced(pg: Database) -> None:
    with pg.session() as s:
        assert leases.claim(s, "a", "C1", int(0.3 * S)) is not None
    with pg.session() as s:
        assert leases.fence(s, "a", "C1") == 1
    time.sleep(0.5)  # by the database's clock, the lease has ended
    with pg.session() as s, pytest.raises(LeaseLost):
        leases.fence(s, "a", "C1")
    with pg.session() as s:
        assert leases.renew(s, "a", 5 * S) == []  # an ended lease is not renewed
        assert leases.claim(s, "b", "C1", 5 * S) == leases.Lease("C1", 2)
    with pg.session() as s, pytest.raises(LeaseLost):
        leases.fence(s, "a", "C1")


def test_release_frees_only_the_holders_generation(pg: Database) -> None:
    with pg.session() as s:
        lease = leases.claim(s, "a", "C2", 5 * S)
    assert lease is not None
    with pg.session() as s:
        assert not leases.release(s, "b", lease)
        assert not leases.release(s, "a", leases.Lease("C2", lease.generation + 1))
        assert leases.release(s, "a", lease)
    with pg.session() as s:
        assert leases.claim(s, "b", "C2", 5 * S) == leases.Lease("C2", 2)
        row = s.get(CameraLease, "C2")
        assert row is not None and row.node_id == "b"


def test_a_segment_row_carries_node_and_generation_and_is_refused_without_the_lease(
    pg: Database, tmp_path: Path
) -> None:
    store_init(pg, tmp_path)
    index = SegmentIndex(pg, SystemClock(), make_fence("a"))
    with pytest.raises(LeaseLost):
        index.add(finished_segment("C3", 1_000 * S))
    with pg.session() as s:
        assert leases.claim(s, "a", "C3", 5 * S) is not None
    seg_id = index.add(finished_segment("C3", 2_000 * S))
    with pg.session() as s:
        row = s.get(Segment, seg_id)
        assert row is not None and (row.node_id, row.lease_generation) == ("a", 1)
        assert leases.claim(s, "b", "C3", 5 * S) is None  # a is still holding it
        n = len(s.execute(select(Segment.id)).all())
    assert n == 1


def test_balancing_rule() -> None:
    assert share(3, {"a": 1, "b": 1}, "a") == 2
    assert share(3, {"a": 1}, "b") == 2  # a joining node counts itself in
    assert share(4, {"a": 1, "b": 3}, "b") == 3
    assert share(0, {}, "a") == 0
    # a node holding everything gives up the surplus, highest ids first
    assert plan_moves({"C1", "C2", "C3"}, [], 2).release == ["C3"]
    # at its share it neither claims nor releases: no passing to and fro
    moves = plan_moves({"C1", "C2"}, ["C3"], 2)
    assert moves.claim == [] and moves.release == []
    assert plan_moves(set(), ["C3", "C1", "C2"], 2).claim == ["C1", "C2"]
