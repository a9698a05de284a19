"""The kinds of request: the fields each must carry and the lawful bases it may rest on.

Sources: DPA 2018 Sch 2 para 2 (crime and taxation) and Part 3 (law enforcement by a
competent authority) for the police; Sch 2 para 5 (legal proceedings) for insurers and
solicitors and court orders; UK GDPR Art 15 for subject access; FOIA s.1 for FOI (footage
of people is usually exempt under s.40); the national standard for the release of data for
media (only after the police decide).
"""

from __future__ import annotations

from dataclasses import dataclass

from watchkeeper.errors import ValidationError
from watchkeeper.evidence.models import RequestKind

__all__ = ["KINDS", "KindRule", "check_fields"]


@dataclass(frozen=True, slots=True)
class KindRule:
    label: str
    fields: tuple[tuple[str, str], ...]
    """(name, label) of the fields this kind must carry, all required."""
    bases: tuple[str, ...]
    """Lawful bases to choose from; the first is the usual one."""
    statutory: bool = False


K = RequestKind
KINDS: dict[RequestKind, KindRule] = {
    K.POLICE: KindRule(
        "Police",
        (
            ("officer", "Officer"),
            ("force", "Force"),
            ("collar_number", "Collar number"),
            ("crime_ref", "Crime / CAD reference"),
            ("offence", "Offence"),
            ("countersigning_officer", "Countersigning officer"),
        ),
        ("DPA 2018 Sch 2 para 2 (crime)", "DPA 2018 Part 3 (law enforcement)"),
    ),
    K.PRIMARY: KindRule(
        "Primary (insurer, solicitor)",
        (("their_ref", "Their reference"), ("proceedings", "Proceedings")),
        ("DPA 2018 Sch 2 para 5 (legal proceedings)",),
    ),
    K.SECONDARY: KindRule(
        "Secondary", (("purpose", "Purpose"),), ("UK GDPR Art 6(1)(e) (public task)",)
    ),
    K.SUBJECT_ACCESS: KindRule(
        "Subject access",
        (("description", "How to recognise the requester"),),
        ("UK GDPR Art 15 (right of access)",),
        statutory=True,
    ),
    K.FOI: KindRule(
        "Freedom of information",
        (("information", "Information asked for"),),
        ("FOIA 2000 s.1",),
        statutory=True,
    ),
    K.MEDIA: KindRule(
        "Media",
        (("outlet", "Outlet"), ("police_decision", "Police decision reference")),
        ("UK GDPR Art 6(1)(e) after the police decision",),
    ),
    K.COURT_ORDER: KindRule(
        "Court order",
        (("court", "Court"), ("order_ref", "Order reference")),
        ("DPA 2018 Sch 2 para 5(1)(c) (court order)",),
    ),
}


def check_fields(kind: RequestKind, fields: dict[str, str], basis: str) -> dict[str, str]:
    """The kind's fields, stripped; every one required, the basis one of the kind's."""
    rule = KINDS[kind]
    clean = {name: fields.get(name, "").strip() for name, _ in rule.fields}
    missing = [label for name, label in rule.fields if not clean[name]]
    if missing:
        raise ValidationError(f"a {rule.label.lower()} request needs: {', '.join(missing)}")
    if basis not in rule.bases:
        raise ValidationError(
            f"lawful basis for a {rule.label.lower()} request: " + "; ".join(rule.bases)
        )
    return clean
