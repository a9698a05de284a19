"""Form errors shown next to their field, with what was typed kept.

Console pages take every form field as plain text (no FastAPI constraints, which would
answer raw JSON) and check it here or in the service; a refusal re-renders the page with
``errors`` (field name → message) and ``form`` (the values posted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watchkeeper.errors import Conflict, NotFound, ValidationError, WatchkeeperError

__all__ = ["REFUSALS", "FormCheck"]

REFUSALS: tuple[type[WatchkeeperError], ...] = (ValidationError, Conflict, NotFound)
"""Service errors a form shows to its user; anything else is a fault, not a typo."""


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
