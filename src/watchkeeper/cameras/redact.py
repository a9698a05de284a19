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


def merge_credentials(new: str, stored: str) -> str:
    """An imported URL whose credentials are masked keeps the stored credentials.

    This lets an exported register (credentials masked) be edited and imported again
    without wiping every camera's password.
    """
    if f"{MASK}@" not in new or "@" not in stored:
        return new
    new_parts = urlsplit(new)
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
