"""HLS playlists as pure functions over runs: VOD with byte ranges, and live.

VOD: each run (one init, one timeline) is one virtual fMP4 file; its init is the
``EXT-X-MAP`` byte range at the start of that file and every GOP is a media segment given
by ``EXT-X-BYTERANGE``. ``EXT-X-PROGRAM-DATE-TIME`` ties each run to wall-clock time, so a
player (and the console's timeline) maps a position back to the instant it shows.
``EXT-X-DISCONTINUITY`` separates runs: where the codec configuration changed, the recorder
started a new run, or a gap lies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watchkeeper.timeutil import US_PER_S, format_utc

__all__ = ["LiveSegment", "PlaylistRun", "live_playlist", "vod_playlist"]


@dataclass(frozen=True, slots=True)
class PlaylistRun:
    """A run as the playlist sees it: its file URL, init length and fragment ranges."""

    url: str
    init_size: int
    start_us: int
    fragments: Sequence[tuple[int, int, int]]
    """(offset, size, duration µs) of each fragment in the run's file."""


def _seconds(us: int) -> str:
    return f"{us / US_PER_S:.6f}".rstrip("0").rstrip(".")


def vod_playlist(runs: Sequence[PlaylistRun]) -> str:
    """An ``EXT-X-PLAYLIST-TYPE:VOD`` playlist over ``runs`` (in time order)."""
    longest = max((d for r in runs for _o, _s, d in r.fragments), default=US_PER_S)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, math.ceil(longest / US_PER_S))}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for i, run in enumerate(runs):
        if i:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f'#EXT-X-MAP:URI="{run.url}",BYTERANGE="{run.init_size}@0"')
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{format_utc(run.start_us)}")
        for offset, size, duration in run.fragments:
            lines.append(f"#EXTINF:{_seconds(duration)},")
            lines.append(f"#EXT-X-BYTERANGE:{size}@{offset}")
            lines.append(run.url)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class LiveSegment:
    sequence: int
    start_us: int
    duration_us: int
    discontinuity: bool


def live_playlist(
    segments: Sequence[LiveSegment], init_url: str, segment_url: Callable[[int], str]
) -> str:
    """A sliding-window live playlist (no ENDLIST) over the most recent GOPs."""
    longest = max((s.duration_us for s in segments), default=2 * US_PER_S)
    first = segments[0].sequence if segments else 0
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, math.ceil(longest / US_PER_S))}",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
        f'#EXT-X-MAP:URI="{init_url}"',
    ]
    for seg in segments:
        if seg.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{format_utc(seg.start_us)}")
        lines.append(f"#EXTINF:{_seconds(seg.duration_us)},")
        lines.append(segment_url(seg.sequence))
    return "\n".join(lines) + "\n"
