"""The radio log: quick entries from Airwave, Shopwatch, Pubwatch and the phone.

Control-room staff see every entry. A partner member (a shop or pub on a scheme
handset) holds only ``RADIO_WRITE`` and sees only the entries it made itself, never
other members' calls. An entry can be linked to an incident or become a new one in
one step, which copies the message into the incident's timeline.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.errors import Conflict, Forbidden, NotFound, ValidationError
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.incidents import IncidentDraft, IncidentService
from watchkeeper.records.log_models import PartnerMember, RadioEntry
from watchkeeper.records.vocab import Channel, Source
from watchkeeper.timeutil import Clock, check_us

__all__ = ["RadioService"]

MAX_MESSAGE = 2000


class RadioService:
    def __init__(self, clock: Clock, incidents: IncidentService) -> None:
        self.clock = clock
        self.incidents = incidents

    def visible(self, who: Principal) -> Select[RadioEntry]:
        """Every entry for control-room staff; a partner member's own entries only."""
        q = select(RadioEntry)
        if who.can(Right.RADIO_VIEW_ALL):
            return q
        who.require(Right.RADIO_WRITE)
        return q.where(RadioEntry.author_id == who.user_id)

    def list(
        self, s: Session, who: Principal, before_id: int | None = None, limit: int = 100
    ) -> list[RadioEntry]:
        q = self.visible(who)
        if before_id is not None:
            q = q.where(RadioEntry.id < before_id)
        q = q.order_by(RadioEntry.at_us.desc(), RadioEntry.id.desc()).limit(min(limit, 500))
        return list(s.scalars(q))

    def get(self, s: Session, who: Principal, entry_id: int) -> RadioEntry:
        entry = s.scalar(self.visible(who).where(RadioEntry.id == entry_id))
        if entry is None:
            raise NotFound(f"no radio entry {entry_id}")
        return entry

    def add(
        self,
        s: Session,
        who: Principal,
        channel: Channel | str,
        caller: str,
        message: str,
        at_us: int | None = None,
        incident_ref: str | None = None,
    ) -> RadioEntry:
        who.require(Right.RADIO_WRITE)
        channel = Channel(channel)
        message = message.strip()
        if not message or len(message) > MAX_MESSAGE:
            raise ValidationError(f"a radio message needs 1 to {MAX_MESSAGE} characters")
        member = self._member_of(s, who)
        if member is not None:
            if channel.value != member.scheme:
                raise Forbidden(f"{member.name} logs calls on the {member.scheme} channel only")
            caller = caller.strip() or member.name
        if not caller.strip():
            raise ValidationError("say who called (call-sign, handset or member)")
        now = self.clock.now_us()
        entry = RadioEntry(
            at_us=now if at_us is None else check_us(at_us, "the time of the call"),
            channel=channel.value,
            caller=caller.strip()[:100],
            message=message,
            member_id=member.id if member else None,
            author_id=who.user_id or None,
            author_name=who.username,
            recorded_us=now,
        )
        s.add(entry)
        s.flush()
        if incident_ref:
            self._link(s, who, entry, incident_ref)
        record(
            s,
            who.actor,
            "radio.add",
            "radio_entry",
            str(entry.id),
            "",
            {"channel": channel.value, "incident": incident_ref},
            clock=self.clock,
        )
        return entry

    def link(self, s: Session, who: Principal, entry_id: int, incident_ref: str) -> RadioEntry:
        entry = self.get(s, who, entry_id)
        self._link(s, who, entry, incident_ref)
        record(
            s,
            who.actor,
            "radio.link",
            "radio_entry",
            str(entry.id),
            "",
            {"incident": incident_ref},
            clock=self.clock,
        )
        return entry

    def to_incident(
        self,
        s: Session,
        who: Principal,
        entry_id: int,
        category_id: str,
        source: Source | None = None,
        area_id: str | None = None,
        location: str = "",
    ) -> Incident:
        """Open a new incident from a radio entry, its message the first line."""
        who.require(Right.INCIDENTS_WRITE)
        entry = self.get(s, who, entry_id)
        if entry.incident_id is not None:
            raise Conflict(f"radio entry {entry_id} belongs to an incident already")
        draft = IncidentDraft(
            category_id=category_id,
            source=source or Channel(entry.channel).source,
            summary=entry.message,
            area_id=area_id,
            location=location,
            opened_us=entry.at_us,
        )
        inc = self.incidents.create(s, who, draft)
        self._link(s, who, entry, inc.ref)
        record(
            s,
            who.actor,
            "radio.to_incident",
            "radio_entry",
            str(entry.id),
            "",
            {"incident": inc.ref},
            clock=self.clock,
        )
        return inc

    def _link(self, s: Session, who: Principal, entry: RadioEntry, ref: str) -> None:
        who.require(Right.INCIDENTS_WRITE)
        if entry.incident_id is not None:
            raise Conflict(f"radio entry {entry.id} belongs to an incident already")
        inc = self.incidents.get(s, who, ref)
        entry.incident_id = inc.id
        self.incidents.add_action(
            s,
            who,
            ref,
            f"radio ({entry.channel}) from {entry.caller}: {entry.message}",
            why=f"radio log entry {entry.id}" if not inc.closed else "late radio entry",
            at_us=entry.at_us,
        )

    @staticmethod
    def _member_of(s: Session, who: Principal) -> PartnerMember | None:
        if who.role is not Role.PARTNER_MEMBER:
            return None
        member = s.scalar(select(PartnerMember).where(PartnerMember.ref == who.partner_member_ref))
        if member is None or not member.active:
            raise Forbidden("this account is not linked to an active scheme member")
        return member
