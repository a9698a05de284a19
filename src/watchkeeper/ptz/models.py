"""Tables of PTZ control: what each camera can do, and its named presets."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["PtzCamera", "PtzPreset", "PtzZone"]


class PtzCamera(Base):
    """What Watchkeeper learnt from a camera over ONVIF, and its PTZ settings."""

    __tablename__ = "ptz_camera"
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    profile_token: Mapped[str] = mapped_column(
        String(64), default="", comment="The media profile PTZ commands name"
    )
    capabilities: Mapped[str] = mapped_column(
        Text, default="{}", comment="JSON: spaces, speed ranges, preset count, privacy masks"
    )
    priorities: Mapped[str] = mapped_column(
        Text, default="{}", comment="JSON: role -> control priority, overriding the defaults"
    )
    home_preset: Mapped[str] = mapped_column(
        String(100), default="", comment="Preset to return to when left idle ('' = none)"
    )
    home_after_s: Mapped[int] = mapped_column(
        Integer, default=0, comment="Idle seconds before returning home (0 = never)"
    )
    tour: Mapped[str] = mapped_column(
        Text, default="[]", comment="JSON: [{preset, dwell_s, speed}] visited in order"
    )
    lens: Mapped[str] = mapped_column(
        Text, default="{}", comment="JSON: how the picture maps to PTZ space (ptz.zones.Lens)"
    )
    clock_offset_us: Mapped[int | None] = mapped_column(
        BigInteger, comment="Camera clock minus server clock, from GetSystemDateAndTime"
    )
    clock_checked_us: Mapped[int | None] = mapped_column(BigInteger)
    probed_us: Mapped[int] = micros(comment="When the capabilities were read")


class PtzPreset(Base):
    """A named view of a camera, kept here and written to the camera (its token)."""

    __tablename__ = "ptz_preset"
    __table_args__ = (UniqueConstraint("camera_id", "name", name="uq_ptz_preset_camera_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token: Mapped[str] = mapped_column(String(64), comment="The camera's own preset token")
    pan: Mapped[float] = mapped_column(Float)
    tilt: Mapped[float] = mapped_column(Float)
    zoom: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()


class PtzZone(Base):
    """A privacy zone: a rectangle of the camera's PTZ space (see ptz.zones)."""

    __tablename__ = "ptz_zone"
    __table_args__ = (UniqueConstraint("camera_id", "name", name="uq_ptz_zone_camera_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    u0: Mapped[float] = mapped_column(Float)
    v0: Mapped[float] = mapped_column(Float)
    u1: Mapped[float] = mapped_column(Float)
    v1: Mapped[float] = mapped_column(Float)
    residential: Mapped[bool] = mapped_column(Boolean, default=True)
    lifted_until_us: Mapped[int | None] = mapped_column(
        BigInteger, comment="Lifted by a supervisor until then; applies again after"
    )
    created_by: Mapped[str] = mapped_column(String(64))
    created_us: Mapped[int] = micros()
