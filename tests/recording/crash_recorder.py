"""Run the recorder service from a file played in real time, for the kill -9 test.

Usage: python crash_recorder.py DB_URL ROOT [rtsp]. Prints "recording" once started, then runs
until killed. With ``rtsp`` the cameras' URLs are RTSP cameras (the simulator), not files.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from watchkeeper.db.engine import Database
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener, rtsp_opener
from watchkeeper.recording.service import RecorderService
from watchkeeper.timeutil import SystemClock


def main() -> None:
    clock = SystemClock()
    rtsp = sys.argv[3:] == ["rtsp"]
    seconds = 4 if rtsp else 2
    cfg = RecorderConfig(segment_seconds=seconds, stagger=False, fsync_each_fragment=True)
    opener = rtsp_opener(3, 3) if rtsp else file_opener(clock, realtime=True, loops=1000)
    service = RecorderService(Database(sys.argv[1]), Path(sys.argv[2]), cfg, clock, opener)
    service.start()
    print("recording", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
