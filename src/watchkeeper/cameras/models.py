"""Tables of the camera register."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watchkeeper.db.base import Base, micros

__all__ = ["Area", "Camera", "CameraKind", "CameraStatus", "Client", "Site"]


class CameraKind(enum.StrEnum):
    PTZ = "ptz"
    FIXED = "fixed"


class CameraStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DECOMMISSIONED = "decommissioned"


class RtspTransport(enum.StrEnum):
    """How RTP reaches the recorder: interleaved in the RTSP connection, or over UDP.

    ``auto`` tries TCP first and falls back to UDP when the camera refuses TCP (RTSP 461,
    "Unsupported transport"), as some cameras' servers offer only RTP over UDP.
    """

    TCP = "tcp"
    UDP = "udp"
    AUTO = "auto"


class Site(Base):
    """A district or centre: town centre, an outlying district, a shopping centre."""

    __tablename__ = "site"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    areas: Mapped[list[Area]] = relationship(back_populates="site", order_by="Area.name")


class Area(Base):
    """A street or zone within a site."""

    __tablename__ = "area"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    site: Mapped[Site] = relationship(back_populates="areas")
    cameras: Mapped[list[Camera]] = relationship(back_populates="area", order_by="Camera.id")


class Client(Base):
    """A commercial client whose cameras the centre monitors (the client is the controller)."""

    __tablename__ = "client"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(Text, default="")


class Camera(Base):
    """One camera: its streams, and the privacy record the Surveillance Camera Code asks for."""

    __tablename__ = "camera"
    __table_args__ = (
        CheckConstraint("retention_days BETWEEN 1 AND 3660", name="retention_bounds"),
        CheckConstraint(
            "status != 'active' OR (purpose != '' AND dpia_ref != '')", name="active_needs_dpia"
        ),
    )
    id: Mapped[str] = mapped_column(
        String(64), primary_key=True, comment="Register id, e.g. TC-001"
    )
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[str] = mapped_column(ForeignKey("area.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(
        ForeignKey("client.id"), index=True, comment="NULL: the council owns it"
    )
    kind: Mapped[CameraKind] = mapped_column(
        Enum(
            CameraKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    location: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    main_url: Mapped[str] = mapped_column(
        Text, default="", comment="May hold credentials: never shown"
    )
    sub_url: Mapped[str] = mapped_column(
        Text, default="", comment="May hold credentials: never shown"
    )
    onvif_url: Mapped[str] = mapped_column(
        Text, default="", comment="May hold credentials: never shown"
    )
    rtsp_transport: Mapped[RtspTransport] = mapped_column(
        Enum(
            RtspTransport,
            native_enum=False,
            length=8,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=RtspTransport.TCP,
        server_default=RtspTransport.TCP.value,
        comment="tcp, udp, or auto (TCP, then UDP if the camera refuses TCP)",
    )
    retention_days: Mapped[int] = mapped_column(Integer, default=31)
    retention_justification: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    dpia_ref: Mapped[str] = mapped_column(String(100), default="")
    signage: Mapped[str] = mapped_column(Text, default="")
    last_review: Mapped[date | None] = mapped_column(Date)
    next_review: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CameraStatus] = mapped_column(
        Enum(
            CameraStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CameraStatus.PLANNED,
        index=True,
    )
    updated_us: Mapped[int] = micros()
    area: Mapped[Area] = relationship(back_populates="cameras")
    client: Mapped[Client | None] = relationship()
