"""Console load: many operators at once against a server that is also recording.

The server process is what ``watchkeeper demo`` runs: the sample borough, the demo's
simulated RTSP cameras (720p main + sub, a separate rig process) recorded in the web
process, uvicorn with the app. Into it, ``--users`` console users (a separate client process,
one asyncio task per user, each with its own session) each:

- keep ``--tiles`` live tiles open over the WebSocket (fMP4, as ``<wk-live-tile>`` does) and
  the wall's alert long poll (``/api/live/events?wait=20``);
- every ``--every`` seconds (jittered) seek recorded video as the player does: open a view
  with a reason, fetch the VOD playlist around a random recorded instant, then the init and
  the first GOP by byte range;
- every ``--every`` seconds (jittered) write to the incident log: a new incident, then entries.

Reference, measured first in the same run against the same server and recording load: one
user alone (its actions every ~2 s); each action's p95 under load is printed as a ratio of
the lone user's. Figures (client-side wall time, loopback): p50/p95/max per action, live
bytes and frames per tile, tiles that closed early; recording gaps in the run beyond the
injected fault (one ``drop`` on one camera mid-run, so the recorder must reconnect; expect
zero others). The client runs on the same machine, so its CPU competes with the server's:
figures are upper bounds for a server with the machine to itself. Segments are cut at
``--segment-seconds`` (default 10 s rather than 60 s) so there is footage to seek from the
first minute.

Usage::

    python bench/console_load.py [--users 50] [--tiles 1] [--seconds 60] [--every 5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import uvicorn
from borough import BENCH, borough, load_borough
from sqlalchemy import select

from watchkeeper.auth.roles import Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.config.settings import Settings
from watchkeeper.demo import attach_rig, demo_rig_config, simulated_cameras
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.models import Segment, StreamEvent
from watchkeeper.simulate import Rig
from watchkeeper.system import System, build_system, live_recorder_config, start_recorder
from watchkeeper.timeutil import US_PER_S
from watchkeeper.web.serving import server_config

ROOT = Path(__file__).resolve().parents[1]

CLIENT = textwrap.dedent("""
    import asyncio, json, random, re, sys, time
    import httpx
    from websockets.asyncio.client import connect

    url, users, cams, seconds, tiles, every, t0_us = (
        sys.argv[1], json.loads(sys.argv[2]), sys.argv[3].split(","), float(sys.argv[4]),
        int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]))
    times = {"tile_open": [], "seek": [], "incident_new": [], "incident_entry": [],
             "alerts_poll": []}
    errors, tile_bytes, tile_msgs, early = [], [], [], [0]

    async def tile(user, cam, end):
        t = time.monotonic()
        got = msgs = 0
        try:
            async with connect(url.replace("http", "ws") + f"/api/live/cameras/{cam}/ws",
                               additional_headers={"cookie": user["cookie"]},
                               max_size=None, compression=None) as ws:
                first = True
                while time.monotonic() < end:
                    try:
                        m = await asyncio.wait_for(ws.recv(), max(0.1, end - time.monotonic()))
                    except asyncio.TimeoutError:
                        break
                    if first and isinstance(m, bytes) and m[4:8] == b"moof":
                        times["tile_open"].append(time.monotonic() - t)
                        first = False
                    got += len(m)
                    msgs += 1
        except Exception as exc:
            errors.append(f"tile {cam}: {exc!r}")
        if time.monotonic() < end - 1:
            early[0] += 1
        tile_bytes.append(got)
        tile_msgs.append(msgs)

    async def alerts(http, end):
        last = 0
        while time.monotonic() < end:
            t = time.monotonic()
            r = await http.get(f"/api/live/events?after={last}&wait=20", timeout=60)
            if r.status_code != 200:
                errors.append(f"alerts {r.status_code}")
                return
            last = r.json()["last"]
            times["alerts_poll"].append(time.monotonic() - t)

    async def seek(http, user):
        cam = random.choice(cams)
        now_us = int(time.time() * 1e6)
        at = random.randint(t0_us, now_us - 15_000_000)
        t = time.monotonic()
        v = await http.post(f"/api/playback/cameras/{cam}/views",
                            json={"start_us": at - 900_000_000, "end_us": at + 900_000_000,
                                  "reason": "load test: reviewing an incident"},
                            headers={"x-csrf-token": user["csrf"]})
        v.raise_for_status()
        token = v.json()["token"]
        p = await http.get(f"/api/playback/cameras/{cam}/vod.m3u8", params={
            "start": at - 60_000_000, "end": at + 60_000_000, "view": token})
        p.raise_for_status()
        text = p.text
        m = re.search(r'#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\\d+)@(\\d+)"', text)
        g = re.search(r"#EXT-X-BYTERANGE:(\\d+)@(\\d+)\\n(\\S+)", text)
        if not m or not g:
            errors.append("seek: nothing recorded around the instant")
            return
        for uri, size, off in ((m[1], m[2], m[3]), (g[3], g[1], g[2])):
            r = await http.get(uri, headers={"range": f"bytes={off}-{int(off) + int(size) - 1}"})
            if r.status_code != 206:
                errors.append(f"seek range {r.status_code}")
                return
        times["seek"].append(time.monotonic() - t)

    async def incidents(http, user, state):
        h = {"x-csrf-token": user["csrf"]}
        t = time.monotonic()
        if state.get("ref") is None:
            r = await http.post("/api/incidents", headers=h, json={
                "category_id": state["category"], "source": "operator",
                "summary": "load test: group gathering"})
            r.raise_for_status()
            state["ref"] = r.json()["ref"]
            times["incident_new"].append(time.monotonic() - t)
        else:
            r = await http.post(f"/api/incidents/{state['ref']}/entries", headers=h,
                                json={"text": "camera panned to follow the group"})
            r.raise_for_status()
            times["incident_entry"].append(time.monotonic() - t)

    async def user(u, i, end, category):
        async with httpx.AsyncClient(base_url=url, headers={"cookie": u["cookie"]},
                                     timeout=60) as http:
            tasks = [asyncio.create_task(tile(u, cams[(i + k) % len(cams)], end))
                     for k in range(tiles)]
            tasks.append(asyncio.create_task(alerts(http, end)))
            state = {"category": category}
            await asyncio.sleep(random.uniform(0, min(every, seconds)))
            while time.monotonic() < end - every:
                for job in (seek(http, u), incidents(http, u, state)):
                    try:
                        await job
                    except Exception as exc:
                        errors.append(repr(exc)[:200])
                    await asyncio.sleep(random.uniform(0.5, 1.5) * every / 2)
            await asyncio.gather(*tasks[:-1])
            tasks[-1].cancel()

    async def main():
        async with httpx.AsyncClient(base_url=url, headers={"cookie": users[0]["cookie"]}) as h:
            cats = (await h.get("/api/incidents/categories")).json()
        category = cats[0]["id"]
        end = time.monotonic() + seconds
        await asyncio.gather(*(user(u, i, end, category) for i, u in enumerate(users)))

    asyncio.run(main())
    print(json.dumps({"times": times, "errors": errors[:20], "error_count": len(errors),
                      "tile_bytes": tile_bytes, "tile_msgs": tile_msgs, "early": early[0]}))
""")


def add_users(system: System, n: int) -> list[dict[str, str]]:
    """``n`` licensed operators, each with a browser session (cookie, CSRF token)."""
    today = system.users.today()
    out = []
    with system.db.session() as s:
        for i in range(n):
            user = system.users.create(
                s,
                UserSpec(
                    username=f"op{i:03d}",
                    role=Role.OPERATOR.value,
                    password="load-test-password-" + str(i),
                    sia_number="1" * 16,
                    sia_expiry=today.replace(year=2099),
                    sia_status="active",
                    sia_checked_on=today,
                ),
                BENCH,
            )
            cookie = system.users.open_session(s, user)
            s.flush()
            who = system.users.principal_for_session(s, cookie)
            assert who is not None
            out.append({"cookie": f"wk_session={cookie}", "csrf": who.csrf_token})
    return out


def gaps(system: System, start_us: int, end_us: int) -> list[tuple[str, str, float, int]]:
    """Holes over 0.5 s between consecutive segments of each stream inside the window."""
    with system.db.session() as s:
        rows = s.execute(
            select(Segment.camera_id, Segment.stream, Segment.start_us, Segment.end_us)
            .where(Segment.end_us > start_us, Segment.start_us < end_us)
            .order_by(Segment.camera_id, Segment.stream, Segment.start_us)
        ).all()
    found = []
    for a, b in itertools.pairwise(rows):
        if (a.camera_id, a.stream) == (
            b.camera_id,
            b.stream,
        ) and b.start_us - a.end_us > US_PER_S // 2:
            found.append((a.camera_id, a.stream, (b.start_us - a.end_us) / US_PER_S, a.end_us))
    return found


def events_near(system: System, hole: tuple[str, str, float, int]) -> list[str]:
    """The stream's recorded state changes from 2 s before the hole to 2 s after it."""
    camera, stream, seconds, at = hole
    with system.db.session() as s:
        rows = s.execute(
            select(StreamEvent.state, StreamEvent.reason).where(
                StreamEvent.camera_id == camera,
                StreamEvent.stream == stream,
                StreamEvent.at_us.between(at - 2 * US_PER_S, at + int((seconds + 2) * US_PER_S)),
            )
        ).all()
    return [f"{r.state}: {r.reason}" for r in rows]


def p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]


def pct(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"n {len(values):5d}  p50 {statistics.median(values) * 1000:7.1f} ms  "
        f"p95 {p95(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--tiles", type=int, default=1, help="live tiles per user")
    ap.add_argument("--seconds", type=float, default=60.0, help="measured run")
    ap.add_argument("--every", type=float, default=5.0, help="seconds between a user's actions")
    ap.add_argument("--segment-seconds", type=float, default=10.0)
    ap.add_argument("--no-fault", action="store_true", help="inject no fault")
    ap.add_argument("--reference-seconds", type=float, default=20.0, help="one user alone, first")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="wk-console-load-"))
    settings = Settings(
        mode="development",
        data_dir=tmp / "data",
        recorder=RecorderConfig(segment_seconds=args.segment_seconds),
    )
    system = build_system(settings)
    load_borough(system, borough())
    users = add_users(system, args.users)
    cams = simulated_cameras(system)
    print(f"starting {len(cams)} simulated cameras (the first run prepares footage)...", flush=True)
    rig = Rig(demo_rig_config(cams)).start()
    attach_rig(system, cams, rig.cameras, BENCH)
    recorder = start_recorder(system, live_recorder_config(settings))
    server = uvicorn.Server(server_config(system, port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    t0_us = system.clock.now_us()
    warm = args.segment_seconds * 2 + 5
    print(f"recording {len(recorder.health())} streams; {warm:.0f} s of footage first", flush=True)
    time.sleep(warm)

    ids = [c.camera_id for c in cams]
    fault_cam = cams[0]

    def start_client(
        who: list[dict[str, str]], seconds: float, every: float
    ) -> subprocess.Popen[str]:
        argv = [url, json.dumps(who), ",".join(ids), str(seconds), str(args.tiles)]
        return subprocess.Popen(
            [sys.executable, "-c", CLIENT, *argv, str(every), str(t0_us)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )

    # Reference, same run, same server and recording load: one user alone.
    alone, _ = start_client(users[:1], args.reference_seconds, 2.0).communicate(
        timeout=args.reference_seconds + 120
    )
    reference = json.loads(alone)["times"]
    run_start = system.clock.now_us()
    client = start_client(users, args.seconds, args.every)
    fault_at = None
    if not args.no_fault:
        time.sleep(args.seconds / 2)
        fault_at = system.clock.now_us()
        rig.fault(fault_cam.rig_name, "drop")
    out, _ = client.communicate(timeout=args.seconds + 120)
    time.sleep(args.segment_seconds + 2)  # let the run's last segments close
    run_end = system.clock.now_us() - int((args.segment_seconds + 2) * US_PER_S)
    result = json.loads(out)
    holes = gaps(system, run_start, run_end)
    injected = [
        h
        for h in holes
        if fault_at is not None
        and h[0] == fault_cam.camera_id
        and abs(h[3] - fault_at) < 10 * US_PER_S
    ]
    others = {h: events_near(system, h) for h in holes if h not in injected}
    server.should_exit = True
    thread.join(timeout=10)
    system.close()
    rig.stop()

    print(
        f"\n{args.users} users x {args.tiles} live tile(s), alert long poll, a seek and an "
        f"incident write every ~{args.every:.0f} s each, for {args.seconds:.0f} s; "
        f"{len(cams)} simulated cameras (720p main + sub) recorded in the server process; "
        f"{os.cpu_count()} CPUs, client and rig on the same machine, loopback"
    )
    print(f"  (reference: the same actions by one user alone, {args.reference_seconds:.0f} s)")
    for action, values in result["times"].items():
        if action != "alerts_poll":  # a long poll: its time is the wait, not a latency
            ref = reference.get(action, [])
            ratio = (
                f"  p95 x{p95(values) / p95(ref):.1f} of one user alone" if values and ref else ""
            )
            print(f"  {action:15s} {pct(values)}{ratio}")
            print(f"  {'  one user':15s} {pct(ref)}")
    print(f"  alert long polls answered: {len(result['times']['alerts_poll'])}")
    mb = [b / 1e6 for b in result["tile_bytes"]]
    if mb:
        print(
            f"  live tiles: {len(mb)}, closed early {result['early']}, "
            f"per tile {statistics.mean(mb) * 8 / args.seconds:.2f} Mbit/s, "
            f"{statistics.mean(result['tile_msgs']) / args.seconds:.1f} messages/s"
        )
    print(f"  client errors: {result['error_count']} {result['errors'][:5]}")
    print(
        f"  recording gaps over 0.5 s in the run: {len(holes)} "
        f"({len(injected)} at the injected drop on {fault_cam.camera_id}), {len(others)} others"
    )
    for (camera, stream, seconds, _at), events in others.items():
        print(f"    {camera}/{stream}: {seconds:.2f} s; stream events around it: {events}")


if __name__ == "__main__":
    main()
