"""Run the recorder service from a file played in real time, for the kill -9 test.

Usage: python crash_recorder.py DB_URL ROOT. Prints "recording" once started, then runs
until killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from watchkeeper.db.engine import Database
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.ingest import file_opener
from watchkeeper.recording.service import RecorderService
from watchkeeper.timeutil import SystemClock


def main() -> None:
    clock = SystemClock()
    cfg = RecorderConfig(segment_seconds=2, stagger=False, fsync_each_fragment=True)
    service = RecorderService(
        Database(sys.argv[1]),
        Path(sys.argv[2]),
        cfg,
        clock,
        file_opener(clock, realtime=True, loops=1000),
    )
    service.start()
    print("recording", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
