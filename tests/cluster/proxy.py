"""A TCP relay between a node and PostgreSQL that the test can cut like a network fault.

``cut()`` is a black hole, not a refusal: connections stay open and bytes in either direction
are dropped, so the node's database calls hang as they would behind a dead switch.
``restore()`` closes the hung connections (the peer's TCP would time out) and relays again.
"""

from __future__ import annotations

import selectors
import socket
import threading

__all__ = ["Relay"]


class Relay:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._cut = threading.Event()
        self._stop = threading.Event()
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self._cut.set()

    def restore(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for sock in (a, b):
                if sock is not None:
                    sock.close()
        self._cut.clear()

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self.restore()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._cut.is_set():
                with self._lock:
                    self._pairs.append((client, None))  # hangs: never answered
                continue
            upstream = socket.create_connection(self._upstream)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                for key, _ in sel.select(0.5):
                    src = key.fileobj
                    assert isinstance(src, socket.socket)
                    data = src.recv(65536)
                    if not data:
                        return
                    if not self._cut.is_set():
                        key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
            a.close()
            b.close()
