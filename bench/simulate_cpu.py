"""CPU cost of the simulated cameras, in CPU seconds per camera-minute.

Starts a rig of fixed cameras, then a rig of PTZ cameras; each camera's main and sub
streams are pulled by Debian's ``ffmpeg -rtsp_transport tcp -i URL -c copy -f null -`` (as
a recorder and an analytics worker would), and the rig process's own user+system CPU time
is read from /proc over a measured window after a warm-up. Run from the repository root::

    python bench/simulate_cpu.py --fixed 32 --ptz 2 --seconds 30
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from watchkeeper.simulate.config import CameraSpec, Resolution, RigConfig
from watchkeeper.simulate.rig import Rig


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (not its children), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def clients(urls: list[str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    def pull(url: str) -> list[str]:
        return ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", url,
                "-c", "copy", "-f", "null", "-"]  # fmt: skip

    procs = [
        subprocess.Popen(pull(url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for url in urls
    ]
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()


def measure(cameras: list[CameraSpec], seconds: float, warmup: float) -> tuple[float, int]:
    """(CPU seconds per camera-minute of the rig, clients still running at the end)."""
    config = RigConfig(rtsp_port=0, onvif_port=0, control_port=0, cameras=cameras)
    with Rig(config, start_timeout=600) as rig:
        urls = [u for cam in rig.cameras for u in (cam.main_url, cam.sub_url)]
        with clients(urls) as procs:
            time.sleep(warmup)
            start_cpu, start = cpu_seconds(rig.pid), time.monotonic()
            time.sleep(seconds)
            used, elapsed = cpu_seconds(rig.pid) - start_cpu, time.monotonic() - start
            alive = sum(p.poll() is None for p in procs)
    return used / (len(cameras) * elapsed / 60), alive


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixed", type=int, default=32, help="fixed cameras")
    ap.add_argument("--ptz", type=int, default=2, help="PTZ cameras")
    ap.add_argument("--main", default="1080p", choices=["1080p", "720p", "540p", "360p"])
    ap.add_argument("--seconds", type=float, default=30.0, help="measured window")
    ap.add_argument("--warmup", type=float, default=5.0)
    args = ap.parse_args()
    main_res: Resolution = args.main
    print(f"cores: {os.cpu_count()}; main {args.main} 15 fps 2 Mbit/s, sub 360p 10 fps; "
          f"each stream pulled by one ffmpeg -c copy client over TCP")  # fmt: skip
    if args.fixed:
        cams = [CameraSpec(name=f"cam{i + 1}", main=main_res) for i in range(args.fixed)]
        per, alive = measure(cams, args.seconds, args.warmup)
        print(f"fixed: {args.fixed} cameras, {alive}/{2 * args.fixed} clients alive: "
              f"{per:.2f} CPU-s per camera-minute ({per / 60 * 100:.1f}% of a core each, "
              f"{per * args.fixed / 60 * 100:.0f}% of a core in all)")  # fmt: skip
    if args.ptz:
        cams = [CameraSpec(name=f"ptz{i + 1}", kind="ptz", main=main_res) for i in range(args.ptz)]
        per, alive = measure(cams, args.seconds, args.warmup)
        print(f"ptz: {args.ptz} cameras, {alive}/{2 * args.ptz} clients alive: "
              f"{per:.2f} CPU-s per camera-minute "
              f"({per / 60 * 100:.1f}% of a core each)")  # fmt: skip


if __name__ == "__main__":
    main()
