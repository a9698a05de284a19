"""Keep camera credentials out of logs, pages, API replies and exports."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["MASK", "merge_credentials", "redact_text", "redact_url"]

MASK = "***"
# scheme://user[:password]@ anywhere in a text (FFmpeg quotes the URL it failed to open)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^\s/'\"<>]*@")


def redact_url(url: str) -> str:
    """``rtsp://admin:secret@host/x`` becomes ``rtsp://***@host/x``; other URLs pass."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{MASK}@{host}", parts.path, parts.query, parts.fragment))


def redact_text(text: str) -> str:
    """Every ``scheme://user:password@`` inside ``text`` becomes ``scheme://***@``.

    For messages built from a URL or by a media library that quotes the URL (FFmpeg's
    errors do): whatever leaves the media boundary goes through this.
    """
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text) if text else text


DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


def _endpoint(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def merge_credentials(new: str, stored: str) -> str:
    """An imported URL whose credentials are masked keeps the stored credentials.

    This lets an exported register (credentials masked) be edited and imported again
    without wiping every camera's password. The stored credentials are kept only for
    the same scheme, host and port: anything else would send the camera's password to
    another server. Raises ``ValueError`` (with no secret in it) when they cannot be kept.
    """
    if f"{MASK}@" not in new:
        return new
    try:
        new_parts = urlsplit(new)
    except ValueError:
        raise ValueError("not a valid URL") from None
    if "@" not in stored:
        raise ValueError(
            f"{redact_url(new)} has masked credentials but none are stored to keep; "
            "give the credentials or leave them out"
        )
    if _endpoint(new) != _endpoint(stored):
        raise ValueError(
            f"masked credentials are kept only for the same scheme, host and port; "
            f"{redact_url(new)} is not {redact_url(stored)}: give the credentials for the new "
            "address in full"
        )
    userinfo = urlsplit(stored).netloc.rsplit("@", 1)[0]
    host = new_parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(
        (
            new_parts.scheme,
            f"{userinfo}@{host}",
            new_parts.path,
            new_parts.query,
            new_parts.fragment,
        )
    )
