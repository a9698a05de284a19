"""Live sockets end with the session that opened them.

A socket checks its user when it opens, but the session can end while video flows: log-out,
the user disabled, the licence no longer valid, the camera moved out of the user's sight.
:class:`LiveSessions` keeps the open sockets and re-checks them every ``interval_s`` seconds
in one batch on a worker thread (one database session, one look-up per distinct session and
one visibility query per user, however many tiles), and ends every socket that fails.
Log-out ends its session's sockets at once through :meth:`LiveSessions.session_ended`.

A check that cannot reach the database is logged and tried again at the next interval: a
database hiccup does not blank the wall, and nobody gains anything they did not have.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from watchkeeper.auth.roles import Right
from watchkeeper.auth.service import UserService
from watchkeeper.cameras.models import Camera
from watchkeeper.cameras.service import CameraService
from watchkeeper.db.engine import Database
from watchkeeper.errors import WatchkeeperError

__all__ = ["Check", "LiveSessions", "session_check"]

log = logging.getLogger(__name__)

Check = Callable[[Mapping[str, set[str]]], set[tuple[str, str]]]
"""``check({session cookie: {camera ids}})`` gives the (cookie, camera) pairs still allowed."""


def session_check(db: Database, users: UserService, cameras: CameraService) -> Check:
    """The check against the database: a live session, the live right, the camera visible."""

    def check(wanted: Mapping[str, set[str]]) -> set[tuple[str, str]]:
        allowed: set[tuple[str, str]] = set()
        with db.session() as s:
            for cookie, camera_ids in wanted.items():
                who = users.principal_for_session(s, cookie)
                if who is None or not who.can(Right.VIDEO_LIVE):
                    continue
                query = cameras.visible(who).with_only_columns(Camera.id)
                seen = s.scalars(query.where(Camera.id.in_(camera_ids)))
                allowed.update((cookie, camera_id) for camera_id in seen)
        return allowed

    return check


@dataclass(eq=False, slots=True)
class _Watch:
    cookie: str
    camera_id: str
    end: Callable[[], None]


class LiveSessions:
    """The open live sockets of this process, re-checked together; built by the system."""

    def __init__(self, check: Check, interval_s: float = 2.0) -> None:
        self._check = check
        self.interval_s = interval_s
        self._watches: set[_Watch] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def watch(self, cookie: str, camera_id: str, end: Callable[[], None]) -> Callable[[], None]:
        """Keep a socket (call on the event loop); ``end`` closes it. Returns the un-watch."""
        loop = asyncio.get_running_loop()
        w = _Watch(cookie, camera_id, end)
        self._watches.add(w)
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(self._run(), name="live-session-check")
        return lambda: self._watches.discard(w)

    def session_ended(self, cookie: str) -> None:
        """End the sockets opened under this session (log-out); safe from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._end_where, lambda w: w.cookie == cookie)
        except RuntimeError:  # the loop closed in between: its sockets went with it
            return

    @property
    def open_sockets(self) -> int:
        return len(self._watches)

    def _end_where(self, failed: Callable[[_Watch], bool]) -> None:
        for w in [w for w in self._watches if failed(w)]:
            self._watches.discard(w)
            w.end()

    async def _run(self) -> None:
        while self._watches:
            await asyncio.sleep(self.interval_s)
            checked = list(self._watches)  # sockets opened meanwhile were checked on opening
            wanted: dict[str, set[str]] = {}
            for w in checked:
                wanted.setdefault(w.cookie, set()).add(w.camera_id)
            if not wanted:
                break
            try:
                allowed = await run_in_threadpool(self._check, wanted)
            except (SQLAlchemyError, WatchkeeperError) as exc:
                log.warning("could not re-check live sessions (trying again): %s", exc)
                continue
            failed = {w for w in checked if (w.cookie, w.camera_id) not in allowed}
            self._end_where(failed.__contains__)
