"""Detection, tracking and render on a clip with two real faces: what is hidden is gone,
what is kept is untouched, and the log names every decision."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.redaction.conftest import Analysed
from tests.redaction.faces import face_region
from watchkeeper.redaction.log import NO_ONE_NOTE, redaction_log
from watchkeeper.redaction.plan import Decision, ManualBox, Settings, Style, boxes_at
from watchkeeper.redaction.render import render_clip

pytestmark = pytest.mark.media


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def crop(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x1, y1, x2, y2 = box
    return img[y1:y2, x1:x2].astype(float)


def detail(region: np.ndarray) -> float:
    """High-frequency energy: mean absolute difference between neighbouring pixels."""
    g = region.mean(axis=2)
    return float(np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())


def fine(region: np.ndarray) -> np.ndarray:
    """The frame less its blurred self: what identifies a face, not its overall shading."""
    import cv2

    g = region.mean(axis=2)[..., None]
    return np.asarray(g - cv2.GaussianBlur(g, (0, 0), 2.0)[..., None])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


def subject_and_bystander(an: Analysed) -> tuple[int, int]:
    """Track ids of face A (moves) and face B (still), found by where they are."""
    by_x = sorted(an.tracks, key=lambda t: t.boxes[0][0])
    return by_x[0].id, by_x[-1].id


def test_two_faces_make_two_tracks_for_the_whole_clip(analysed: Analysed) -> None:
    assert len(analysed.tracks) == 2
    for t in analysed.tracks:
        assert t.frames[0] == 0 and t.frames[-1] >= analysed.info.frames - analysed.step


@pytest.mark.parametrize("style", list(Style))
def test_a_redacted_face_has_no_detail_left_and_the_subject_is_untouched(
    analysed: Analysed, tmp_path: Path, style: Style
) -> None:
    subject, _ = subject_and_bystander(analysed)
    decisions = {subject: Decision.SUBJECT}
    out = render_clip(
        analysed.path, tmp_path / "out.mp4",
        lambda i: boxes_at(i, analysed.tracks, decisions, [], analysed.step),
        style, 0.25, analysed.info.frames,
    )  # fmt: skip
    assert out.frames == analysed.info.frames and out.redacted_frames == out.frames
    src, dst = frames_of(analysed.path), frames_of(out.path)
    assert len(src) == len(dst)
    for n in (0, 7, 16, len(src) - 1):  # detection frames and frames between them
        face_src, face_dst = crop(src[n], face_region("B", n)), crop(dst[n], face_region("B", n))
        assert detail(face_dst) < 0.25 * detail(face_src), f"frame {n}: detail survives"
        # the fine structure (eyes, mouth, edges) left cannot be matched back to the face
        with np.errstate(invalid="ignore", divide="ignore"):
            fine_src = crop(fine(src[n].astype(float)), face_region("B", n))
            fine_dst = crop(fine(dst[n].astype(float)), face_region("B", n))
            corr = np.corrcoef(fine_src.ravel(), fine_dst.ravel())[0, 1]
        assert not corr > 0.2, f"frame {n}: fine detail still matches ({corr:.2f})"
        kept_src, kept_dst = crop(src[n], face_region("A", n)), crop(dst[n], face_region("A", n))
        assert psnr(kept_src, kept_dst) > 35, f"frame {n}: the subject was altered"


def test_same_rate_and_timing_as_the_source(analysed: Analysed, tmp_path: Path) -> None:
    out = render_clip(analysed.path, tmp_path / "o.mp4", lambda i: [], Style.BLUR, 0.25,
                      analysed.info.frames)  # fmt: skip
    with av.open(str(analysed.path)) as a, av.open(str(out.path)) as b:
        sa, sb = a.streams.video[0], b.streams.video[0]
        assert sb.average_rate == sa.average_rate
        assert sb.codec_context.name == "h264" and sb.codec_context.pix_fmt == "yuv420p"
        ta = [float(f.time) for f in a.decode(sa)]
        tb = [float(f.time) for f in b.decode(sb)]
    assert [round(x - ta[0], 3) for x in ta] == [round(x - tb[0], 3) for x in tb]
    assert out.redacted_frames == 0


def test_manual_box_is_burned_in_on_interpolated_frames(analysed: Analysed, tmp_path: Path) -> None:
    plate = ManualBox(1, "plate", ((0, (200.0, 250.0, 300.0, 330.0)),
                                   (20, (300.0, 250.0, 400.0, 330.0))))  # fmt: skip
    clear = {t.id: Decision.CLEAR for t in analysed.tracks}
    out = render_clip(
        analysed.path, tmp_path / "m.mp4",
        lambda i: boxes_at(i, analysed.tracks, clear, [plate], analysed.step),
        Style.SOLID, 0.0, analysed.info.frames,
    )  # fmt: skip
    dst = frames_of(out.path)
    assert crop(dst[10], (252, 252, 348, 328)).max() < 30, "the box at frame 10 is x=250..350"
    assert crop(dst[10], (360, 252, 390, 328)).min() > 30, "and not yet at x=360"
    assert crop(dst[25], (252, 252, 348, 328)).min() > 30, "gone after its last keyframe"


def test_a_killed_render_leaves_no_file(analysed: Analysed, tmp_path: Path) -> None:
    def stop(frac: float) -> None:
        if frac > 0.3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_clip(analysed.path, tmp_path / "k.mp4", lambda i: [], Style.BLUR, 0.25,
                    analysed.info.frames, stop)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_the_log_names_every_decision(analysed: Analysed) -> None:
    subject, bystander = subject_and_bystander(analysed)
    stored = {
        str(subject): {"decision": "subject", "by": "sam", "at_us": 1_782_900_000_000_000},
        str(bystander): {"decision": "redact", "by": "sam", "at_us": 1_782_900_001_000_000},
    }
    plate = ManualBox(1, "plate", ((0, (1.0, 2.0, 3.0, 4.0)),))
    log = redaction_log(
        redaction_id=7, package="P_R7", source="working/TC-1.mp4", source_sha256="a" * 64,
        output="redacted/TC-1.mp4", output_sha256="b" * 64, rendered_by="sam",
        rendered_us=1_782_900_002_000_000, created_by="dee", tracks=analysed.tracks,
        decisions=stored, manual=[plate], settings=Settings(), clip={"frames": 30},
        frames_redacted=30,
    )  # fmt: skip
    rows = {r["track"]: r for r in log["tracks"]}
    assert set(rows) == {t.id for t in analysed.tracks}
    assert rows[subject]["decision"] == "subject" and rows[subject]["decided_by"] == "sam"
    assert rows[bystander]["decision"] == "redact" and "decided_at_utc" in rows[bystander]
    assert log["manual_boxes"][0]["label"] == "plate"
    assert log["input"]["sha256"] == "a" * 64 and log["output"]["sha256"] == "b" * 64
    assert log["models"]["face_model"] == "CenterFace"
    assert len(log["models"]["face_model_sha256"]) == 64
    assert log["settings"]["style"] == "blur" and log["notes"] == []
    empty = redaction_log(
        redaction_id=8, package="P", source="s", source_sha256="", output="o",
        output_sha256="", rendered_by="sam", rendered_us=0, created_by="sam", tracks=[],
        decisions={}, manual=[], settings=Settings(), clip={}, frames_redacted=0,
    )  # fmt: skip
    assert empty["notes"] == [NO_ONE_NOTE]
