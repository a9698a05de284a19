"""Form errors shown next to their field, with what was typed kept.

Console pages take every form field as plain text (no FastAPI constraints, which would
answer raw JSON) and check it here or in the service; a refusal re-renders the page with
``errors`` (field name → message) and ``form`` (the values posted).

A refused request changes nothing: rendering a refusal (409 or 422) marks the request, and
the request's session (``web.deps.SessionDep``) then rolls back instead of committing, so a
service that wrote rows before it refused leaves none. Answers that must keep their writes
(a failed log-in counts towards lock-out: 401) use other statuses; a refusal whose service
audits the refused attempt itself (a wrong current password) says so with
:func:`keep_refusal_record`, and its request commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from watchkeeper.errors import Conflict, NotFound, ValidationError, WatchkeeperError

__all__ = [
    "REFUSALS",
    "REFUSED_STATUSES",
    "FormCheck",
    "keep_refusal_record",
    "mark_refused",
    "was_refused",
]

REFUSALS: tuple[type[WatchkeeperError], ...] = (ValidationError, Conflict, NotFound)
"""Service errors a form shows to its user; anything else is a fault, not a typo."""

REFUSED_STATUSES = frozenset({409, 422})
"""Statuses of a page that refused what was posted: its request's transaction rolls back."""


def mark_refused(request: Request) -> None:
    """Roll back this request's database session instead of committing it."""
    request.state.refused = True


def keep_refusal_record(request: Request) -> None:
    """Commit this refused request after all: the service wrote only the audit row of the
    refused attempt, which must stay (a security event is never rolled back)."""
    request.state.keep_refusal = True


def was_refused(request: Request) -> bool:
    state = request.state
    return bool(getattr(state, "refused", False)) and not getattr(state, "keep_refusal", False)


@dataclass
class FormCheck:
    """Collects field errors; ``ok`` while there are none."""

    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, value: str, limit: int, required: str = "") -> str:
        """``value`` stripped; an error when too long, or empty and ``required`` says why."""
        cleaned = value.strip()
        if len(value) > limit:
            self.add(name, f"too long: at most {limit} characters (this has {len(value)})")
        elif required and not cleaned:
            self.add(name, required)
        return cleaned

    def count(self, name: str, value: str) -> int | None:
        """A whole number of zero or more, or ``None`` when left blank."""
        if not value.strip():
            return None
        if not value.strip().isdigit():
            self.add(name, "a whole number, 0 or more")
            return None
        return int(value.strip())

    def refused(self, name: str, exc: WatchkeeperError) -> None:
        self.add(name, str(exc))
