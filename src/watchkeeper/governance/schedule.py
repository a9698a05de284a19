"""The clients' monthly reports on schedule, inside the server process.

Every ``hours`` (and once at start) the timer makes last month's report for each client
that has none: :meth:`ClientService.generate_due`, which is idempotent, so a restart or a
second server only finds the work done. ``watchkeeper reports monthly`` does the same from
cron where no server runs.
"""

from __future__ import annotations

import logging
import threading

from watchkeeper.db.engine import Database
from watchkeeper.governance.clients import ClientService

__all__ = ["MonthlyReports"]

log = logging.getLogger(__name__)


class MonthlyReports:
    def __init__(self, db: Database, clients: ClientService, hours: float = 1.0) -> None:
        self._db, self._clients = db, clients
        self._every = hours * 3600
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="client-reports", daemon=True)

    def start(self) -> MonthlyReports:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> int:
        with self._db.session() as s:
            made = self._clients.generate_due(s)
        for r in made:
            log.info("monthly report for %s, %s, made", r.client_id, r.month)
        return len(made)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # one failed month must not stop next hour's attempt
                log.exception("monthly client reports failed")
            self._stop.wait(self._every)
