"""An open incident's footage holds do not lapse: they are extended, each time audited.

Invariants:
- A hold placed by marking cameras on an incident (``IncidentCamera.hold_id``) that is
  not released, while the incident is open, never stays within ``margin_days`` of its
  expiry for longer than one pass: the pass moves the expiry ``extend_days`` on (from
  now, if it had lapsed already), and writes one audit row per hold extended, with the
  incident, the old and the new expiry.
- The recorder runs a pass before each retention purge (``RecorderService``'s
  ``before_purge``), so the purge never sees such a hold lapse while the recorder runs.
- A pass locks the holds it extends and re-reads them, so two recorder processes running
  passes at once extend each hold once.
- Closing the incident stops the extensions; the hold then lapses at its expiry unless
  someone extends or releases it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.recording.models import RecordingHold
from watchkeeper.records.incident_models import Incident, IncidentCamera
from watchkeeper.records.vocab import IncidentStatus
from watchkeeper.timeutil import US_PER_DAY, Clock, format_utc

__all__ = ["HOLD_KEEPER", "Extension", "extend_open_incident_holds"]

HOLD_KEEPER = Actor.system("hold-keeper")


@dataclass(frozen=True, slots=True)
class Extension:
    hold_id: int
    incident_ref: str
    old_expires_us: int
    new_expires_us: int


def extend_open_incident_holds(
    s: Session, clock: Clock, margin_days: int, extend_days: int
) -> list[Extension]:
    """One pass: extend every hold of an open incident that lapses within ``margin_days``."""
    now = clock.now_us()
    horizon = now + margin_days * US_PER_DAY
    markings = s.execute(
        select(IncidentCamera, Incident.ref)
        .join(Incident, Incident.id == IncidentCamera.incident_id)
        .where(Incident.status == IncidentStatus.OPEN.value, IncidentCamera.released_us.is_(None))
        .order_by(IncidentCamera.id)
    ).all()
    done: list[Extension] = []
    for marking, ref in markings:
        ids = [int(p) for p in marking.hold_id.split(",") if p.strip().isdigit()]
        if not ids:
            continue
        holds = s.scalars(
            select(RecordingHold)
            .where(
                RecordingHold.id.in_(ids),
                RecordingHold.released_us.is_(None),
                RecordingHold.expires_us.is_not(None),
                RecordingHold.expires_us <= horizon,
            )
            .order_by(RecordingHold.id)
            .with_for_update()
        ).all()
        for hold in holds:
            s.refresh(hold)
            old = hold.expires_us
            if old is None or old > horizon or hold.released_us is not None:
                continue
            new = max(old, now) + extend_days * US_PER_DAY
            while new <= horizon:  # an extension shorter than the margin: step again
                new += extend_days * US_PER_DAY
            hold.expires_us = new
            marking.hold_expires_us = max(marking.hold_expires_us, new)
            record(
                s,
                HOLD_KEEPER,
                "recording.hold.extend",
                "recording_hold",
                str(hold.id),
                f"incident {ref} is still open",
                {"incident": ref, "from": format_utc(old), "to": format_utc(new)},
                clock=clock,
            )
            done.append(Extension(hold.id, ref, old, new))
    s.flush()
    return done
