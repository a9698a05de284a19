"""The governance services, built together by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from watchkeeper.governance.clients import ClientService
from watchkeeper.governance.partners import DisclosureService
from watchkeeper.governance.people import DocumentService, OperatorRecords
from watchkeeper.governance.reviews import ReviewService
from watchkeeper.timeutil import Clock

__all__ = ["Governance"]


@dataclass
class Governance:
    reviews: ReviewService
    operators: OperatorRecords
    documents: DocumentService
    clients: ClientService
    disclosures: DisclosureService

    @classmethod
    def build(cls, clock: Clock) -> Governance:
        return cls(
            reviews=ReviewService(clock),
            operators=OperatorRecords(clock),
            documents=DocumentService(clock),
            clients=ClientService(clock),
            disclosures=DisclosureService(clock),
        )
