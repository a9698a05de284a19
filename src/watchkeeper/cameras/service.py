"""The camera register's rules: who sees what, what may change, and the audit of it.

Every change is audited in its own transaction with the old and new values (URLs
redacted). A camera cannot become active without a purpose and a DPIA reference,
and a client viewer sees its own client's cameras only, here and everywhere that
asks this service for cameras.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session, joinedload

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import POLICE_ROLES, Right
from watchkeeper.cameras.fields import AUDITED_FIELDS, URL_FIELDS, spec_values
from watchkeeper.cameras.models import Area, Camera, CameraStatus, Client, Site
from watchkeeper.cameras.redact import merge_credentials, redact_url
from watchkeeper.cameras.schemas import CameraSpec, SiteFile
from watchkeeper.errors import ImportRejected, NotFound, ValidationError
from watchkeeper.police.visibility import shared_camera_ids
from watchkeeper.timeutil import Clock

__all__ = ["ApplyResult", "CameraService"]


def _shown(field: str, value: object) -> object:
    if field in URL_FIELDS:
        return redact_url(str(value or ""))
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class CameraService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    # --- reading ----------------------------------------------------------------------

    def visible(self, who: Principal) -> Select[Camera]:
        """The cameras ``who`` may see, as a query others can narrow further.

        A police account sees only the cameras shared with the police link now, and only
        if it may watch live (docs/design/police-link.md): every video route asks here.
        """
        if who.role in POLICE_ROLES:
            if not who.can(Right.VIDEO_LIVE):
                return select(Camera).where(false())
            return select(Camera).where(Camera.id.in_(shared_camera_ids(self.clock.now_us())))
        who.require(Right.CAMERAS_VIEW)
        q = select(Camera)
        if who.is_client_viewer:
            q = q.where(Camera.client_id == who.client_id)
        return q

    def list(self, s: Session, who: Principal) -> list[Camera]:
        q = self.visible(who).options(
            joinedload(Camera.area).joinedload(Area.site), joinedload(Camera.client)
        )
        return list(s.scalars(q.order_by(Camera.id)).unique())

    def get(self, s: Session, who: Principal, camera_id: str) -> Camera:
        cam = s.scalar(self.visible(who).where(Camera.id == camera_id))
        if cam is None:
            raise NotFound(f"no camera {camera_id!r}")
        return cam

    # --- changing ---------------------------------------------------------------------

    def set_status(
        self, s: Session, who: Principal, camera_id: str, status: CameraStatus, reason: str
    ) -> Camera:
        who.require(Right.CAMERAS_MANAGE)
        cam = self.get(s, who, camera_id)
        if status is CameraStatus.ACTIVE and not (cam.purpose.strip() and cam.dpia_ref.strip()):
            raise ValidationError(
                f"camera {camera_id} cannot be made active without a purpose and a DPIA reference"
            )
        if not reason.strip():
            raise ValidationError("give a reason for the change of status")
        old = cam.status
        cam.status = status
        cam.updated_us = self.clock.now_us()
        record(
            s,
            who.actor,
            "camera.status",
            "camera",
            camera_id,
            reason,
            {"from": str(old), "to": str(status)},
            clock=self.clock,
        )
        return cam

    def apply(
        self,
        s: Session,
        specs: Iterable[tuple[str, str, CameraSpec]],
        actor: Actor,
        reason: str,
        sites: SiteFile | None = None,
        names: dict[str, tuple[str, str]] | None = None,
    ) -> ApplyResult:
        """Create or update cameras (by id) in the caller's transaction, auditing each change.

        ``specs`` yields (site id, area id, camera). Sites, areas and clients named in
        ``sites`` are created or renamed; areas named only in ``names`` (area id ->
        (site id, area name)) are created when missing. Raises :class:`ImportRejected`
        listing every camera that breaks a rule the database would refuse.
        """
        result = ApplyResult()
        if sites is not None:
            self._apply_places(s, sites)
        known_clients = set(s.scalars(select(Client.id)))
        problems: list[str] = []
        for site_id, area_id, spec in specs:
            area = s.get(Area, area_id)
            if area is None:
                site_name, area_name = (names or {}).get(area_id, (site_id, area_id))
                if s.get(Site, site_id) is None:
                    s.add(Site(id=site_id, name=site_name or site_id, description=""))
                    s.flush()
                area = Area(id=area_id, site_id=site_id, name=area_name or area_id)
                s.add(area)
                s.flush()
            elif area.site_id != site_id:
                problems.append(
                    f"camera {spec.id}: area {area_id} belongs to site {area.site_id},"
                    f" not {site_id}"
                )
                continue
            client_id = None if spec.owner == "council" else spec.owner
            if client_id is not None and client_id not in known_clients:
                problems.append(f"camera {spec.id}: owner {spec.owner!r} is not a known client")
                continue
            try:
                self._upsert(s, spec, area_id, client_id, actor, reason, result)
            except ValidationError as exc:
                problems.append(f"camera {spec.id}: {exc}")
        if problems:
            raise ImportRejected(problems)
        return result

    def _apply_places(self, s: Session, sites: SiteFile) -> None:
        for c in sites.clients:
            row = s.get(Client, c.id)
            if row is None:
                s.add(Client(id=c.id, name=c.name, contact=c.contact))
            else:
                row.name, row.contact = c.name, c.contact
        for site in sites.sites:
            srow = s.get(Site, site.id)
            if srow is None:
                s.add(Site(id=site.id, name=site.name, description=site.description))
            else:
                srow.name, srow.description = site.name, site.description
            s.flush()
            for area in site.areas:
                arow = s.get(Area, area.id)
                if arow is None:
                    s.add(Area(id=area.id, site_id=site.id, name=area.name))
                else:
                    arow.name = area.name
        s.flush()

    def _upsert(
        self,
        s: Session,
        spec: CameraSpec,
        area_id: str,
        client_id: str | None,
        actor: Actor,
        reason: str,
        result: ApplyResult,
    ) -> None:
        cam = s.get(Camera, spec.id)
        created = cam is None
        urls = {}
        for name in URL_FIELDS:
            try:
                urls[name] = merge_credentials(getattr(spec, name), getattr(cam, name, "") or "")
            except ValueError as exc:
                raise ValidationError(f"{name}: {exc}") from None
        if cam is None:
            cam = Camera(id=spec.id)
            s.add(cam)
        values = {**spec_values(spec), **urls, "area_id": area_id, "client_id": client_id}
        changes = {}
        for field in AUDITED_FIELDS:
            old = None if created else getattr(cam, field)
            new = values[field]
            if created or old != new:
                changes[field] = {"from": _shown(field, old), "to": _shown(field, new)}
                setattr(cam, field, new)
        if not changes:
            result.unchanged += 1
            return
        cam.updated_us = self.clock.now_us()
        s.flush()
        if created:
            result.created += 1
            record(
                s,
                actor,
                "camera.create",
                "camera",
                spec.id,
                reason,
                {k: v["to"] for k, v in changes.items()},
                clock=self.clock,
            )
        else:
            result.updated += 1
            record(s, actor, "camera.update", "camera", spec.id, reason, changes, clock=self.clock)
