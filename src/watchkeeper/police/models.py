"""Tables of the police link: police accounts, camera shares and who watched them."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from watchkeeper.db.base import Base, micros

__all__ = ["CameraShare", "PoliceAccount", "ShareViewer"]


class PoliceAccount(Base):
    """A police user's force and collar number (the user row holds the role)."""

    __tablename__ = "police_account"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    force: Mapped[str] = mapped_column(String(100), comment="The police force the user serves")
    collar_number: Mapped[str] = mapped_column(String(32), comment="Collar (shoulder) number")


class CameraShare(Base):
    """One camera shown live to the police link, for an incident or a CAD reference.

    Active while ``ended_us`` is null, ``expires_us`` is in the future and its incident (if
    any) is open: expiry and an incident's close need no job to take effect.
    """

    __tablename__ = "camera_share"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    cad_ref: Mapped[str] = mapped_column(String(64), default="", comment="Police CAD or log number")
    reason: Mapped[str] = mapped_column(Text)
    ptz: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Police may steer, below the operators' priority"
    )
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    shared_by: Mapped[str] = mapped_column(String(64), comment="User name as it was then")
    shared_us: Mapped[int] = micros()
    expires_us: Mapped[int] = micros(index=True)
    ended_us: Mapped[int | None] = micros(nullable=True)
    ended_by: Mapped[str] = mapped_column(String(64), default="")
    end_reason: Mapped[str] = mapped_column(Text, default="")


class ShareViewer(Base):
    """A police user who watched a share: first and last seen (listed on the incident)."""

    __tablename__ = "share_viewer"
    share_id: Mapped[int] = mapped_column(
        ForeignKey("camera_share.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    force: Mapped[str] = mapped_column(String(100), default="")
    collar_number: Mapped[str] = mapped_column(String(32), default="")
    first_us: Mapped[int] = micros()
    last_us: Mapped[int] = micros()
