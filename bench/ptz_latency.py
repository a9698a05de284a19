"""PTZ latency from the console: key press to the camera, and press to the moved picture.

One simulated PTZ camera (``--main`` resolution, 15 fps), Watchkeeper recording it and
serving the video wall, headless Chromium with the camera on one large tile, control taken.

1. **Command latency**: ``--presses`` key presses (arrow held ~120 ms, alternately left and
   right). For each, the page's clock at ``keydown`` against the simulated camera's clock at
   the arrival of the ContinuousMove request it caused (the simulator logs arrivals; one
   machine, one clock). Includes the browser's key handling, the PTZ WebSocket, the control
   service and the ONVIF request. Reference, same run, same camera: the same ContinuousMove
   sent straight from Python with Watchkeeper's ONVIF client (request start to arrival),
   i.e. the SOAP exchange alone; the ratio is what the console path adds on top.
2. **Live latency on the tile**: the camera's clock code in the painted frame against the
   browser's clock (camera encode + RTSP + recorder + our remux/WebSocket + MSE buffer +
   decode/paint), and how much of it is the browser's buffer (buffered end - currentTime).
3. **Glass to glass**: key press to the first painted frame that shows the picture moved;
   split at the moved frame's capture time (press to camera vs camera to screen).

Usage::

    python bench/ptz_latency.py [--presses 200] [--g2g 10] [--main 720p]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from borough import borough, load_borough
from playwright.sync_api import sync_playwright

from watchkeeper.cameras.models import Camera
from watchkeeper.config.settings import Settings
from watchkeeper.ptz.onvif import OnvifAddress, OnvifCamera
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.paths import StreamKey
from watchkeeper.recording.service import RecorderService, StreamPlan
from watchkeeper.simulate.config import CameraSpec, RigConfig
from watchkeeper.simulate.rig import Rig
from watchkeeper.system import build_system
from watchkeeper.timeutil import SystemClock
from watchkeeper.web.app import create_app

# The clock-code probe is the live-latency test's; run from bench/, the repository is above.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.latency_probe import GRAB_JS, latency_ms

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
USER, PASSWORD = "bench-cam", "bench-secret"

# Records the page's clock at each arrow keydown (capture phase: before any handler).
PRESS_LOG = """
window.__presses = [];
document.addEventListener("keydown", (e) => {
  if (!e.repeat && e.key.startsWith("Arrow")) window.__presses.push(Date.now());
}, true);
"""

# On each animation frame, compares the painted picture with the one before the press
# (64x36 grey, scene rows only); returns the paint time and the full frame once it moved.
WAIT_MOVED = """async (sel) => {
  const v = document.querySelector(sel);
  const small = (cv) => { const g = cv.getContext('2d'); g.drawImage(v, 0, 0, 64, 36);
    const d = g.getImageData(0, 4, 64, 28).data; const o = [];
    for (let i = 0; i < d.length; i += 4) o.push(d[i] + d[i+1] + d[i+2]); return o; };
  const c = document.createElement('canvas'); c.width = 64; c.height = 36;
  const before = small(c);
  const deadline = Date.now() + 3000;
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    const now = Date.now();
    const after = small(c);
    let diff = 0; for (let i = 0; i < after.length; i++) diff += Math.abs(after[i] - before[i]);
    if (diff / after.length > 9 || now > deadline) {
      const f = document.createElement('canvas'); f.width = v.videoWidth; f.height = v.videoHeight;
      f.getContext('2d').drawImage(v, 0, 0);
      return {now, moved: now <= deadline, png: f.toDataURL('image/png')};
    }
  }
}"""


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def line(name: str, xs: list[float]) -> str:
    return f"{name}: n={len(xs)} p50 {pct(xs, 50):.1f} ms, p95 {pct(xs, 95):.1f} ms"


def direct_reference(rig: Rig, n: int) -> list[float]:
    """ContinuousMove/Stop straight from Watchkeeper's ONVIF client: start to arrival."""
    url = rig.camera("ptz1").onvif_url.replace("http://", f"http://{USER}:{PASSWORD}@")

    async def go() -> list[float]:
        cam = OnvifCamera(OnvifAddress.from_url("ptz1", url))
        out = []
        try:
            await cam.stop("main")
            for i in range(n):
                sent_ms = time.time() * 1000
                await cam.continuous_move("main", 1.0 if i % 2 else -1.0, 0, 0, 2.0)
                arrived = [at for op, at in rig.ptz_commands("ptz1") if op == "ContinuousMove"]
                out.append(arrived[-1] / 1000 - sent_ms)
                await cam.stop("main")
        finally:
            await cam.close()
        return out

    return asyncio.run(go())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=200)
    ap.add_argument("--g2g", type=int, default=10)
    ap.add_argument("--main", default="720p")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wk-ptz-bench-"))
    spec = CameraSpec(name="ptz1", kind="ptz", main=a.main, sub="360p", sub_fps=10)
    rig = Rig(RigConfig(rtsp_port=0, onvif_port=0, control_port=0, user=USER,
                        password=PASSWORD, cameras=[spec])).start()  # fmt: skip
    system = build_system(Settings(mode="development", data_dir=tmp / "data"), SystemClock())
    load_borough(system, borough())
    cam = rig.camera("ptz1")
    with system.db.session() as s:
        tc1 = s.get(Camera, "TC-001")
        assert tc1 is not None
        tc1.onvif_url = cam.onvif_url.replace("http://", f"http://{USER}:{PASSWORD}@")
        tc1.main_url, tc1.sub_url = cam.main_url, cam.sub_url
        token = system.users.open_session(s, system.users.get(s, "bench"))
    recorder = RecorderService(system.db, system.playback.root,
                               RecorderConfig(fsync_each_fragment=False, record_sub=True),
                               system.clock)  # fmt: skip
    recorder.start([StreamPlan(StreamKey("TC-001", "main"), cam.main_url),
                    StreamPlan(StreamKey("TC-001", "sub"), cam.sub_url)])  # fmt: skip
    system.recorder = recorder
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(system), log_level="warning",
                                           timeout_graceful_shutdown=1))  # fmt: skip
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    try:
        ref = direct_reference(rig, min(100, a.presses))  # before Playwright's loop starts
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            run_browser(page, url, token, rig, a, ref)
            browser.close()
    finally:
        server.should_exit = True
        th.join(timeout=10)
        system.close()
        rig.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def run_browser(
    page: Any, url: str, token: str, rig: Rig, a: argparse.Namespace, ref: list[float]
) -> None:
    page.context.add_cookies([{"name": "wk_session", "value": token, "url": url}])
    page.add_init_script("localStorage.setItem('wk.wall.bench', "
                         "JSON.stringify({size: 1, cams: ['TC-001']}));" + PRESS_LOG)  # fmt: skip
    page.goto(url + "/wall")
    sel = "wk-live-tile[camera='TC-001'] video"
    page.wait_for_function(f"() => document.querySelector(\"{sel}\")?.currentTime > 1",
                           timeout=30_000)  # fmt: skip
    tile = page.locator("wk-live-tile[camera='TC-001']")
    tile.get_by_role("button", name="Take control of this camera").click()
    page.wait_for_function("() => document.querySelector('.ptz-holder').textContent"
                           " === 'You control'")  # fmt: skip
    tile.focus()
    print(f"machine: {len(os.sched_getaffinity(0))} cores (shared); "
          f"main stream {a.main}")  # fmt: skip

    # 1. Key press to ONVIF request.
    for i in range(a.presses):
        key = "ArrowRight" if i % 2 else "ArrowLeft"
        page.keyboard.down(key)
        page.wait_for_timeout(120)
        page.keyboard.up(key)
        page.wait_for_timeout(80)
    page.wait_for_timeout(500)
    presses = page.evaluate("() => window.__presses")
    moves = sorted(at / 1000 for op, at in rig.ptz_commands("ptz1") if op == "ContinuousMove")
    cmd = []
    for t in presses:
        after = [m for m in moves if m >= t - 1]  # Date.now() has 1 ms steps
        if after:
            cmd.append(after[0] - t)
    print(line("key press -> ContinuousMove at camera (console path)", cmd))
    print(line("ONVIF client -> ContinuousMove at camera (reference)", ref))
    print(f"ratio p50 {pct(cmd, 50) / max(pct(ref, 50), 0.01):.1f}x, "
          f"console path adds p50 {pct(cmd, 50) - pct(ref, 50):.1f} ms")  # fmt: skip

    # 2. Live latency on the tile, and the browser's share.
    live, ahead = [], []
    for _ in range(90):
        grab = page.evaluate(GRAB_JS, sel)
        got = latency_ms(grab) if grab else None
        if got is not None:
            live.append(got)
            ahead.append(1000 * page.evaluate(
                f"() => {{ const v = document.querySelector(\"{sel}\");"
                " return v.buffered.end(v.buffered.length - 1) - v.currentTime; }"))  # fmt: skip
        if len(live) >= 30:
            break
        page.wait_for_timeout(150)
    print(line("live latency on the PTZ tile (camera clock -> painted)", live))
    print(line("  of which in the browser's MSE buffer (buffered end - currentTime)", ahead))

    # 3. Glass to glass: press to the first painted frame that moved. Zoomed in halfway
    # first: at zoom 0 the simulated view is nearly the whole scene and a pan barely shows.
    page.keyboard.down("+")
    page.wait_for_timeout(1000)
    page.keyboard.up("+")
    page.wait_for_timeout(1000)
    g2g, to_cam, to_screen = [], [], []
    for i in range(a.g2g):
        key = "ArrowRight" if i % 2 else "ArrowLeft"
        page.evaluate(f"(sel) => {{ window.__moved = null; ({WAIT_MOVED})(sel)"
                      ".then((r) => { window.__moved = r; }); }", sel)  # fmt: skip
        page.keyboard.down(key)
        page.wait_for_function("() => window.__moved !== null", timeout=5000)
        result = page.evaluate("() => window.__moved")
        page.keyboard.up(key)
        pressed = page.evaluate("() => window.__presses[window.__presses.length - 1]")
        if result["moved"]:
            g2g.append(result["now"] - pressed)
            capture = latency_ms({"now": result["now"], "png": result["png"]})
            if capture is not None:
                to_screen.append(capture)
                to_cam.append(result["now"] - capture - pressed)
        page.wait_for_timeout(700)
    print(line("glass to glass: key press -> first moved frame painted", g2g))
    print(line("  press -> capture of that frame (console, ONVIF, head, next frame)", to_cam))
    print(line("  capture -> painted (encode, RTSP, server, browser)", to_screen))


if __name__ == "__main__":
    main()
