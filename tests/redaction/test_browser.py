"""A supervisor opens the studio on a recorded clip with two faces, makes one the subject,
redacts the other, renders, and downloads the copy and the release package: the
bystander's face is gone, the subject's is as recorded, the package's log names both
decisions, and the release holds the redacted copy and its proofs only."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.conftest import need_service
from tests.evidence.conftest import SUMMER
from tests.foundation.helpers import PASSWORD, add_user, load_small_register
from tests.playback.pb_media import record
from tests.redaction.conftest import export_done
from tests.redaction.faces import face_region, make_faces_clip
from tests.redaction.test_render import crop, detail, frames_of, psnr
from watchkeeper.audit.models import AuditEntry
from watchkeeper.auth.roles import Role
from watchkeeper.evidence.jobs import job_dir
from watchkeeper.evidence.verify import verify_package
from watchkeeper.redaction.models import Redaction
from watchkeeper.system import System, start_redaction_worker
from watchkeeper.timeutil import FakeClock

pytestmark = [pytest.mark.browser, pytest.mark.media]


@pytest.fixture
def base_url(system: System, clock: FakeClock, tmp_path: Path) -> Iterator[str]:
    load_small_register(system)
    clock.set(SUMMER)
    t0 = clock.now_us()
    record(system, clock, make_faces_clip(tmp_path / "faces.ts", 2.0, "mpegts"), "TC-001")
    export_done(system, clock, t0, clock.now_us())
    add_user(system, "sam", Role.SUPERVISOR)
    start_redaction_worker(system)
    with serve_app(system) as url:
        yield url


def click_source(page: object, x: float, y: float) -> None:
    """Click the studio canvas at (x, y) in the source's pixels."""
    canvas = page.locator("#studio-canvas")  # type: ignore[attr-defined]
    box = canvas.bounding_box()
    canvas.click(position={"x": x * box["width"] / 640, "y": y * box["height"] / 360})


def drag_source(page: object, start: tuple[int, int], end: tuple[int, int]) -> None:
    box = page.locator("#studio-canvas").bounding_box()  # type: ignore[attr-defined]

    def at(p: tuple[int, int]) -> tuple[float, float]:
        return box["x"] + p[0] * box["width"] / 640, box["y"] + p[1] * box["height"] / 360

    mouse = page.mouse  # type: ignore[attr-defined]
    mouse.move(*at(start))
    mouse.down()
    mouse.move(*at(end), steps=4)
    mouse.up()


def test_pick_subject_redact_bystander_render_and_download(
    base_url: str, system: System, tmp_path: Path
) -> None:
    from playwright import sync_api

    need_service("Chromium", Path(CHROMIUM).exists())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{base_url}/login?next=/redaction")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: urlparse(u).path == "/redaction")
        page.click("text=Find faces")
        page.wait_for_selector("text=open the studio", timeout=120_000)
        page.click("text=open the studio")
        page.wait_for_selector("#studio[data-ready='1']")
        assert page.locator("#tracks tr[data-track]").count() >= 2
        click_source(page, 77, 120)  # face A on frame 0
        assert page.inner_text("#chosen") != "none"
        subject = int(page.inner_text("#chosen").lstrip("#"))
        page.click("#make-subject")
        click_source(page, 525, 241)  # face B
        bystander = int(page.inner_text("#chosen").lstrip("#"))
        assert bystander != subject
        page.click("#make-redact")
        for row in page.locator("#tracks tr[data-track]").all():  # false detections
            if int(row.get_attribute("data-track") or 0) not in (subject, bystander):
                row.locator("select").select_option("clear")
        page.check("#draw-mode")  # a manual box (one keyframe: the whole clip)
        drag_source(page, (250, 260), (330, 330))
        assert "1 keyframe(s)" in page.inner_text("#manual-list")
        page.select_option("#style", "solid")
        page.click("#preview-button")
        page.wait_for_selector("#preview")
        page.click("#render-button")
        page.wait_for_selector("#download-video", timeout=120_000)
        with page.expect_download() as got:
            page.click("#download-video")
        target = tmp_path / "redacted.mp4"
        got.value.save_as(target)
        assert page.locator("#download-package").count() == 0, "no request: no full package"
        with page.expect_download() as got:
            page.click("#download-release")
        release_zip = tmp_path / "release.zip"
        got.value.save_as(release_zip)
        browser.close()

    with system.db.session() as s:
        r = s.scalars(select(Redaction)).one()
        pkg = job_dir(system.settings.data_dir / "exports", r.export_job_id) / r.package
        log = json.loads((pkg / r.output.replace(".mp4", ".log.json")).read_text())
        actions = set(s.scalars(select(AuditEntry.action)))
    src = frames_of(pkg / r.source)  # the package's working copy (time burned in)
    out = frames_of(target)
    assert len(out) == len(src) == log["clip"]["frames"]
    assert (pkg / r.output).read_bytes() == target.read_bytes()
    for n in (0, len(src) // 2, len(src) - 1):
        b_src, b_out = crop(src[n], face_region("B", n)), crop(out[n], face_region("B", n))
        assert detail(b_out) < 0.25 * detail(b_src), f"frame {n}: the bystander shows"
        assert crop(out[n], (262, 272, 318, 318)).max() < 40, f"frame {n}: manual box not solid"
        a_src, a_out = crop(src[n], face_region("A", n)), crop(out[n], face_region("A", n))
        assert psnr(a_src, a_out) > 30, f"frame {n}: the subject was altered"
    with zipfile.ZipFile(release_zip) as z:  # what the data subject receives
        top = f"{r.package}_release/"
        names = sorted(n.removeprefix(top) for n in z.namelist())
        log_name = r.output.replace(".mp4", ".log.json")
        assert names == sorted(["README.txt", "SHA256SUMS", "manifest.json", "manifest.sig",
                                "public_key.pem", log_name, r.output])  # fmt: skip
        assert z.read(top + r.output) == target.read_bytes()
        z.extractall(tmp_path / "unzipped")
    report = verify_package(tmp_path / "unzipped" / top.rstrip("/"))
    assert report.ok, report.problems
    rows = {t["track"]: t for t in log["tracks"]}
    assert rows[subject]["decision"] == "subject" and rows[subject]["decided_by"] == "sam"
    assert rows[bystander]["decision"] == "redact" and rows[bystander]["decided_by"] == "sam"
    assert log["manual_boxes"][0]["keyframes"][0][0] == 0 and log["settings"]["style"] == "solid"
    assert {"redaction.create", "redaction.decide", "redaction.render",
            "redaction.download"} <= actions  # fmt: skip
