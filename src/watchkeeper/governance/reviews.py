"""Annual camera reviews, the DPIA register and the signage register.

A review is due on the camera's ``next_review`` date; a camera in service that was never
given one is due at once (it has never been reviewed). Completing a review writes the
review row, moves the camera's ``last_review``/``next_review`` on by a year (none after a
decision to decommission: the register's own status change then takes the camera out of
service), and audits it. The incidents a camera contributed to are counted from the
occurrence log, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import Area, Camera, CameraStatus
from watchkeeper.errors import NotFound, ValidationError
from watchkeeper.governance.models import CameraReview, Decision, Dpia, Sign
from watchkeeper.records.incident_models import IncidentCamera
from watchkeeper.timeutil import Clock, to_local

__all__ = [
    "DpiaIn",
    "ReviewIn",
    "ReviewService",
    "SignIn",
    "add_year",
    "never_reviewed",
    "reviews_due",
]

PHOTO_LIMIT = 5 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def add_year(d: date) -> date:
    """The same day a year on (28 February after a 29 February)."""
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d.replace(year=d.year + 1, day=28)


@dataclass
class ReviewIn:
    still_justified: bool
    justification: str
    decision: str
    signage_checked: bool
    complaints: str = ""
    maintenance: str = ""


@dataclass
class DpiaIn:
    ref: str
    title: str
    approved_on: date
    approved_by: str
    next_review: date
    summary: str = ""


@dataclass
class SignIn:
    area_id: str
    location: str
    cameras: str = ""
    wording: str = ""
    last_inspected: date | None = None
    next_inspection: date | None = None
    condition: str = ""


def reviews_due(s: Session, today: date, within_days: int = 30) -> list[Camera]:
    """Cameras in service whose review is overdue, due within ``within_days``, or never set."""
    q = (
        select(Camera)
        .where(
            Camera.status.in_([CameraStatus.ACTIVE, CameraStatus.SUSPENDED]),
            or_(
                Camera.next_review.is_(None),
                Camera.next_review <= today + timedelta(days=within_days),
            ),
        )
        .order_by(Camera.next_review.is_not(None), Camera.next_review, Camera.id)
    )
    return list(s.scalars(q))


def never_reviewed(s: Session) -> list[Camera]:
    """Cameras in service with no review date at all: due at once."""
    q = select(Camera).where(
        Camera.status.in_([CameraStatus.ACTIVE, CameraStatus.SUSPENDED]),
        Camera.next_review.is_(None),
    )
    return list(s.scalars(q.order_by(Camera.id)))


class ReviewService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def today(self) -> date:
        return to_local(self.clock.now_us()).date()

    def due(self, s: Session, who: Principal, within_days: int = 30) -> list[Camera]:
        who.require(Right.GOVERNANCE_VIEW)
        return reviews_due(s, self.today(), within_days)

    def history(self, s: Session, who: Principal, camera_id: str) -> list[CameraReview]:
        who.require(Right.GOVERNANCE_VIEW)
        q = select(CameraReview).where(CameraReview.camera_id == camera_id)
        return list(s.scalars(q.order_by(CameraReview.reviewed_on.desc(), CameraReview.id.desc())))

    def all(self, s: Session, who: Principal) -> list[CameraReview]:
        who.require(Right.GOVERNANCE_VIEW)
        q = select(CameraReview).order_by(CameraReview.reviewed_on.desc(), CameraReview.id.desc())
        return list(s.scalars(q))

    def camera(self, s: Session, who: Principal, camera_id: str) -> Camera:
        who.require(Right.GOVERNANCE_VIEW)
        cam = s.get(Camera, camera_id)
        if cam is None:
            raise NotFound(f"no camera {camera_id!r}")
        return cam

    def incidents_in_year(self, s: Session, camera_id: str) -> int:
        """Incidents this camera's footage was marked on in the 365 days to now."""
        since = self.clock.now_us() - 365 * 86_400 * 10**6
        q = select(func.count(func.distinct(IncidentCamera.incident_id))).where(
            IncidentCamera.camera_id == camera_id, IncidentCamera.added_us >= since
        )
        return int(s.scalar(q) or 0)

    def complete(self, s: Session, who: Principal, camera_id: str, data: ReviewIn) -> CameraReview:
        who.require(Right.GOVERNANCE_MANAGE)
        cam = self.camera(s, who, camera_id)
        if cam.status == CameraStatus.DECOMMISSIONED:
            raise ValidationError(f"{camera_id} is decommissioned: there is nothing to review")
        try:
            decision = Decision(data.decision)
        except ValueError:
            raise ValidationError("choose retain, relocate or decommission") from None
        if not data.justification.strip():
            raise ValidationError("say why the camera is (or is no longer) justified")
        if decision is Decision.RETAIN and not data.still_justified:
            raise ValidationError("a camera no longer justified cannot be retained as it is")
        today = self.today()
        nxt = None if decision is Decision.DECOMMISSION else add_year(today)
        review = CameraReview(
            camera_id=cam.id,
            reviewed_on=today,
            reviewer=who.username,
            purpose=cam.purpose,
            still_justified=data.still_justified,
            justification=data.justification.strip(),
            incidents=self.incidents_in_year(s, cam.id),
            complaints=data.complaints.strip(),
            maintenance=data.maintenance.strip(),
            signage_checked=data.signage_checked,
            decision=decision.value,
            next_review=nxt,
            recorded_us=self.clock.now_us(),
        )
        s.add(review)
        cam.last_review, cam.next_review = today, nxt
        cam.updated_us = self.clock.now_us()
        s.flush()
        details = {"decision": decision.value, "next_review": str(nxt or ""),
                   "incidents": str(review.incidents)}  # fmt: skip
        record(s, who.actor, "camera.review", "camera", cam.id, review.justification, details,
               clock=self.clock)  # fmt: skip
        return review

    # DPIA register -------------------------------------------------------------------

    def dpias(self, s: Session, who: Principal) -> list[tuple[Dpia, list[str]]]:
        """Every DPIA with the cameras whose register entry names it."""
        who.require(Right.GOVERNANCE_VIEW)
        covered: dict[str, list[str]] = {}
        for cam_id, ref in s.execute(select(Camera.id, Camera.dpia_ref).order_by(Camera.id)):
            covered.setdefault(ref, []).append(cam_id)
        rows = s.scalars(select(Dpia).order_by(Dpia.next_review, Dpia.ref))
        return [(d, covered.get(d.ref, [])) for d in rows]

    def unregistered_dpia_refs(self, s: Session, who: Principal) -> list[str]:
        """DPIA references cameras name that the register does not hold."""
        who.require(Right.GOVERNANCE_VIEW)
        known = set(s.scalars(select(Dpia.ref)))
        named = s.scalars(select(Camera.dpia_ref).where(Camera.dpia_ref != "").distinct())
        return sorted(set(named) - known)

    def save_dpia(self, s: Session, who: Principal, data: DpiaIn) -> Dpia:
        who.require(Right.GOVERNANCE_MANAGE)
        if not data.ref.strip() or not data.title.strip() or not data.approved_by.strip():
            raise ValidationError("a DPIA needs its reference, title and who approved it")
        if data.next_review <= data.approved_on:
            raise ValidationError("the next review must come after the approval")
        dpia = s.scalar(select(Dpia).where(Dpia.ref == data.ref.strip()))
        if dpia is None:
            dpia = Dpia(ref=data.ref.strip())
            s.add(dpia)
        dpia.title, dpia.approved_on = data.title.strip(), data.approved_on
        dpia.approved_by, dpia.next_review = data.approved_by.strip(), data.next_review
        dpia.summary, dpia.updated_us = data.summary.strip(), self.clock.now_us()
        s.flush()
        details = {"next_review": str(data.next_review)}
        record(s, who.actor, "dpia.save", "dpia", dpia.ref, "", details, clock=self.clock)
        return dpia

    # Signage register ----------------------------------------------------------------

    def signs(self, s: Session, who: Principal) -> list[Sign]:
        who.require(Right.GOVERNANCE_VIEW)
        return list(s.scalars(select(Sign).order_by(Sign.next_inspection, Sign.id)))

    def sign(self, s: Session, who: Principal, sign_id: int) -> Sign:
        who.require(Right.GOVERNANCE_VIEW)
        sign = s.get(Sign, sign_id)
        if sign is None:
            raise NotFound(f"no sign {sign_id}")
        return sign

    def save_sign(
        self,
        s: Session,
        who: Principal,
        data: SignIn,
        photo: bytes | None = None,
        photo_type: str = "",
        sign_id: int | None = None,
    ) -> Sign:
        who.require(Right.GOVERNANCE_MANAGE)
        if not data.location.strip():
            raise ValidationError("say where the sign is")
        if s.get(Area, data.area_id) is None:
            raise ValidationError(f"no area {data.area_id!r}")
        if photo is not None:
            if photo_type not in PHOTO_TYPES:
                raise ValidationError("a photo must be JPEG, PNG or WebP")
            if len(photo) > PHOTO_LIMIT:
                raise ValidationError("a photo may be at most 5 MB")
        cams = [c.strip() for c in data.cameras.split(",") if c.strip()]
        known = set(s.scalars(select(Camera.id).where(Camera.id.in_(cams))))
        if unknown := [c for c in cams if c not in known]:
            raise ValidationError(f"no camera {', '.join(unknown)}")
        if (
            data.last_inspected
            and data.next_inspection
            and (data.next_inspection <= data.last_inspected)
        ):
            raise ValidationError("the next inspection must come after the last")
        sign = self.sign(s, who, sign_id) if sign_id is not None else Sign()
        if sign_id is None:
            s.add(sign)
        sign.area_id, sign.location = data.area_id, data.location.strip()
        sign.cameras, sign.wording = ",".join(cams), data.wording.strip()
        sign.last_inspected, sign.next_inspection = data.last_inspected, data.next_inspection
        sign.condition, sign.updated_us = data.condition.strip(), self.clock.now_us()
        if photo is not None:
            sign.photo, sign.photo_type = photo, photo_type
        s.flush()
        record(s, who.actor, "signage.save", "signage", str(sign.id), "",
               {"location": sign.location, "photo": str(photo is not None)},
               clock=self.clock)  # fmt: skip
        return sign

    def inspect_sign(
        self,
        s: Session,
        who: Principal,
        sign_id: int,
        inspected: date,
        next_inspection: date | None,
        condition: str,
        photo: bytes | None = None,
        photo_type: str = "",
    ) -> Sign:
        """Record an inspection of a sign (a new photo replaces the old one)."""
        sign = self.sign(s, who, sign_id)
        data = SignIn(sign.area_id, sign.location, sign.cameras, sign.wording, inspected,
                      next_inspection, condition or sign.condition)  # fmt: skip
        return self.save_sign(s, who, data, photo, photo_type, sign_id=sign_id)
