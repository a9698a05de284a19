"""Disclosures to Shopwatch and Pubwatch members, each under the member's agreement.

A disclosure is refused unless it names the information sharing agreement the member is
registered under (the reference must match the register, the member must be active),
says what was shared and why. Nothing pictures a person: people are referenced by the
scheme's own system ids (e.g. its DISC ids); there is no offender gallery here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.governance.models import PartnerDisclosure
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.log_models import PartnerMember, RadioEntry
from watchkeeper.timeutil import Clock

__all__ = ["DisclosureIn", "DisclosureService", "member_radio"]


@dataclass
class DisclosureIn:
    member_ref: str
    isa_ref: str
    shared: str
    reason: str
    incident_ref: str = ""
    scheme_ids: str = ""


class DisclosureService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def list(
        self, s: Session, who: Principal, member_id: int | None = None
    ) -> list[tuple[PartnerDisclosure, PartnerMember]]:
        who.require(Right.PARTNERS_VIEW)
        q = select(PartnerDisclosure, PartnerMember).join(
            PartnerMember, PartnerMember.id == PartnerDisclosure.member_id
        )
        if member_id is not None:
            q = q.where(PartnerDisclosure.member_id == member_id)
        return [(d, m) for d, m in s.execute(q.order_by(PartnerDisclosure.at_us.desc()))]

    def disclose(self, s: Session, who: Principal, data: DisclosureIn) -> PartnerDisclosure:
        who.require(Right.PARTNERS_MANAGE)
        member = s.scalar(select(PartnerMember).where(PartnerMember.ref == data.member_ref))
        if member is None:
            raise NotFound(f"no scheme member {data.member_ref!r}")
        isa = data.isa_ref.strip()
        if not isa:
            raise ValidationError(
                "name the information sharing agreement the disclosure is made under"
            )
        if not member.active:
            raise ValidationError(f"{member.name} is not an active member: nothing may be shared")
        if isa != member.isa_ref:
            raise ValidationError(
                f"{member.name} is registered under agreement {member.isa_ref!r}, not {isa!r}"
            )
        if not data.shared.strip() or not data.reason.strip():
            raise ValidationError("say what was shared and why")
        ref = data.incident_ref.strip()
        if ref and s.scalar(select(Incident.id).where(Incident.ref == ref)) is None:
            raise ValidationError(f"no incident {ref!r}")
        row = PartnerDisclosure(
            member_id=member.id,
            isa_ref=isa,
            incident_ref=ref,
            scheme_ids=data.scheme_ids.strip(),
            shared=data.shared.strip(),
            reason=data.reason.strip(),
            disclosed_by=who.username,
            at_us=self.clock.now_us(),
        )
        s.add(row)
        s.flush()
        details = {"isa_ref": isa, "incident": ref, "shared": row.shared}
        record(s, who.actor, "partner.disclose", "partner_member", member.ref, row.reason, details,
               clock=self.clock)  # fmt: skip
        return row


def member_radio(s: Session, who: Principal, member_id: int, limit: int = 200) -> list[RadioEntry]:
    """A member's calls on the radio log, for control-room staff."""
    who.require(Right.RADIO_VIEW_ALL)
    q = select(RadioEntry).where(RadioEntry.member_id == member_id)
    return list(s.scalars(q.order_by(RadioEntry.at_us.desc()).limit(limit)))
