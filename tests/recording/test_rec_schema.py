"""Migration 0002 on SQLite and PostgreSQL: CHECKs hold the invariants.

That every migration matches the models is tested once, in tests/foundation/test_schema.py.
"""

from __future__ import annotations

import pytest
from rec_helpers import init_row, segment_row
from sqlalchemy.exc import IntegrityError

from watchkeeper.db.engine import Database
from watchkeeper.recording.models import RecordingHold


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
        s.add(init_row())
    with any_db.session() as s:
        s.add(segment_row())
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.add(segment_row(**{"start_us": 30, "end_us": 40, **bad}))


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
