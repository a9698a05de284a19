"""Fixed vocabularies of the records: incident sources, outcomes, radio channels, schemes.

They are enumerations rather than tables because reports and partner agreements name
them; categories, which councils differ on, live in a table instead.
"""

from __future__ import annotations

import enum

from watchkeeper.errors import ValidationError

__all__ = [
    "DEFAULT_CATEGORIES",
    "Channel",
    "FaultStatus",
    "IncidentStatus",
    "Outcome",
    "Scheme",
    "Source",
    "check_in",
    "enum_value",
]


class Source(enum.StrEnum):
    POLICE = "police"
    SHOPWATCH = "shopwatch"
    PUBWATCH = "pubwatch"
    PUBLIC_VIA_POLICE = "public_via_police"
    OPERATOR = "operator"
    ALARM = "alarm"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    Source.POLICE: "Police",
    Source.SHOPWATCH: "Shopwatch member",
    Source.PUBWATCH: "Pubwatch member",
    Source.PUBLIC_VIA_POLICE: "Member of the public via police",
    Source.OPERATOR: "Operator's own observation",
    Source.ALARM: "Alarm",
}


class Outcome(enum.StrEnum):
    ARREST = "arrest"
    POLICE_ATTENDED = "police_attended"
    AMBULANCE = "ambulance"
    FIRE_SERVICE = "fire_service"
    DETAINED_BY_STAFF = "detained_by_staff"
    MONITORED = "monitored"
    FOOTAGE_REQUESTED = "footage_requested"
    NO_FURTHER_ACTION = "no_further_action"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    AIRWAVE = "airwave"
    SHOPWATCH = "shopwatch"
    PUBWATCH = "pubwatch"
    PHONE = "phone"

    @property
    def source(self) -> Source:
        """The incident source a call on this channel becomes."""
        return {
            Channel.AIRWAVE: Source.POLICE,
            Channel.SHOPWATCH: Source.SHOPWATCH,
            Channel.PUBWATCH: Source.PUBWATCH,
            Channel.PHONE: Source.POLICE,
        }[self]


class Scheme(enum.StrEnum):
    SHOPWATCH = "shopwatch"
    PUBWATCH = "pubwatch"


class FaultStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    FIXED = "fixed"


DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("violence", "Violence"),
    ("public_order", "Public order"),
    ("asb", "Anti-social behaviour"),
    ("theft", "Theft and shoplifting"),
    ("criminal_damage", "Criminal damage"),
    ("drugs", "Drugs"),
    ("suspicious", "Suspicious behaviour"),
    ("missing_vulnerable", "Missing or vulnerable person"),
    ("rtc", "Road traffic collision"),
    ("medical_welfare", "Medical or welfare"),
    ("fire", "Fire"),
    ("other", "Other"),
)
"""Seeded by the migration; the table may be extended or entries retired."""


def check_in(column: str, kind: type[enum.StrEnum]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``kind``'s values."""
    values = ", ".join(f"'{m.value}'" for m in kind)
    return f"{column} IN ({values})"


def enum_value(kind: type[enum.StrEnum], value: str, what: str) -> str:
    """``value`` as one of ``kind``'s values, or a :class:`ValidationError` listing them."""
    try:
        return kind(value).value
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise ValidationError(f"unknown {what} {value!r}; one of: {choices}") from None
