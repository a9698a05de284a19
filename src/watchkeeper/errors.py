"""The project's error tree.

Every error raised on purpose by Watchkeeper derives from :class:`WatchkeeperError`.
Third-party errors (SQLAlchemy, PyAV, ONVIF, HTTP clients) are translated into this
tree where they enter; the web layer maps the tree to HTTP status in one handler
(``web/errors.py``) and the CLI maps it to an exit code and a one-line message.

::

    WatchkeeperError
    ├── ConfigError            settings or site file invalid (file, line, field named)
    ├── ValidationError        a request or record breaks a rule (422)
    │   └── ImportRejected     an import file has bad rows; nothing was imported
    ├── NotFound               the object does not exist or is not visible to the caller (404)
    ├── Conflict               the object exists already or is in the wrong state (409)
    │   └── LeaseLost          this node no longer holds the camera's lease (fencing)
    ├── AuthError              authentication failed (401); a lock-out reads the same
    │   └── LicenceInvalid     SIA licence expired, suspended or revoked
    ├── Forbidden              authenticated but not allowed (403)
    ├── StorageError           disk full, file missing, hash mismatch
    └── MediaError             a stream or file could not be read or written
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "Forbidden",
    "ImportRejected",
    "LeaseLost",
    "LicenceInvalid",
    "MediaError",
    "NotFound",
    "StorageError",
    "ValidationError",
    "WatchkeeperError",
]


class WatchkeeperError(Exception):
    """Base of every error Watchkeeper raises on purpose."""


class ConfigError(WatchkeeperError):
    """Settings or a site file are invalid; the message names file, line and field."""


class ValidationError(WatchkeeperError):
    """A request or record breaks a rule of the domain."""


class ImportRejected(ValidationError):
    """An import file holds bad rows; nothing was imported.

    ``problems`` lists one human-readable line per bad row and field.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"import rejected, {len(problems)} problem(s):\n" + "\n".join(problems))


class NotFound(WatchkeeperError):
    """The object does not exist, or the caller may not know that it does."""


class Conflict(WatchkeeperError):
    """The object exists already or is in a state that forbids the action."""


class LeaseLost(Conflict):
    """A recorder node wrote under a camera lease that the database says it no longer holds."""


class AuthError(WatchkeeperError):
    """Authentication failed."""


class LicenceInvalid(AuthError):
    """The user's SIA licence is expired, suspended or revoked."""


class Forbidden(WatchkeeperError):
    """Authenticated, but the role has no right to do this."""


class StorageError(WatchkeeperError):
    """Disk full, a file missing, or a hash that does not match."""


class MediaError(WatchkeeperError):
    """A stream or media file could not be read or written."""
