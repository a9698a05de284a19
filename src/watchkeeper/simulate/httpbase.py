"""Small HTTP plumbing shared by the ONVIF services and the control endpoint.

Standard-library servers are enough: a handful of requests per test, and a camera that can
really stop listening (``offline``) must own its socket. HTTP Basic and Digest checks are
here because snapshot clients (onvif-zeep-async uses Digest) and the control CLI need them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HttpAuth", "SwitchableServer"]

_DIGEST_FIELD = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]+))')


class HttpAuth:
    """Checks HTTP Basic or Digest (RFC 7616, MD5, qop=auth) credentials."""

    def __init__(self, user: str, password: str, realm: str = "watchkeeper-sim") -> None:
        self.user, self.password, self.realm = user, password, realm
        self.nonce = secrets.token_hex(16)

    def challenge(self) -> list[str]:
        return [
            f'Digest realm="{self.realm}", qop="auth", nonce="{self.nonce}", algorithm=MD5',
            f'Basic realm="{self.realm}"',
        ]

    def check(self, header: str | None, method: str) -> bool:
        if not header:
            return False
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, pw = base64.b64decode(rest.strip()).decode().partition(":")
            except ValueError:
                return False
            return hmac.compare_digest(f"{user}:{pw}", f"{self.user}:{self.password}")
        if scheme.lower() == "digest":
            f = {m[0]: m[1] or m[2] for m in _DIGEST_FIELD.findall(rest)}
            if f.get("username") != self.user or f.get("nonce") != self.nonce:
                return False

            def md5(s: str) -> str:
                return hashlib.md5(s.encode(), usedforsecurity=False).hexdigest()

            ha1 = md5(f"{self.user}:{self.realm}:{self.password}")
            ha2 = md5(f"{method}:{f.get('uri', '')}")
            if f.get("qop"):
                want = md5(f"{ha1}:{self.nonce}:{f.get('nc')}:{f.get('cnonce')}:{f['qop']}:{ha2}")
            else:
                want = md5(f"{ha1}:{self.nonce}:{ha2}")
            return hmac.compare_digest(want, f.get("response", ""))
        return False


class SwitchableServer:
    """A threaded HTTP server that can stop listening for a while and come back."""

    def __init__(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.host, self.port, self._handler = host, port, handler
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.context: dict[str, Any] = {}

    def start(self) -> int:
        with self._lock:
            server = ThreadingHTTPServer((self.host, self.port), self._handler)
            server.daemon_threads = True
            server.context = self.context  # type: ignore[attr-defined]
            self.port = server.server_address[1]
            self._server = server
            threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True).start()
            return self.port

    def _stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None

    def go_offline(self, seconds: float) -> None:
        """Close the socket (connections are refused), reopen after ``seconds``."""
        self._stop()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(seconds, self.start)
        self._timer.daemon = True
        self._timer.start()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._stop()
