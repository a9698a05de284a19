"""A PTZ console without a browser: a WebSocket client that keeps the messages it gets.

Run as a program (``python -m tests.ptz.ws_client URL COOKIE CAMERA``) it takes control
and pans right, sending a move every 100 ms until it is stopped or killed: the client
the dead-man tests freeze and kill.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from contextlib import ExitStack
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


def ws_url(base: str, camera: str) -> str:
    return base.replace("http://", "ws://") + f"/ws/ptz/{camera}"


class Console:
    """One open PTZ socket; ``wait_for`` finds a message the server sent."""

    def __init__(self, base: str, cookie: str, camera: str) -> None:
        self._stack = ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(ws_url(base, camera), additional_headers={"Cookie": cookie}, open_timeout=5)
        )
        self.messages: list[dict[str, Any]] = []
        self.closed_code: int | None = None
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for text in self.ws:
                with self._lock:
                    self.messages.append(json.loads(text))
        except ConnectionClosed:
            pass
        self.closed_code = self.ws.close_code

    def send(self, **msg: Any) -> None:
        self.ws.send(json.dumps(msg))

    def mark(self) -> int:
        """Where the messages stand now: ``wait_for(after=mark)`` sees only later ones."""
        with self._lock:
            return len(self.messages)

    def wait_for(self, timeout: float = 5.0, after: int = 0, **want: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for m in self.messages[after:]:
                    if all(m.get(k) == v for k, v in want.items()):
                        return m
            time.sleep(0.02)
        raise AssertionError(f"no message {want} in {self.messages}")

    def latest_state(self) -> dict[str, Any]:
        with self._lock:
            return [m for m in self.messages if m["type"] == "state"][-1]

    def close(self) -> None:
        self._stack.close()
        self._reader.join(timeout=5)


def main() -> None:
    base, cookie, camera = sys.argv[1:4]
    console = Console(base, cookie, camera)
    console.send(type="take")
    console.wait_for(type="state", you=True)
    print("steering", flush=True)
    while True:
        console.send(type="move", pan=1.0, tilt=0.0, zoom=0.0)
        time.sleep(0.1)


if __name__ == "__main__":
    main()
