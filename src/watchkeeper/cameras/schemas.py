"""Typed shapes of the camera register, shared by the site file, imports and the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from watchkeeper.cameras.models import CameraKind, CameraStatus, RtspTransport
from watchkeeper.recording.config import RecorderConfig

__all__ = ["ID_PATTERN", "AreaSpec", "CameraSpec", "ClientSpec", "Location", "SiteFile", "SiteSpec"]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
"""The one rule for register ids (cameras, sites, areas, clients): safe in a file path."""
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
Url = Annotated[str, Field(max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Location(Strict):
    description: str = Field("", max_length=500, description="Where the camera is and what it sees")
    latitude: float | None = Field(None, ge=-90, le=90, description="WGS84 latitude")
    longitude: float | None = Field(None, ge=-180, le=180, description="WGS84 longitude")


class CameraSpec(Strict):
    """One camera as written in a site file, a CSV row or an API request."""

    id: Ident = Field(description="Register id, e.g. TC-001")
    name: str = Field(min_length=1, max_length=200, description="Name shown to operators")
    kind: CameraKind = Field(description="ptz or fixed")
    owner: str = Field(
        "council",
        min_length=1,
        max_length=64,
        description="'council' or the id of a commercial client",
    )
    location: Location = Field(default_factory=Location, description="Position and view")
    main_url: Url = Field("", description="Main stream RTSP URL (credentials allowed, never shown)")
    sub_url: Url = Field("", description="Sub-stream RTSP URL, if the camera has one")
    onvif_url: Url = Field("", description="ONVIF device service address")
    rtsp_transport: RtspTransport = Field(
        RtspTransport.TCP,
        description="tcp, udp, or auto (TCP, then UDP if the camera refuses TCP)",
    )
    retention_days: int = Field(31, ge=1, le=3660, description="Days footage is kept unless held")
    retention_justification: str = Field(
        "", max_length=1000, description="Why this retention period is needed"
    )
    purpose: str = Field("", max_length=1000, description="The pressing need the camera serves")
    dpia_ref: str = Field("", max_length=100, description="Reference of its DPIA")
    signage: str = Field("", max_length=1000, description="Signs that tell the public")
    last_review: date | None = Field(None, description="Date of the last annual review")
    next_review: date | None = Field(None, description="Date the next review is due")
    status: CameraStatus = Field(
        CameraStatus.PLANNED, description="planned, active, suspended or decommissioned"
    )

    @field_validator("main_url", "sub_url")
    @classmethod
    def _rtsp(cls, value: str) -> str:
        if value and not value.startswith(("rtsp://", "rtsps://")):
            raise ValueError("must be an rtsp:// or rtsps:// URL")
        return value

    @field_validator("onvif_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _active_needs_dpia(self) -> CameraSpec:
        if self.status is CameraStatus.ACTIVE and not (self.purpose and self.dpia_ref):
            raise ValueError("an active camera needs a purpose and a DPIA reference")
        if self.last_review and self.next_review and self.next_review < self.last_review:
            raise ValueError("next_review is before last_review")
        return self


class AreaSpec(Strict):
    id: Ident = Field(description="Area id, unique in the register")
    name: str = Field(min_length=1, max_length=200, description="Street or zone name")
    cameras: list[CameraSpec] = Field(default_factory=list, description="Cameras in this area")


class SiteSpec(Strict):
    id: Ident = Field(description="Site id, unique in the register")
    name: str = Field(min_length=1, max_length=200, description="District or centre name")
    description: str = Field("", max_length=1000, description="What the site covers")
    areas: list[AreaSpec] = Field(default_factory=list, description="Areas of this site")


class ClientSpec(Strict):
    id: Ident = Field(description="Client id, used as a camera's owner")
    name: str = Field(min_length=1, max_length=200, description="Client's legal name")
    contact: str = Field("", max_length=1000, description="Contact for the client (controller)")


class SiteFile(Strict):
    """A whole register: clients, then sites with areas and cameras."""

    version: Literal[1] = Field(1, description="Format version of this file")
    clients: list[ClientSpec] = Field(default_factory=list, description="Commercial clients")
    sites: list[SiteSpec] = Field(default_factory=list, description="Sites of the service")
    recorder: RecorderConfig | None = Field(
        None,
        description="Recorder settings of this site (segment length, back-off, disk "
        "thresholds...); a WATCHKEEPER_RECORDER__* variable overrides its field",
    )

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Cross-references a field validator cannot see: duplicate ids, unknown owners.

        Each problem comes with its location in the file, as pydantic gives them.
        """
        clients = {c.id for c in self.clients}
        found: list[tuple[tuple[str | int, ...], str]] = []
        seen: set[str] = set()
        areas: set[str] = set()
        for si, site in enumerate(self.sites):
            for ai, area in enumerate(site.areas):
                where: tuple[str | int, ...] = ("sites", si, "areas", ai)
                if area.id in areas:
                    found.append(((*where, "id"), f"area id {area.id!r} is used twice"))
                areas.add(area.id)
                for ci, cam in enumerate(area.cameras):
                    at = (*where, "cameras", ci)
                    if cam.id in seen:
                        found.append(((*at, "id"), f"camera id {cam.id!r} is used twice"))
                    seen.add(cam.id)
                    if cam.owner != "council" and cam.owner not in clients:
                        found.append(((*at, "owner"), f"owner {cam.owner!r} is not a client"))
        return found

    def cameras(self) -> list[tuple[str, str, CameraSpec]]:
        """(site id, area id, camera) for every camera in file order."""
        return [(s.id, a.id, c) for s in self.sites for a in s.areas for c in a.cameras]
