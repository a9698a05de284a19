"""Fan packets out to live viewers and analytics without ever blocking the recorder.

Each subscriber has a bounded queue. When it is full the subscriber has fallen behind: its
queue is emptied and it receives nothing until the next keyframe (so what it gets still
decodes). A subscriber that falls behind ``max_skips`` times in a row is closed.

A subscriber on an event loop does not block in :meth:`Subscription.get`: it sets a
``waker`` (called from the publisher's thread when its queue stops being empty or it is
closed; it must only schedule, e.g. ``loop.call_soon_threadsafe``) and drains with
:meth:`Subscription.get_nowait`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Fanout", "Subscription"]

T = TypeVar("T")


class Subscription(Generic[T]):
    """One consumer's queue. Read with :meth:`get`; it never blocks the publisher."""

    def __init__(self, maxsize: int, max_skips: int) -> None:
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._max_skips = max_skips
        self._cond = threading.Condition()
        self._want_key = True
        self._skips_in_row = 0
        self.skipped = 0
        self.closed = False
        self.waker: Callable[[], None] | None = None

    def _offer(self, item: T, key: bool) -> None:
        with self._cond:
            if self.closed:
                return
            if self._want_key and not key:
                self.skipped += 1
                return
            if len(self._items) >= self._maxsize:
                self.skipped += len(self._items) + 1
                self._items.clear()
                self._want_key = True
                self._skips_in_row += 1
                if self._skips_in_row >= self._max_skips:
                    self.closed = True
                    self._wake()
                self._cond.notify_all()
                return
            if key:
                self._want_key = False
                if self._items:
                    self._skips_in_row = 0
            self._items.append(item)
            self._cond.notify()
            if len(self._items) == 1:
                self._wake()

    def _wake(self) -> None:
        if self.waker is not None:
            self.waker()

    def get(self, timeout: float | None = None) -> T | None:
        """The next item, or ``None`` on timeout or when closed and drained."""
        with self._cond:
            if not self._items and not self.closed:
                self._cond.wait(timeout)
            return self._items.popleft() if self._items else None

    def qsize(self) -> int:
        return len(self._items)

    def get_nowait(self) -> T | None:
        """The next item, or ``None`` when the queue is empty."""
        with self._cond:
            return self._items.popleft() if self._items else None

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
            self._wake()


class Fanout(Generic[T]):
    """Publisher side: one per stream."""

    def __init__(self, is_key: Callable[[T], bool], maxsize: int = 256, max_skips: int = 5) -> None:
        self._is_key = is_key
        self._maxsize = maxsize
        self._max_skips = max_skips
        self._subs: list[Subscription[T]] = []
        self._lock = threading.Lock()

    def subscribe(
        self,
        maxsize: int | None = None,
        waker: Callable[[], None] | None = None,
        max_skips: int | None = None,
    ) -> Subscription[T]:
        """``max_skips`` overrides the fan-out's (analytics, which must never be let go of,
        passes a very large number: it keeps dropping and counting instead)."""
        sub: Subscription[T] = Subscription(maxsize or self._maxsize, max_skips or self._max_skips)
        sub.waker = waker
        with self._lock:
            self._subs = [*self._subs, sub]
        return sub

    def unsubscribe(self, sub: Subscription[T]) -> None:
        sub.close()
        with self._lock:
            self._subs = [s for s in self._subs if s is not sub]

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, item: T) -> None:
        subs = self._subs
        if not subs:
            return
        key = self._is_key(item)
        dead = False
        for sub in subs:
            sub._offer(item, key)
            dead = dead or sub.closed
        if dead:
            with self._lock:
                self._subs = [s for s in self._subs if not s.closed]
