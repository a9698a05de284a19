"""Migration 0002 on SQLite and PostgreSQL: CHECKs hold the invariants.

That every migration matches the models is tested once, in tests/foundation/test_schema.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from watchkeeper.db.engine import Database
from watchkeeper.recording.models import InitSegment, RecordingHold, Segment


def _segment(**over: object) -> Segment:
    values: dict[str, object] = dict(
        camera_id="TC-001",
        stream="main",
        start_us=10,
        end_us=20,
        media_duration_us=10,
        run_start_us=10,
        discontinuity=True,
        frames=1,
        size_bytes=100,
        sha256="a" * 64,
        init_id=1,
        path="p",
        fragment_index=b"",
        state="live",
        created_us=0,
    )
    values.update(over)
    return Segment(**values)


@pytest.mark.parametrize(
    "bad",
    [
        {"end_us": 10},
        {"stream": "aux"},
        {"size_bytes": 0},
        {"sha256": "abc"},
        {"state": "gone"},
        {"state": "deleting"},
        {"delete_rule": "retention"},
        {"state": "deleting", "delete_rule": "whim"},
    ],
)
def test_segment_checks(any_db: Database, bad: dict[str, object]) -> None:
    with any_db.session() as s:
        s.add(
            InitSegment(
                id=1,
                sha256="b" * 64,
                codec="h264",
                width=2,
                height=2,
                timescale=90000,
                data=b"x",
                created_us=0,
            )
        )
    with any_db.session() as s:
        s.add(_segment())
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.add(_segment(**{"start_us": 30, "end_us": 40, **bad}))


def test_hold_checks(any_db: Database) -> None:
    ok = dict(
        camera_id=None,
        start_us=1,
        end_us=2,
        reference="R",
        reason="why",
        holder="PC",
        created_us=0,
        created_by="u",
    )
    with any_db.session() as s:
        s.add(RecordingHold(**ok))
    for bad in (
        {"end_us": 1},
        {"reference": ""},
        {"released_us": 5},
        {"released_us": 5, "released_by": "u", "release_reason": ""},
    ):
        with pytest.raises(IntegrityError), any_db.session() as s:
            s.add(RecordingHold(**{**ok, **bad}))
