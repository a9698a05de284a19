"""Server CPU per live viewer: fMP4 over WebSocket, remuxed from the recorder's fan-out.

One server process records ``--cameras`` camera-like streams (1080p15, 2 Mbit/s, GOP 2 s,
paced at camera speed from a file) and serves live video. Viewers are WebSocket clients in
a *separate* process (so their CPU is not counted), each watching one camera, reading and
discarding everything. The server's CPU time is measured over ``--seconds`` with no viewer
(the recorder alone) and with each number of viewers; the difference divided by viewers is
the cost of one viewer. Glass-to-glass latency comes from the browser test
(``tests/browser/test_live_latency.py``), which prints its figures.

Usage::

    python bench/live_cpu.py [--cameras 4] [--viewers 0 4 16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import uvicorn
from borough import borough, load_borough
from camera_clip import camera_clip

from watchkeeper.config.settings import Settings
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.system import build_system
from watchkeeper.timeutil import SystemClock
from watchkeeper.web.serving import server_config

ROOT = Path(__file__).resolve().parents[1]

VIEWERS = textwrap.dedent("""
    import sys, threading, time
    from websockets.sync.client import connect
    url, cookie, cams, n, seconds = sys.argv[1], sys.argv[2], sys.argv[3].split(","), \\
        int(sys.argv[4]), float(sys.argv[5])
    got = [0] * n
    def view(i):
        with connect(url.format(cams[i % len(cams)]), additional_headers={"Cookie": cookie},
                     max_size=None) as ws:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                got[i] += len(ws.recv(timeout=5))
    ts = [threading.Thread(target=view, args=(i,)) for i in range(n)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print(sum(got))
""")


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cameras", type=int, default=4)
    ap.add_argument("--viewers", type=int, nargs="+", default=[0, 4, 16])
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wk-live-bench-"))
    src = tmp / "cam.ts"
    camera_clip(src, 20)
    system = build_system(Settings(mode="development", data_dir=tmp / "data"))
    parsed = borough()
    cams = sorted(spec.id for _f, _l, spec in parsed.cameras)[: args.cameras]
    load_borough(system, parsed)
    with system.db.session() as s:
        cookie = system.users.open_session(s, system.users.get(s, "bench"))
    clock = SystemClock()
    recorder = RecorderService(
        system.db,
        system.playback.root,
        RecorderConfig(),
        clock,
        file_opener(clock, realtime=True, loops=10_000),
    )
    recorder.start([StreamPlan(StreamKey(c, "main"), str(src)) for c in cams])
    system.recorder = recorder
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(system, log_level="warning"))
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.02)
    time.sleep(3)  # recorder connected and streaming
    url = f"ws://127.0.0.1:{port}/api/live/cameras/{{}}/ws?stream=main"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    base_per_s = None
    print(
        f"{args.cameras} cameras 1080p15 2 Mbit/s recorded in the server process; "
        f"{os.cpu_count()} CPUs"
    )
    for n in args.viewers:
        c0, w0 = cpu(), time.monotonic()
        if n:
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    VIEWERS,
                    url,
                    f"wk_session={cookie}",
                    ",".join(cams),
                    str(n),
                    str(args.seconds),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            received = int(out.stdout.strip())
        else:
            time.sleep(args.seconds)
            received = 0
        c1, w1 = cpu(), time.monotonic()
        per_s = (c1 - c0) / (w1 - w0)
        if base_per_s is None:
            base_per_s = per_s
        line = f"viewers {n:3d}: server CPU {per_s * 100:5.1f}% of one core"
        if n:
            line += (
                f"; per viewer {(per_s - base_per_s) * 100 / n:.2f}% of a core; "
                f"{received * 8 / (w1 - w0) / n / 1e6:.2f} Mbit/s each"
            )
        print(line, flush=True)
    server.should_exit = True
    th.join(timeout=5)
    system.close()


if __name__ == "__main__":
    main()
