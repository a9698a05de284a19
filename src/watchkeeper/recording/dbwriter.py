"""The recorder's one database writer: stream threads hand it rows and never wait.

Invariant: a stream thread never blocks on the database. A segment's row (its file is
already durable) and a stream's state changes are queued, in the order they happen, to one
thread that writes them. When the database is slow, locked by a burst of console writes or
down, recording goes on and the rows follow; a write that fails is retried until it is
written or the recorder stops. Nothing is lost that was not already at risk: a crash before
a queued segment row is written leaves a durable ``.mp4`` without a row, which the startup
check (and the stop's own check) indexes again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from watchkeeper.errors import LeaseLost, StorageError

__all__ = ["DbWriter"]

log = logging.getLogger(__name__)


class DbWriter:
    """Runs queued database writes one at a time, in order, on its own thread."""

    def __init__(self, retry_s: float = 1.0, warn_backlog: int = 1000) -> None:
        self._retry_s = retry_s
        self._warn_backlog = warn_backlog
        self._queue: deque[tuple[str, Callable[[], object]]] = deque()
        self._cv = threading.Condition()
        self._closing = False
        self._give_up_at = 0.0
        self._thread: threading.Thread | None = None

    @property
    def backlog(self) -> int:
        with self._cv:
            return len(self._queue)

    def start(self) -> None:
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="recorder-db", daemon=True)
        self._thread.start()

    def submit(self, what: str, write: Callable[[], object]) -> None:
        """Queue ``write`` (which raises StorageError on failure); never blocks on the
        database. Without a running thread (tests, a stopped recorder) it writes at once."""
        if self._thread is None:
            write()
            return
        with self._cv:
            self._queue.append((what, write))
            if len(self._queue) == self._warn_backlog:
                log.warning("database writes are %d behind the recorder", self._warn_backlog)
            self._cv.notify()

    def wait_empty(self, timeout: float) -> bool:
        """Wait until every write queued so far is done (or dropped); ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._queue:  # the head is popped only once written
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.1))
        return True

    def stop(self, timeout: float = 30.0) -> int:
        """Write what is queued (each write tried until ``timeout``), then stop.

        Returns how many writes were left unwritten (their files are indexed by the check
        that follows a stop or a start)."""
        thread = self._thread
        if thread is None:
            return 0
        with self._cv:
            self._closing = True
            self._give_up_at = time.monotonic() + timeout * 0.9
            self._cv.notify()
        thread.join(timeout)
        self._thread = None
        with self._cv:
            left = len(self._queue)
            for what, _write in self._queue:
                log.error("not written at stop: %s", what)
            self._queue.clear()
        return left

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closing:
                    self._cv.wait()
                if not self._queue:
                    return
                what, write = self._queue[0]
            try:
                write()
            except LeaseLost as exc:  # fenced (scale-out.md): never retried; the file stays
                log.error("%s refused: %s", what, exc)
            except StorageError as exc:
                log.error("%s: %s; retrying", what, exc)
                with self._cv:
                    if self._closing and time.monotonic() >= self._give_up_at:
                        self._queue.popleft()  # the stop's check indexes its file
                        continue
                    self._cv.wait(self._retry_s)
                continue
            except Exception:  # a bug in one write must not stop every later one
                log.exception("%s failed", what)
            with self._cv:
                self._queue.popleft()
