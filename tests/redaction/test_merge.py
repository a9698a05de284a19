"""Merge tracks: one person split into pieces by the tracker becomes one track in one
action, keeps the subject decision, and is refused for two faces seen at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from tests.foundation.helpers import PASSWORD, ROOT, add_user, load_small_register
from tests.redaction.test_plan import track
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Role
from watchkeeper.errors import ValidationError
from watchkeeper.evidence.models import ExportJob
from watchkeeper.redaction import service
from watchkeeper.redaction.models import Redaction
from watchkeeper.redaction.plan import Decision, boxes_at
from watchkeeper.redaction.track import merge
from watchkeeper.system import System
from watchkeeper.timeutil import FakeClock
from watchkeeper.web.app import create_app

SAM = Principal(2, "sam", Role.SUPERVISOR)


def test_pieces_of_one_face_become_one_track_and_cover_the_gap() -> None:
    a, b = track(3, [0, 5, 10], [0, 10, 20]), track(7, [40, 45], [80, 90])
    one = merge([b, a])
    assert one.id == 3 and one.frames == [0, 5, 10, 40, 45] and one.merged_from == [3, 7]
    assert one.boxes[3] == b.boxes[0] and one.scores == [0.9] * 5
    # kept clear as one subject for the whole span, gap included
    assert boxes_at(25, [one], {3: Decision.SUBJECT}, [], 5) == []
    assert len(boxes_at(25, [one], {}, [], 5)) == 1, "redacted (default) across the gap"
    with pytest.raises(ValueError, match="both seen on frame 5"):
        merge([a, track(9, [5, 50], [0, 0])])


@pytest.fixture
def redaction(system: System, clock: FakeClock) -> int:
    load_small_register(system)
    add_user(system, "sam", Role.SUPERVISOR)
    tracks = [track(1, [0, 5], [0, 5]), track(2, [10, 15], [300, 300]),
              track(3, [20, 25], [9, 12])]  # fmt: skip
    with system.db.session() as s:
        job = ExportJob(camera_id="TC-001", start_us=0, end_us=1, state="done", package="p",
                        created_by="sam", created_us=clock.now_us())  # fmt: skip
        s.add(job)
        s.flush()
        r = Redaction(export_job_id=job.id, part=1, source="working/TC-001-1.mp4",
                      state="ready", clip=json.dumps({"frames": 30, "step": 5}),
                      tracks=json.dumps([t.to_json() for t in tracks]),
                      decisions=json.dumps({"3": {"decision": "subject", "by": "sam",
                                                  "at_us": 1}}),
                      created_by="sam", created_us=clock.now_us())  # fmt: skip
        s.add(r)
        s.commit()
        return r.id


def test_merge_keeps_the_subject_and_is_audited(
    system: System, clock: FakeClock, redaction: int
) -> None:
    with system.db.session() as s:
        r = service.get(s, redaction)
        with pytest.raises(ValidationError, match="two or more"):
            service.merge_tracks(s, SAM, r, [1], clock)
        with pytest.raises(ValidationError, match="track 8 does not exist"):
            service.merge_tracks(s, SAM, r, [1, 8], clock)
        merged = service.merge_tracks(s, SAM, r, [3, 1], clock)
        s.commit()
    assert merged.id == 1
    with system.db.session() as s:
        r = service.get(s, redaction)
        assert [t.id for t in service.tracks_of(r)] == [1, 2]
        assert service.decisions_of(r) == {"1": {"decision": "subject", "by": "sam", "at_us": 1}}
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "redaction.merge")).one()
        assert json.loads(row.details)["tracks"] == [1, 3]


@pytest.fixture
def client(system: System, redaction: int) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as c:
        yield c


def test_the_studio_merges_the_ticked_tracks(
    client: TestClient, system: System, redaction: int
) -> None:
    with system.db.session() as s:
        tok = system.users.issue_token(s, "sam", "tests", ROOT)
        s.commit()
    auth = {"Authorization": f"Bearer {tok}"}
    page = client.get(f"/redaction/{redaction}", headers=auth)
    assert page.status_code == 200 and 'name="merge-2"' in page.text
    form = {"action": "merge", "merge-2": "1", "merge-3": "1", "track-3": "subject"}
    done = client.post(f"/redaction/{redaction}/decisions", data=form, headers=auth,
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    with system.db.session() as s:
        r = s.get(Redaction, redaction)
        assert r is not None
        assert [t["id"] for t in json.loads(r.tracks)] == [1, 2]
        assert json.loads(r.tracks)[1]["merged_from"] == [2, 3]
        assert service.decisions_of(r)["2"]["decision"] == "subject"
    page = client.get(f"/redaction/{redaction}", headers=auth)
    assert "(merged 2, 3)" in page.text


@pytest.mark.browser
def test_a_reviewer_ticks_two_pieces_and_merges_them_in_the_studio(
    system: System, redaction: int
) -> None:
    from playwright import sync_api

    need_service("Chromium", Path(CHROMIUM).exists())
    with serve_app(system) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{url}/login?next=/redaction/{redaction}")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: "/login" not in u)
        assert page.locator("#tracks tr[data-track]").count() == 3
        page.check("input[name=merge-1]")
        page.check("input[name=merge-3]")
        page.click("#merge-button")
        page.wait_for_selector("text=(merged 1, 3)")
        assert page.locator("#tracks tr[data-track]").count() == 2
        assert page.locator("select[name=track-1]").input_value() == "subject"
        browser.close()
