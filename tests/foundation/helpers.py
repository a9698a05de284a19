"""Builders shared by the foundation tests."""

from __future__ import annotations

from datetime import date, timedelta

from watchkeeper.audit.service import Actor
from watchkeeper.auth.roles import LICENSED_ROLES, Role
from watchkeeper.auth.service import UserSpec
from watchkeeper.cameras.schemas import SiteFile
from watchkeeper.system import System

ROOT = Actor.system("test")
PASSWORD = "correct horse battery"

SMALL_REGISTER = {
    "clients": [
        {"id": "acme", "name": "Acme Retail Park Ltd"},
        {"id": "brook", "name": "Brookside Housing"},
    ],
    "sites": [
        {
            "id": "tc",
            "name": "Town Centre",
            "areas": [
                {
                    "id": "tc-high",
                    "name": "High Street",
                    "cameras": [
                        {
                            "id": "TC-001",
                            "name": "High St / Market Pl",
                            "kind": "ptz",
                            "main_url": "rtsp://admin:s3cret@10.0.0.1/main",
                            "purpose": "crime and disorder",
                            "dpia_ref": "DPIA-TC",
                            "status": "active",
                        },
                        {
                            "id": "TC-002",
                            "name": "Bus station",
                            "kind": "fixed",
                            "status": "planned",
                        },
                    ],
                }
            ],
        },
        {
            "id": "rp",
            "name": "Retail Park",
            "areas": [
                {
                    "id": "rp-car",
                    "name": "Car park",
                    "cameras": [
                        {
                            "id": "RP-001",
                            "name": "Car park north",
                            "kind": "fixed",
                            "owner": "acme",
                            "purpose": "vehicle crime",
                            "dpia_ref": "DPIA-RP",
                            "status": "active",
                        }
                    ],
                }
            ],
        },
        {
            "id": "bk",
            "name": "Brookside estate",
            "areas": [
                {
                    "id": "bk-sq",
                    "name": "Square",
                    "cameras": [
                        {"id": "BK-001", "name": "Square", "kind": "ptz", "owner": "brook"}
                    ],
                }
            ],
        },
    ],
}


def load_small_register(system: System) -> None:
    site = SiteFile.model_validate(SMALL_REGISTER)
    with system.db.session() as s:
        system.cameras.apply(s, site.cameras(), ROOT, "test register", sites=site)


def add_user(
    system: System,
    username: str,
    role: Role,
    client_id: str | None = None,
    expiry_days: int = 400,
    sia_status: str = "active",
) -> None:
    today = system.users.today()
    licensed = role in LICENSED_ROLES
    spec = UserSpec(
        username=username,
        role=role.value,
        password=PASSWORD,
        client_id=client_id,
        sia_number="1234-5678-9012-3456" if licensed else "",
        sia_expiry=today + timedelta(days=expiry_days) if licensed else None,
        sia_status=sia_status if licensed else "",
        sia_checked_on=date(2026, 1, 1) if licensed else None,
    )
    with system.db.session() as s:
        system.users.create(s, spec, ROOT)
