"""Redaction throughput on 1080p footage vs a plain FFmpeg re-encode of the same clip.

The clip is the simulated cameras' 1080p15 vtest footage (real pedestrians), cut to
``--seconds`` and remuxed to MP4 (not timed).

- **ours**: everything a redaction job does after the reviewer's decisions exist:
  ``clip_info`` (demux), face detection on every ``step``-th frame (CenterFace on OpenCV
  DNN, ``--rate`` detections a second, default 2), tracking (norfair), and the render (decode
  every frame, obscure every tracked face, encode H.264 ``veryfast`` CRF 18, fsync, rename).
  Also reported apart: detection alone and render alone.
- **reference**, same clip, same run: ``ffmpeg -i clip -c:v libx264 -preset veryfast
  -crf 18 -bf 0 out.mp4`` (decode and encode, no analysis), one process.

Figures are seconds of video handled per second of wall time (higher is faster), and
ours / reference. Rounds alternate which goes first.

Usage::

    python bench/redaction_speed.py [--seconds 10] [--rate 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from watchkeeper.redaction.detect import FaceDetector, clip_info, detect_clip, sample_step
from watchkeeper.redaction.plan import Style, boxes_at
from watchkeeper.redaction.render import render_clip
from watchkeeper.redaction.track import link_tracks
from watchkeeper.simulate.footage import ClipSpec, cache_dir, ensure_clip


def source_clip(work: Path, seconds: float) -> Path:
    spec = ClipSpec("vtest", 1920, 1080, 15, 2000, 30, 60.0)
    raw = ensure_clip(spec, cache_dir())
    out = work / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-r", "15", "-i", str(raw),
         "-t", str(seconds), "-c", "copy", str(out)],
        check=True,
    )  # fmt: skip
    return out


def reference(clip: Path, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip), "-c:v",
         "libx264", "-preset", "veryfast", "-crf", "18", "-bf", "0", str(out)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - t


def ours(clip: Path, out: Path, rate: float) -> tuple[float, float, float, int]:
    t0 = time.perf_counter()
    info = clip_info(clip)
    step = sample_step(info.rate, rate)
    samples = detect_clip(clip, FaceDetector(), step)
    tracks = link_tracks(samples)
    t1 = time.perf_counter()
    render_clip(clip, out, lambda i: boxes_at(i, tracks, {}, [], step), Style.BLUR, 0.25,
                info.frames)  # fmt: skip
    t2 = time.perf_counter()
    return t2 - t0, t1 - t0, t2 - t1, len(tracks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        clip = source_clip(work, args.seconds)
        video_s = clip_info(clip).frames / 15
        refs, totals, dets, renders = [], [], [], []
        tracks = 0
        for n in range(args.rounds):
            runs = [lambda: refs.append(reference(clip, work / "ref.mp4")), None]
            if n % 2:
                runs.reverse()
            for run in runs:
                if run is None:
                    total, det, ren, tracks = ours(clip, work / "ours.mp4", args.rate)
                    totals.append(total)
                    dets.append(det)
                    renders.append(ren)
                else:
                    run()
        ref, tot = statistics.median(refs), statistics.median(totals)
        det, ren = statistics.median(dets), statistics.median(renders)
        print(f"clip: {video_s:.1f} s of 1920x1080 15 fps (vtest), {args.rate:g} detections/s, "
              f"{tracks} tracks, {args.rounds} rounds (median)")  # fmt: skip
        print(f"reference ffmpeg re-encode : {ref:7.2f} s wall = {video_s / ref:6.2f} s video/s")
        print(f"ours, whole redaction      : {tot:7.2f} s wall = {video_s / tot:6.2f} s video/s")
        print(f"  of which detect + track  : {det:7.2f} s wall = {video_s / det:6.2f} s video/s")
        print(f"  of which render          : {ren:7.2f} s wall = {video_s / ren:6.2f} s video/s")
        print(f"ratio ours / reference (wall time): {tot / ref:.2f}x")


if __name__ == "__main__":
    main()
