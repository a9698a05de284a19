"""Playback as a service: the web layer's one door to recorded video.

It joins the pure parts (layout, playlists, timeline) to the index and the files, and keeps
a small cache of init segments (a handful of codec configurations serve every camera).
Permission checks stay in the routers, which call this only for visible cameras and with a
valid view grant.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.playback.hls import PlaylistRun, vod_playlist
from watchkeeper.playback.layout import Run, build_runs, load_rows
from watchkeeper.playback.views import ViewLedger
from watchkeeper.playback.vmp4 import VirtualMp4
from watchkeeper.recording.models import InitSegment
from watchkeeper.storage.files import SegmentFiles
from watchkeeper.timeutil import Clock, format_utc

__all__ = ["MAX_RANGE_US", "PlaybackService"]

MAX_RANGE_US = 24 * 3600 * 1_000_000
"""Longest range one playlist or file may cover (a day); longer requests are refused."""


@dataclass(frozen=True, slots=True)
class _Init:
    data: bytes
    timescale: int


class PlaybackService:
    def __init__(self, root: Path, clock: Clock, files: SegmentFiles | None = None) -> None:
        self.root = root
        self.files = files or SegmentFiles(root)  # the object tier too, when configured
        self.clock = clock
        self.views = ViewLedger(clock)
        self._inits: dict[int, _Init] = {}
        self._lock = threading.Lock()

    def _init(self, s: Session, init_id: int) -> _Init:
        with self._lock:
            got = self._inits.get(init_id)
        if got is None:
            row = s.execute(
                select(InitSegment.data, InitSegment.timescale).where(InitSegment.id == init_id)
            ).one_or_none()
            if row is None:
                raise NotFound(f"init segment {init_id} missing")
            got = _Init(row[0], row[1])
            with self._lock:
                self._inits[init_id] = got
        return got

    @staticmethod
    def _check_range(start_us: int, end_us: int) -> None:
        if end_us <= start_us:
            raise ValidationError("end must be after start")
        if end_us - start_us > MAX_RANGE_US:
            raise ValidationError("ask for at most 24 hours at a time")

    def runs(
        self,
        s: Session,
        camera_id: str,
        stream: str,
        start_us: int,
        end_us: int,
        split_gaps: bool = True,
    ) -> list[Run]:
        self._check_range(start_us, end_us)
        runs = build_runs(
            load_rows(s, camera_id, stream, start_us, end_us), start_us, end_us, split_gaps
        )
        if not runs:
            raise NotFound(
                f"nothing recorded on {camera_id} between {format_utc(start_us)} "
                f"and {format_utc(end_us)}"
            )
        return runs

    def media(
        self,
        s: Session,
        camera_id: str,
        stream: str,
        start_us: int,
        end_us: int,
        exact: bool = False,
        base_us: int | None = None,
    ) -> VirtualMp4:
        """One file for the range: from the keyframe at or before ``start_us`` to ``end_us``.

        Gaps stay in the file's timeline (players hold the last picture). A codec change
        cannot live in one MP4 track, so a range across one is refused with the instant.
        With ``exact`` the range is a playlist's run and must begin exactly at one, so the
        byte ranges in the playlist and the file's layout cannot disagree.
        """
        if exact:
            runs = [
                r
                for r in self.runs(s, camera_id, stream, start_us, end_us)
                if r.start_us == start_us
            ][:1]
            if not runs:
                raise NotFound("no recording run starts there; reload the playlist")
        else:
            runs = self.runs(s, camera_id, stream, start_us, end_us, split_gaps=False)
        if len(runs) > 1 and runs[0].start_us < start_us:
            runs = runs[1:]  # a sliver of the previous configuration overlapping the start
        if len(runs) > 1:
            raise ValidationError(
                f"the camera's video format changed at {format_utc(runs[1].start_us)}; "
                "ask for the parts before and after separately"
            )
        run = runs[0]
        init = self._init(s, run.init_id)
        return VirtualMp4(run, init.data, init.timescale, self.files, base_us)

    def playlist(
        self,
        s: Session,
        camera_id: str,
        stream: str,
        start_us: int,
        end_us: int,
        url_for: Callable[[int, int, int], str],
    ) -> str:
        """VOD playlist; ``url_for(start, end, base)`` gives the URL of a run's file."""
        entries = []
        runs = self.runs(s, camera_id, stream, start_us, end_us)
        base = runs[0].start_us
        for run in runs:
            init = self._init(s, run.init_id)
            vm = VirtualMp4(run, init.data, init.timescale, self.files)
            entries.append(
                PlaylistRun(
                    url_for(run.start_us, run.end_us, base),
                    len(init.data),
                    run.start_us,
                    [(o, n, f.duration_us) for o, n, f in vm.ranges()],
                )
            )
        return vod_playlist(entries)
