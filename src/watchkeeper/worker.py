"""A background worker for durable jobs: one daemon thread that takes work until stopped.

The jobs themselves live in the database (export packages, redactions); this is only the
thread around them. ``run_once`` does one unit of work and says whether there was any; with
none, the thread sleeps ``poll_s`` or until :meth:`PollingWorker.wake` (a job was just
queued). ``requeue_interrupted`` runs once before the thread starts, so a job a restart
interrupted is taken up again. One failing job is logged and never stops the worker.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

__all__ = ["PollingWorker"]

log = logging.getLogger(__name__)


class PollingWorker(ABC):
    thread_name = "worker"

    def __init__(self, poll_s: float = 0.5) -> None:
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def run_once(self) -> bool:
        """Do one unit of work; ``False`` when there was none."""

    @abstractmethod
    def requeue_interrupted(self) -> None:
        """Put back what a restart interrupted (jobs found running)."""

    def start(self) -> None:
        self.requeue_interrupted()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # one bad job must not stop the worker
                log.exception("%s", self.thread_name)
                worked = False
            if not worked:
                self._wake.wait(self.poll_s)
                self._wake.clear()
