"""The occurrence log's rules: open, record actions, mark footage, close, amend.

While an incident is open its operator's team writes to it freely; every change is a
timeline entry. Closing locks it: after that only a holder of ``INCIDENTS_AMEND``
(a supervisor) may change it, with a reason, and each amendment is a new entry
showing old and new values, so the history stays visible. Marking camera spans
places a footage hold through the injected :class:`HoldPlacer`; releasing one needs
``HOLDS_RELEASE`` and a reason. Every change is audited in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area, Camera
from watchkeeper.errors import Conflict, NotFound, ValidationError
from watchkeeper.records.holds import HoldPlacer
from watchkeeper.records.incident_models import (
    Category,
    Incident,
    IncidentCamera,
    IncidentEntry,
    IncidentOfficer,
    IncidentOutcome,
)
from watchkeeper.records.refs import format_ref, next_seq
from watchkeeper.records.search import reindex
from watchkeeper.records.vocab import IncidentStatus, Outcome, Source
from watchkeeper.timeutil import US_PER_DAY, Clock, check_us, to_local

__all__ = ["EDITABLE", "IncidentDraft", "IncidentService"]

EDITABLE = (
    "category_id",
    "source",
    "area_id",
    "location",
    "latitude",
    "longitude",
    "summary",
    "police_ref",
    "crime_ref",
    "scheme_ref",
)
MAX_SPAN_US = 7 * US_PER_DAY
MAX_AHEAD_US = 24 * 3600 * 1_000_000
"""How far ahead of now a held span may end (an incident still going on)."""


@dataclass
class IncidentDraft:
    """What an operator gives to open an incident."""

    category_id: str
    source: Source
    summary: str = ""
    area_id: str | None = None
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    police_ref: str = ""
    crime_ref: str = ""
    scheme_ref: str = ""
    opened_us: int | None = None


class IncidentService:
    def __init__(self, clock: Clock, holds: HoldPlacer, hold_days: int = 90) -> None:
        self.clock = clock
        self.holds = holds
        self.hold_days = hold_days

    # --- reading ----------------------------------------------------------------------

    def categories(self, s: Session, include_retired: bool = False) -> list[Category]:
        q = select(Category).order_by(Category.sort, Category.name)
        if not include_retired:
            q = q.where(Category.active.is_(True))
        return list(s.scalars(q))

    def get(self, s: Session, who: Principal, ref: str) -> Incident:
        who.require(Right.INCIDENTS_VIEW)
        inc = s.scalar(
            select(Incident)
            .where(Incident.ref == ref)
            .options(
                selectinload(Incident.entries),
                selectinload(Incident.cameras),
                selectinload(Incident.officers),
                selectinload(Incident.outcomes),
            )
        )
        if inc is None:
            raise NotFound(f"no incident {ref}")
        return inc

    # --- opening ----------------------------------------------------------------------

    def create(self, s: Session, who: Principal, draft: IncidentDraft) -> Incident:
        who.require(Right.INCIDENTS_WRITE)
        now = self.clock.now_us()
        year = to_local(now).year
        seq = next_seq(s, year)  # first: takes the write lock before anything is read
        values = {f.name: getattr(draft, f.name) for f in fields(draft)}
        values["source"] = Source(draft.source).value
        values["summary"] = draft.summary.strip()
        self._check(s, values)
        opened = check_us(draft.opened_us, "opened") if draft.opened_us is not None else now
        if opened > now + 60_000_000:
            raise ValidationError("an incident cannot open in the future")
        values.pop("opened_us")
        inc = Incident(
            ref=format_ref(year, seq),
            year=year,
            seq=seq,
            status=IncidentStatus.OPEN.value,
            opened_us=opened,
            operator_id=who.user_id or None,
            operator_name=who.username,
            updated_us=now,
            **values,
        )
        s.add(inc)
        s.flush()
        self._entry(s, who, inc, "open", draft.summary, at_us=opened)
        self._audit(s, who, "incident.open", inc, "", {"category": inc.category_id})
        reindex(s, inc)
        return inc

    # --- writing ----------------------------------------------------------------------

    def update(
        self, s: Session, who: Principal, ref: str, changes: dict[str, Any], reason: str = ""
    ) -> Incident:
        """Change fields; on a closed incident this is an amendment and needs a reason."""
        inc = self.get(s, who, ref)
        kind = self._may_change(who, inc, "change", reason)
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
        if "source" in changes:
            changes["source"] = Source(changes["source"]).value
        self._check(s, changes)
        diff = {k: [getattr(inc, k), v] for k, v in changes.items() if getattr(inc, k) != v}
        if not diff:
            return inc
        for k, (_old, new) in diff.items():
            setattr(inc, k, new)
        text = "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in diff.items())
        self._entry(s, who, inc, kind, text, reason=reason, details=diff)
        self._audit(s, who, f"incident.{kind}", inc, reason, diff)
        reindex(s, inc)
        return inc

    def add_action(
        self,
        s: Session,
        who: Principal,
        ref: str,
        text: str,
        why: str = "",
        at_us: int | None = None,
    ) -> IncidentEntry:
        """An action taken and why; on a closed incident, an amendment (``why`` required)."""
        inc = self.get(s, who, ref)
        kind = self._may_change(who, inc, "action", why)
        if not text.strip():
            raise ValidationError("say what was done")
        if at_us is not None:
            check_us(at_us, "the time of the action")
        entry = self._entry(s, who, inc, kind, text.strip(), reason=why.strip(), at_us=at_us)
        self._audit(s, who, f"incident.{kind}", inc, why, {"entry": entry.id})
        reindex(s, inc)
        return entry

    def add_officer(
        self, s: Session, who: Principal, ref: str, name: str, collar: str = "", reason: str = ""
    ) -> IncidentOfficer:
        inc = self.get(s, who, ref)
        kind = self._may_change(who, inc, "officer", reason)
        if not name.strip():
            raise ValidationError("give the officer's name")
        officer = IncidentOfficer(
            incident_id=inc.id,
            name=name.strip(),
            collar_number=collar.strip(),
            added_us=self.clock.now_us(),
        )
        s.add(officer)
        inc.officers.append(officer)
        text = f"officer attending: {officer.name} {officer.collar_number}".strip()
        self._entry(s, who, inc, kind, text, reason=reason)
        self._audit(s, who, f"incident.{kind}", inc, reason, {"officer": text})
        reindex(s, inc)
        return officer

    def set_outcomes(
        self,
        s: Session,
        who: Principal,
        ref: str,
        outcomes: Iterable[Outcome | str],
        reason: str = "",
    ) -> Incident:
        inc = self.get(s, who, ref)
        kind = self._may_change(who, inc, "outcome", reason)
        wanted = {Outcome(o).value for o in outcomes}
        have = {o.outcome for o in inc.outcomes}
        if wanted == have:
            return inc
        for row in list(inc.outcomes):
            if row.outcome not in wanted:
                inc.outcomes.remove(row)
        for value in sorted(wanted - have):
            inc.outcomes.append(IncidentOutcome(incident_id=inc.id, outcome=value))
        diff = {"outcomes": [sorted(have), sorted(wanted)]}
        self._entry(s, who, inc, kind, "outcomes: " + ", ".join(sorted(wanted)), reason, diff)
        self._audit(s, who, f"incident.{kind}", inc, reason, diff)
        reindex(s, inc)
        return inc

    def close(self, s: Session, who: Principal, ref: str, note: str = "") -> Incident:
        """Close and lock; an incident needs at least one outcome first."""
        inc = self.get(s, who, ref)
        who.require(Right.INCIDENTS_WRITE)
        if inc.closed:
            raise Conflict(f"incident {ref} is closed already")
        if not inc.outcomes:
            raise ValidationError("record at least one outcome before closing")
        now = self.clock.now_us()
        inc.status = IncidentStatus.CLOSED.value
        inc.closed_us = now
        self._entry(s, who, inc, "close", note.strip() or "closed")
        self._audit(s, who, "incident.close", inc, note, {})
        reindex(s, inc)
        return inc

    # --- footage ----------------------------------------------------------------------

    def mark_cameras(
        self,
        s: Session,
        who: Principal,
        ref: str,
        camera_ids: Sequence[str],
        start_us: int,
        end_us: int,
        note: str = "",
        reason: str = "",
    ) -> list[IncidentCamera]:
        """Link camera spans and hold their footage under the incident's reference."""
        inc = self.get(s, who, ref)
        kind = self._may_change(who, inc, "camera", reason)
        who.require(Right.HOLDS_CREATE)
        ids = sorted(set(camera_ids))
        if not ids:
            raise ValidationError("name at least one camera")
        check_us(start_us, "the span's start")
        check_us(end_us, "the span's end")
        if end_us <= start_us:
            raise ValidationError("a footage span must end after it starts")
        if end_us - start_us > MAX_SPAN_US:
            raise ValidationError("a footage span may be at most 7 days")
        if end_us > self.clock.now_us() + MAX_AHEAD_US:
            raise ValidationError(
                "a footage span may end at most 24 hours from now: footage not yet recorded "
                "is held by marking it again when it exists"
            )
        found = set(s.scalars(select(Camera.id).where(Camera.id.in_(ids))))
        missing = [c for c in ids if c not in found]
        if missing:
            raise ValidationError(f"no camera {', '.join(missing)}")
        now = self.clock.now_us()
        expires = max(now, end_us) + self.hold_days * US_PER_DAY
        why = f"incident {inc.ref} ({inc.category.name})"
        hold_id = self.holds.place(s, who.actor, ids, start_us, end_us, inc.ref, why, expires)
        spans = [
            IncidentCamera(
                incident_id=inc.id,
                camera_id=cid,
                start_us=start_us,
                end_us=end_us,
                note=note.strip(),
                added_us=now,
                added_by=who.username,
                hold_id=hold_id,
                hold_expires_us=expires,
            )
            for cid in ids
        ]
        s.add_all(spans)
        inc.cameras.extend(spans)
        details = {"cameras": ids, "start_us": start_us, "end_us": end_us, "hold": hold_id}
        self._entry(s, who, inc, kind, f"footage held: {', '.join(ids)}", reason, details)
        self._audit(s, who, f"incident.{kind}", inc, reason, details)
        reindex(s, inc)
        return spans

    def release_hold(
        self, s: Session, who: Principal, ref: str, hold_id: str, reason: str
    ) -> list[IncidentCamera]:
        """A supervisor releases a hold placed for this incident; footage may then age out."""
        who.require(Right.HOLDS_RELEASE)
        if not reason.strip():
            raise ValidationError("give a reason for releasing the footage")
        inc = self.get(s, who, ref)
        spans = [c for c in inc.cameras if c.hold_id == hold_id]
        if not spans:
            raise NotFound(f"incident {ref} has no hold {hold_id}")
        if spans[0].released_us is not None:
            raise Conflict(f"hold {hold_id} was released already")
        self.holds.release(s, who.actor, hold_id, reason.strip())
        now = self.clock.now_us()
        for span in spans:
            span.released_us = now
            span.released_by = who.username
            span.release_reason = reason.strip()
        details = {"hold": hold_id, "cameras": [c.camera_id for c in spans]}
        self._entry(s, who, inc, "release", f"footage hold {hold_id} released", reason, details)
        self._audit(s, who, "incident.hold_release", inc, reason, details)
        return spans

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _may_change(who: Principal, inc: Incident, kind: str, reason: str) -> str:
        if not inc.closed:
            who.require(Right.INCIDENTS_WRITE)
            return kind
        who.require(Right.INCIDENTS_AMEND)
        if not reason.strip():
            raise ValidationError(f"incident {inc.ref} is closed: give a reason for the amendment")
        return "amendment"

    @staticmethod
    def _check(s: Session, values: dict[str, Any]) -> None:
        cat = values.get("category_id")
        if "category_id" in values:
            row = s.get(Category, cat)
            if row is None or not row.active:
                raise ValidationError(f"no incident category {cat!r}")
        area = values.get("area_id")
        if area and s.get(Area, area) is None:
            raise ValidationError(f"no area {area!r}")
        for key in ("latitude", "longitude"):
            v = values.get(key)
            limit = 90 if key == "latitude" else 180
            if v is not None and not -limit <= float(v) <= limit:
                raise ValidationError(f"{key} out of range")

    def _entry(
        self,
        s: Session,
        who: Principal,
        inc: Incident,
        kind: str,
        text: str,
        reason: str = "",
        details: dict[str, Any] | None = None,
        at_us: int | None = None,
    ) -> IncidentEntry:
        now = self.clock.now_us()
        entry = IncidentEntry(
            incident_id=inc.id,
            at_us=now if at_us is None else at_us,
            recorded_us=now,
            author_id=who.user_id or None,
            author_name=who.username,
            kind=kind,
            text=text,
            reason=reason.strip(),
            details=json.dumps(details or {}, default=str),
        )
        s.add(entry)
        inc.entries.append(entry)
        inc.updated_us = now
        s.flush()
        return entry

    def _audit(
        self,
        s: Session,
        who: Principal,
        action: str,
        inc: Incident,
        reason: str,
        details: dict[str, Any],
    ) -> None:
        safe = json.loads(json.dumps(details, default=str))
        record(s, who.actor, action, "incident", inc.ref, reason, safe, clock=self.clock)
