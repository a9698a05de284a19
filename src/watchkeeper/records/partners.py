"""Shopwatch and Pubwatch member venues, each under an information sharing agreement.

A member's ``ref`` is what a partner-member user account carries
(``Principal.partner_member_ref``); the radio log uses it to tie calls to venues.
No images or offender data live here: only the venue and its agreement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.records.log_models import PartnerMember
from watchkeeper.records.vocab import Scheme, enum_value
from watchkeeper.timeutil import Clock

__all__ = ["MemberSpec", "PartnerService"]


@dataclass
class MemberSpec:
    ref: str
    name: str
    scheme: Scheme
    isa_ref: str
    isa_date: date
    address: str = ""
    contact: str = ""
    handset_ids: str = ""
    active: bool = True


class PartnerService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def list(self, s: Session, who: Principal, scheme: str | None = None) -> list[PartnerMember]:
        who.require(Right.PARTNERS_VIEW)
        q = select(PartnerMember).order_by(PartnerMember.scheme, PartnerMember.name)
        if scheme:
            q = q.where(PartnerMember.scheme == enum_value(Scheme, scheme, "scheme"))
        return list(s.scalars(q))

    def get(self, s: Session, who: Principal, ref: str) -> PartnerMember:
        who.require(Right.PARTNERS_VIEW)
        member = s.scalar(select(PartnerMember).where(PartnerMember.ref == ref))
        if member is None:
            raise NotFound(f"no scheme member {ref!r}")
        return member

    def save(self, s: Session, who: Principal, spec: MemberSpec, reason: str = "") -> PartnerMember:
        """Create the member, or change it when ``spec.ref`` exists."""
        who.require(Right.PARTNERS_MANAGE)
        if not spec.ref.strip() or not spec.name.strip():
            raise ValidationError("a scheme member needs a reference and a name")
        if not spec.isa_ref.strip():
            raise ValidationError("a scheme member needs its information sharing agreement")
        values = asdict(spec)
        values["scheme"] = Scheme(spec.scheme).value
        member = s.scalar(select(PartnerMember).where(PartnerMember.ref == spec.ref))
        action = "partner.update"
        if member is None:
            member = PartnerMember(**values, updated_us=self.clock.now_us())
            s.add(member)
            action = "partner.create"
        else:
            for k, v in values.items():
                setattr(member, k, v)
            member.updated_us = self.clock.now_us()
        s.flush()
        details = {k: str(v) for k, v in values.items()}
        record(s, who.actor, action, "partner_member", spec.ref, reason, details, clock=self.clock)
        return member
