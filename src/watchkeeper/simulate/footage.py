"""Camera-like footage, made once per machine and cached, never committed.

Fixed cameras loop an H.264 elementary stream without re-encoding, so the clips must already
look like what a council camera sends: constant frame rate, a key frame every GOP, no
B-frames, SPS/PPS repeated before every key frame (a client may join at any GOP), an access
unit delimiter per frame (so the server can cut frames without a parser). Real pedestrians
come from OpenCV's ``vtest.avi``; the synthetic scenes add variety with moving boxes and
sensor noise. The PTZ camera needs a still wide scene instead: a mosaic of vtest frames.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watchkeeper.errors import MediaError
from watchkeeper.simulate.config import (
    RESOLUTIONS,
    CameraSpec,
    RigConfig,
    alternate_resolution,
    default_cameras,
)

__all__ = [
    "VTEST",
    "ClipSpec",
    "cache_dir",
    "clips_for",
    "ensure_clip",
    "ensure_footage",
    "ensure_panorama",
    "ensure_snapshot",
]

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
VTEST_SECONDS = 79.0


@dataclass(frozen=True)
class ClipSpec:
    """What one looping clip must be; its file name is derived from every field."""

    scene: str
    width: int
    height: int
    fps: int
    kbps: int
    gop: int
    seconds: float
    slices: int = 1
    view: str = ""
    """``covered`` or ``moved``: the same clip as a tampered camera would send it."""

    @property
    def filename(self) -> str:
        sliced = f"-s{self.slices}" if self.slices > 1 else ""
        view = f"-{self.view}" if self.view else ""
        return (
            f"{self.scene}-{self.width}x{self.height}-{self.fps}fps-{self.kbps}k"
            f"-g{self.gop}-{self.seconds:g}s{sliced}{view}.h264"
        )


_VIEW_FILTERS = {
    # a hand or a bag over the lens: almost black, a little sensor noise
    "covered": "drawbox=x=0:y=0:w=iw:h=ih:color=0x0c0c0c:t=fill,noise=alls=3:allf=t",
    # turned away: another part of the scene, mirrored and enlarged
    "moved": "hflip,vflip,crop=iw*0.6:ih*0.6:iw*0.1:ih*0.3,scale={w}:{h}",
}


def cache_dir(rig: RigConfig | None = None) -> Path:
    """Where footage lives: the rig's setting, else $WATCHKEEPER_CACHE, else ~/.cache."""
    if rig is not None and rig.cache_dir is not None:
        return rig.cache_dir
    env = os.environ.get("WATCHKEEPER_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "watchkeeper" / "footage"


def clips_for(cam: CameraSpec, seconds: float) -> tuple[ClipSpec, ClipSpec, ClipSpec]:
    """The main, alternate-resolution main and sub clips of a fixed camera."""
    seconds = min(seconds, VTEST_SECONDS) if cam.scene == "vtest" else seconds
    gop_main = max(1, round(cam.gop_seconds * cam.main_fps))
    gop_sub = max(1, round(cam.gop_seconds * cam.sub_fps))
    w, h = RESOLUTIONS[cam.main]
    aw, ah = RESOLUTIONS[alternate_resolution(cam.main)]
    sw, sh = RESOLUTIONS[cam.sub]
    main = ClipSpec(cam.scene, w, h, cam.main_fps, cam.main_kbps, gop_main, seconds, cam.slices)
    alt = ClipSpec(cam.scene, aw, ah, cam.main_fps, cam.main_kbps, gop_main, seconds, cam.slices)
    sub = ClipSpec(cam.scene, sw, sh, cam.sub_fps, cam.sub_kbps, gop_sub, seconds)
    return main, alt, sub


def _scene_filter(spec: ClipSpec) -> tuple[list[str], str]:
    """ffmpeg input arguments and filter chain drawing the scene at the clip's size."""
    w, h, fps = spec.width, spec.height, spec.fps
    if spec.scene == "vtest":
        if not VTEST.exists():
            raise MediaError(f"{VTEST} is missing: install the Debian package opencv-doc")
        vf = (
            f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},"
            f"fps={fps},format=yuv420p"
        )
        return ["-i", str(VTEST)], vf
    colours = {"street": "0x6b6b66", "carpark": "0x3c3f41", "plaza": "0x9a9080"}
    src = ["-f", "lavfi", "-i", f"color=c={colours[spec.scene]}:s={w}x{h}:r={fps}"]
    boxes: list[tuple[str, str, float, float, str]] = []
    if spec.scene == "street":
        boxes += [("0", f"{0.55 * h:.0f}", 1.0, 0.3, "0x2e2e2e")]
        boxes += [
            (
                f"mod(t*{0.25 * w:.0f}\\,{1.2 * w:.0f})-{0.2 * w:.0f}",
                f"{0.6 * h:.0f}",
                0.17,
                0.13,
                "0xb02020",
            )
        ]
        boxes += [
            (
                f"{w:.0f}-mod(t*{0.18 * w:.0f}\\,{1.25 * w:.0f})",
                f"{0.72 * h:.0f}",
                0.2,
                0.12,
                "0x2040a0",
            )
        ]
        boxes += [(f"mod(t*{0.03 * w:.0f}\\,{w:.0f})", f"{0.35 * h:.0f}", 0.025, 0.16, "0x202020")]
    elif spec.scene == "carpark":
        boxes += [
            (f"{x * w:.0f}", f"{0.2 * h:.0f}", 0.12, 0.2, c)
            for x, c in ((0.05, "0x808080"), (0.25, "0xa0a0ff"), (0.65, "0xe0e0e0"))
        ]
        boxes += [
            (
                f"mod(t*{0.08 * w:.0f}\\,{1.2 * w:.0f})-{0.15 * w:.0f}",
                f"{0.6 * h:.0f}",
                0.14,
                0.22,
                "0xc0c040",
            )
        ]
    else:
        for i in range(6):
            speed = 0.02 + 0.01 * i
            boxes += [
                (
                    f"mod({i * 0.15 * w:.0f}+t*{speed * w:.0f}\\,{w:.0f})",
                    f"{(0.3 + 0.1 * i) * h:.0f}",
                    0.02,
                    0.1,
                    f"0x{40 * i:02x}2020",
                )
            ]
    chain = [
        f"drawbox=x='{x}':y={y}:w={bw * w:.0f}:h={bh * h:.0f}:color={c}:t=fill"
        for x, y, bw, bh, c in boxes
    ]
    chain.append("noise=alls=5:allf=t")
    chain.append("format=yuv420p")
    return src, ",".join(chain)


def _run_ffmpeg(args: list[str], out: Path) -> None:
    """Run ffmpeg writing to a temporary name, then rename: readers never see half a file."""
    if shutil.which("ffmpeg") is None:
        raise MediaError("ffmpeg is not installed (Debian package ffmpeg)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"ffmpeg failed making {out.name}: {proc.stderr.strip()[-500:]}")
    os.replace(tmp, out)


def _locked_make(out: Path, make: list[str]) -> Path:
    """Make ``out`` once even when several test workers ask for it at the same time."""
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(f".{out.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.exists():
            _run_ffmpeg(make, out)
    return out


def ensure_clip(spec: ClipSpec, root: Path) -> Path:
    """The clip's path, encoding it first if it is not cached yet."""
    inputs, vf = _scene_filter(spec)
    if spec.view:
        vf += "," + _VIEW_FILTERS[spec.view].format(w=spec.width, h=spec.height) + ",format=yuv420p"
    args = [
        *inputs, "-t", f"{spec.seconds:g}", "-vf", vf, "-an",
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
        "-b:v", f"{spec.kbps}k", "-maxrate", f"{spec.kbps}k", "-bufsize", f"{2 * spec.kbps}k",
        "-bf", "0", "-g", str(spec.gop), "-keyint_min", str(spec.gop), "-sc_threshold", "0",
        "-x264-params", f"repeat-headers=1:aud=1:slices={spec.slices}", "-f", "h264",
    ]  # fmt: skip
    return _locked_make(root / spec.filename, args)


def ensure_panorama(root: Path) -> Path:
    """The PTZ camera's wide scene: six vtest moments tiled 3 x 2 (2304 x 1152 JPEG)."""
    if not VTEST.exists():
        raise MediaError(f"{VTEST} is missing: install the Debian package opencv-doc")
    args = ["-i", str(VTEST), "-vf", "select='not(mod(n\\,130))',tile=3x2",
            "-frames:v", "1", "-q:v", "3", "-f", "image2"]  # fmt: skip
    return _locked_make(root / "panorama-2304x1152.jpg", args)


def ensure_snapshot(spec: ClipSpec, root: Path) -> Path:
    """A JPEG of the clip's first frame, served as the fixed camera's ONVIF snapshot."""
    clip = ensure_clip(spec, root)
    name = spec.filename.removesuffix(".h264") + ".jpg"
    args = ["-i", str(clip), "-frames:v", "1", "-q:v", "4", "-f", "image2"]
    return _locked_make(root / name, args)


def ensure_footage(rig: RigConfig | None = None) -> Path:
    """Make every clip and still the rig needs (a 4 fixed + 1 PTZ demo rig by default).

    Returns the cache directory. Safe to call from many processes at once.
    """
    if rig is None:
        rig = RigConfig(cameras=default_cameras(4, 1))
    root = cache_dir(rig)
    specs: Iterable[CameraSpec] = rig.cameras
    for cam in specs:
        if cam.kind == "ptz":
            ensure_panorama(root)
            continue
        main, alt, sub = clips_for(cam, rig.footage_seconds)
        for clip in (main, alt, sub):
            ensure_clip(clip, root)
        ensure_snapshot(main, root)
    return root
