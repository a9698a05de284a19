"""Independent readers for the simulator's streams: Debian's ffprobe/ffmpeg and PyAV."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field

import av


def ffprobe_stream(url: str, transport: str = "tcp") -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", transport, "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,r_frame_rate,has_b_frames",
         "-of", "json", url],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    streams = json.loads(out.stdout)["streams"]
    return dict(streams[0])


def ffprobe_fails(url: str) -> str:
    """Stderr of an ffprobe that must fail (refused, unauthorised, unreachable)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "5000000", url],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert out.returncode != 0, f"ffprobe read {url} but should have been refused"
    return out.stderr


def packet_times(url: str, seconds: float) -> list[float]:
    """DTS (seconds) of the video packets ffprobe reads in ``seconds`` of wall time."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
         "-read_intervals", f"%+{seconds}", "-show_entries", "packet=dts_time",
         "-of", "csv=p=0", url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )  # fmt: skip
    values = (line.strip().strip(",") for line in out.stdout.split())
    return [float(v) for v in values if v not in ("", "N/A")]


@dataclass
class Packet:
    arrival: float
    dts: float | None
    keyframe: bool
    size: tuple[int, int]


@dataclass
class Reader:
    """Reads a stream with PyAV in a thread, recording every packet's arrival."""

    url: str
    decode: bool = False
    packets: list[Packet] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)
    error: str = ""

    def start(self) -> Reader:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        try:
            with av.open(self.url, options={"rtsp_transport": "tcp", "timeout": "10000000"},
                         timeout=15) as c:  # fmt: skip
                s = c.streams.video[0]
                for p in c.demux(s):
                    if self.ended.is_set():
                        break
                    size = (s.codec_context.width, s.codec_context.height)
                    if self.decode and p.size:
                        for frame in p.decode():
                            size = (frame.width, frame.height)
                    base = s.time_base
                    dts = None if p.dts is None or base is None else float(p.dts * base)
                    self.packets.append(Packet(time.monotonic(), dts, p.is_keyframe, size))
        except (av.FFmpegError, OSError) as exc:
            self.error = str(exc)
        finally:
            self.ended.set()

    def wait_packets(self, n: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.packets) < n:
            assert time.monotonic() < deadline, f"only {len(self.packets)} packets: {self.error}"
            assert not self.ended.is_set() or len(self.packets) >= n, f"ended: {self.error}"
            time.sleep(0.05)

    def stop(self) -> None:
        self.ended.set()


def grab_luma(url: str) -> tuple[int, int, bytes]:
    """(width, height, Y plane without padding) of the first decodable key frame."""
    with av.open(url, options={"rtsp_transport": "tcp", "timeout": "10000000"}, timeout=15) as c:
        s = c.streams.video[0]
        for p in c.demux(s):
            for frame in p.decode():
                plane = frame.planes[0]
                raw = bytes(plane)
                w, h, stride = frame.width, frame.height, plane.line_size
                return w, h, b"".join(raw[y * stride : y * stride + w] for y in range(h))
    raise AssertionError("no frame decoded")


def mean_abs_diff(a: bytes, b: bytes) -> float:
    step = 7  # a sample is plenty to tell two views apart
    return sum(abs(a[i] - b[i]) for i in range(0, min(len(a), len(b)), step)) / (len(a) / step)
