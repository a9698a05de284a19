"""Public shapes of API replies (credentials never included)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from watchkeeper.auth.models import ApiToken, User
from watchkeeper.cameras.fields import flat_values
from watchkeeper.cameras.models import Camera
from watchkeeper.timeutil import format_utc

__all__ = ["AuditPublic", "CameraPublic", "TokenPublic", "UserPublic", "user_public"]


class CameraPublic(BaseModel):
    id: str
    name: str
    kind: str
    site_id: str
    site: str
    area_id: str
    area: str
    owner: str
    location: str
    latitude: float | None
    longitude: float | None
    main_url: str
    sub_url: str
    onvif_url: str
    rtsp_transport: str
    retention_days: int
    retention_justification: str
    purpose: str
    dpia_ref: str
    signage: str
    last_review: date | None
    next_review: date | None
    status: str

    @classmethod
    def of(cls, cam: Camera) -> CameraPublic:
        return cls(
            **flat_values(cam),
            id=cam.id,
            site_id=cam.area.site_id,
            site=cam.area.site.name,
            area_id=cam.area_id,
            area=cam.area.name,
            owner=cam.client.name if cam.client else "council",
        )


class UserPublic(BaseModel):
    username: str
    full_name: str
    role: str
    client_id: str | None
    disabled: bool
    sia_number: str
    sia_expiry: date | None
    sia_status: str
    sia_checked_on: date | None
    licence: str
    licence_message: str
    login_blocked: str
    last_login: str


class TokenPublic(BaseModel):
    """An API token as its owner and administrators see it (never the token itself)."""

    id: int
    username: str
    name: str
    created: str
    expires: str
    revoked: bool

    @classmethod
    def of(cls, row: ApiToken) -> TokenPublic:
        return cls(
            id=row.id,
            username=row.user.username,
            name=row.name,
            created=format_utc(row.created_us),
            expires=format_utc(row.expires_us) if row.expires_us else "",
            revoked=row.revoked,
        )


class AuditPublic(BaseModel):
    seq: int
    at: str
    username: str
    action: str
    object_type: str
    object_id: str
    reason: str
    details: str


def user_public(user: User, licence_level: str, licence_message: str, blocked: str) -> UserPublic:
    return UserPublic(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        client_id=user.client_id,
        disabled=user.disabled,
        sia_number=user.sia_number,
        sia_expiry=user.sia_expiry,
        sia_status=user.sia_status,
        sia_checked_on=user.sia_checked_on,
        licence=licence_level,
        licence_message=licence_message,
        login_blocked=blocked,
        last_login=format_utc(user.last_login_us),
    )
