"""Pushes a fixed camera's looping clip into its RTSP pipeline, frame by frame, live.

Why not ``multifilesrc ! h264parse``: that gives no PTS and restarts time at each loop. Here
the simulator stamps every frame itself: PTS = DTS = the pipeline's running time at the
first frame plus n frame durations, so time runs on monotonically across the loop point, and
faults (stall, corrupt, jumps, resolution change) are decided per frame from
:class:`~watchkeeper.simulate.faults.CameraState`. Frames are pushed on a GLib timer at the
frame rate; the server's sinks do not sync to the clock, so a timestamp jump reaches the
client at once instead of turning into a wait.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from watchkeeper.simulate._gi import GLib, Gst, GstApp
from watchkeeper.simulate.annexb import AccessUnit, corrupt, split_access_units
from watchkeeper.simulate.faults import CameraState

__all__ = ["ClipFeed", "ClipLibrary", "LoadedClip"]

# Timestamps start as if the camera had been up an hour, so a jump back of up to an hour is
# a real jump back; from zero it would be clamped, and a stream of frames all stamped zero
# is a different fault.
_UPTIME_NS = 3600 * Gst.SECOND


@dataclass(frozen=True)
class LoadedClip:
    units: tuple[AccessUnit, ...]
    fps: int


class ClipLibrary:
    """Clips parsed once per process and shared by every camera that loops them."""

    def __init__(self) -> None:
        self._clips: dict[Path, tuple[AccessUnit, ...]] = {}

    def load(self, path: Path, fps: int) -> LoadedClip:
        if path not in self._clips:
            self._clips[path] = tuple(split_access_units(path.read_bytes()))
        return LoadedClip(self._clips[path], fps)


class ClipFeed:
    """One stream (main or sub) of one camera, alive while its RTSP media is."""

    def __init__(
        self,
        appsrc: GstApp.AppSrc,
        state: CameraState,
        clip: LoadedClip,
        alternate: LoadedClip | None,
        views: dict[str, LoadedClip] | None = None,
    ) -> None:
        self._src = appsrc
        self._state = state
        self._clips = (clip, alternate or clip)
        self._views = views or {}
        self._view = ""
        self._fps = clip.fps
        self._dur = Gst.SECOND // clip.fps
        self._generation = state.generation
        self._rng = random.Random(id(self))  # noqa: S311 - damage, not security
        self._start_rt: int | None = None
        self._sent = 0  # frames due since start (pushed or skipped)
        self._index = 0  # position in the clip
        self._clip_no = 1 if state.use_alternate else 0
        self._need_key = True
        self._alive = True
        self._timer = GLib.timeout_add(max(5, 500 // self._fps), self._tick)

    def stop(self) -> None:
        if self._alive:
            self._alive = False
            GLib.source_remove(self._timer)

    def _running_time(self) -> int | None:
        clock = self._src.get_clock()
        if clock is None:
            return None
        return int(clock.get_time() - self._src.get_base_time())

    def _start(self, rt: int) -> None:
        """Begin at the camera's current point in its loop, at the key frame before it."""
        units = self._clips[self._clip_no].units
        since_boot = max(0.0, time.monotonic() - self._state.boot_at)
        index = int(since_boot * self._fps) % len(units)
        while index > 0 and not units[index].keyframe:
            index -= 1
        self._index = index
        self._start_rt = rt

    def _tick(self) -> bool:
        if not self._alive:
            return False
        if self._state.generation != self._generation:
            self._alive = False
            self._src.end_of_stream()
            return False
        rt = self._running_time()
        if rt is None:
            return True
        if self._start_rt is None:
            self._start(rt)
        assert self._start_rt is not None
        due = (rt - self._start_rt) // self._dur + 1
        while self._sent < due and self._alive:
            self._push_one()
        return self._alive

    def _current(self) -> LoadedClip:
        """The clip being sent: a tampered view (covered, moved) or the camera's own."""
        return self._views.get(self._view) or self._clips[self._clip_no]

    def _push_one(self) -> None:
        now = time.monotonic()
        state = self._state
        want = 1 if state.use_alternate else 0
        view = state.view(now) if self._views else ""
        units = self._current().units
        unit = units[self._index % len(units)]
        if unit.keyframe and (want != self._clip_no or view != self._view):
            self._clip_no, self._view = want, view
            units = self._current().units
            unit = units[self._index % len(units)]
        assert self._start_rt is not None
        pts = self._start_rt + _UPTIME_NS + self._sent * self._dur + state.ts_offset_ns
        self._sent += 1
        self._index = (self._index + 1) % len(units)
        if state.stalled(now):
            self._need_key = True
            return
        if self._need_key and not unit.keyframe:
            return
        self._need_key = False
        if state.corrupting(now):
            unit = corrupt(unit, self._rng)
        buf = Gst.Buffer.new_wrapped(unit.data)
        buf.pts = buf.dts = max(0, pts)
        buf.duration = self._dur
        if not unit.keyframe:
            buf.set_flags(Gst.BufferFlags.DELTA_UNIT)
        if self._src.push_buffer(buf) != Gst.FlowReturn.OK:
            self.stop()
