"""Sharing cameras with the police link: start, end, who watched, whether the link is up.

A share names a camera the operator can see, an incident or a CAD reference, a reason and a
duration. It is in force until the operator (or a supervisor) ends it, its incident closes
or its time runs out (``police/visibility.py`` decides, in the query); :meth:`sweep` then
writes the end onto the row and the audit log for the last two, which happen by themselves.
Police walls wait on :meth:`ShareService.subscribe` for changes, as the live wall waits on
the recorder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from watchkeeper.audit.service import Actor, record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.cameras.models import CameraKind
from watchkeeper.cameras.service import CameraService
from watchkeeper.errors import Conflict, Forbidden, NotFound, ValidationError
from watchkeeper.police.models import CameraShare, PoliceAccount, ShareViewer
from watchkeeper.police.visibility import active_shares
from watchkeeper.records.incident_models import Incident
from watchkeeper.records.vocab import IncidentStatus
from watchkeeper.timeutil import US_PER_S, Clock, format_utc

__all__ = ["CONNECTED_S", "MAX_MINUTES", "LinkViewer", "ShareService", "ShareSpec"]

MAX_MINUTES = 12 * 60
"""A share lasts at most a shift; the operator shares again if the incident goes on."""
CONNECTED_S = 30
"""A police wall asks at least every 20 s; one silent for longer is shown disconnected."""
SWEEPER = Actor.system("police-link")


@dataclass(frozen=True, slots=True)
class ShareSpec:
    camera_id: str
    reason: str
    incident_ref: str = ""
    cad_ref: str = ""
    minutes: int = 60
    ptz: bool = False
    """Let the police link steer the camera (below every council operator) while shared."""


@dataclass(frozen=True, slots=True)
class LinkViewer:
    """A police wall seen recently: who, and when it last asked."""

    username: str
    force: str
    collar_number: str
    last_us: int
    connected: bool


class ShareService:
    def __init__(self, clock: Clock, cameras: CameraService) -> None:
        self.clock = clock
        self.cameras = cameras
        self._lock = threading.Lock()
        self._listeners: set[Callable[[], None]] = set()
        self._walls: dict[int, tuple[str, str, str, int]] = {}

    # --- changes --------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (from any thread) after a share starts or ends; the undo."""
        with self._lock:
            self._listeners.add(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def _notify_on_commit(self, s: Session) -> None:
        def after_commit(_s: Session) -> None:
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                listener()

        event.listen(s, "after_commit", after_commit, once=True)

    # --- sharing --------------------------------------------------------------------------

    def share(self, s: Session, who: Principal, spec: ShareSpec) -> CameraShare:
        """Share a camera ``who`` can see (404 otherwise) with the police link."""
        who.require(Right.POLICE_SHARE)
        cam = self.cameras.get(s, who, spec.camera_id.strip())
        if spec.ptz:
            if not who.can(Right.PTZ_CONTROL):
                raise Forbidden("only someone who may steer cameras may let the police steer")
            if cam.kind is not CameraKind.PTZ:
                raise ValidationError(f"camera {cam.id} is a fixed camera: nothing to steer")
        reason = spec.reason.strip()
        if not reason:
            raise ValidationError("give a reason for sharing with the police")
        if not 1 <= spec.minutes <= MAX_MINUTES:
            raise ValidationError(f"a share lasts 1 to {MAX_MINUTES} minutes")
        incident = None
        if spec.incident_ref.strip():
            incident = s.scalar(select(Incident).where(Incident.ref == spec.incident_ref.strip()))
            if incident is None:
                raise NotFound(f"no incident {spec.incident_ref.strip()}")
            if incident.status == IncidentStatus.CLOSED.value:
                raise Conflict(f"incident {incident.ref} is closed; its cameras cannot be shared")
        cad = spec.cad_ref.strip() or (incident.police_ref if incident else "")
        if incident is None and not cad:
            raise ValidationError("name the incident or the police CAD reference")
        now = self.clock.now_us()
        share = CameraShare(
            camera_id=cam.id,
            incident_id=incident.id if incident else None,
            cad_ref=cad,
            reason=reason,
            ptz=spec.ptz,
            shared_by_id=who.user_id,
            shared_by=who.username,
            shared_us=now,
            expires_us=now + spec.minutes * 60 * US_PER_S,
            ended_by="",
            end_reason="",
        )
        s.add(share)
        s.flush()
        details = {
            "camera": cam.id,
            "incident": incident.ref if incident else "",
            "cad_ref": cad,
            "expires": format_utc(share.expires_us),
            "ptz": spec.ptz,
        }
        record(s, who.actor, "police.share", "camera_share", str(share.id), reason, details,
               clock=self.clock)  # fmt: skip
        self._notify_on_commit(s)
        return share

    def end(self, s: Session, who: Principal, share_id: int, reason: str) -> CameraShare:
        """End a share: one's own, or any with the supervising right."""
        who.require(Right.POLICE_SHARE)
        share = s.get(CameraShare, share_id)
        if share is None:
            raise NotFound(f"no share {share_id}")
        if share.shared_by_id != who.user_id:
            who.require(Right.POLICE_SHARE_SUPERVISE)
        if not self.is_active(s, share):
            raise Conflict(f"share {share_id} has already ended")
        self._close(s, share, who.actor, reason.strip() or "ended by the operator")
        return share

    def is_active(self, s: Session, share: CameraShare) -> bool:
        now = self.clock.now_us()
        found = s.scalar(active_shares(now).where(CameraShare.id == share.id))
        return found is not None

    def _close(self, s: Session, share: CameraShare, actor: Actor, reason: str) -> None:
        share.ended_us = self.clock.now_us()
        share.ended_by = actor.username
        share.end_reason = reason
        record(s, actor, "police.share.end", "camera_share", str(share.id), reason,
               {"camera": share.camera_id}, clock=self.clock)  # fmt: skip
        self._notify_on_commit(s)

    def sweep(self, s: Session) -> int:
        """Write the end of shares that ended by themselves (expired, incident closed)."""
        now = self.clock.now_us()
        live = active_shares(now).with_only_columns(CameraShare.id)
        lapsed = select(CameraShare).where(
            CameraShare.ended_us.is_(None), CameraShare.id.not_in(live)
        )
        done = list(s.scalars(lapsed))
        for share in done:
            why = "time ran out" if share.expires_us <= now else "its incident closed"
            self._close(s, share, SWEEPER, why)
        return len(done)

    # --- reading --------------------------------------------------------------------------

    def active(self, s: Session) -> list[CameraShare]:
        q = active_shares(self.clock.now_us()).order_by(CameraShare.shared_us, CameraShare.id)
        return list(s.scalars(q))

    def for_incident(self, s: Session, incident_id: int) -> list[CameraShare]:
        q = select(CameraShare).where(CameraShare.incident_id == incident_id)
        return list(s.scalars(q.order_by(CameraShare.id)))

    def viewers(self, s: Session, share_ids: list[int]) -> dict[int, list[ShareViewer]]:
        found: dict[int, list[ShareViewer]] = {i: [] for i in share_ids}
        if share_ids:
            q = select(ShareViewer).where(ShareViewer.share_id.in_(share_ids))
            for v in s.scalars(q.order_by(ShareViewer.first_us)):
                found[v.share_id].append(v)
        return found

    def incident_refs(self, s: Session, shares: list[CameraShare]) -> dict[int, str]:
        ids = {sh.incident_id for sh in shares if sh.incident_id is not None}
        if not ids:
            return {}
        return dict(s.execute(select(Incident.id, Incident.ref).where(Incident.id.in_(ids))).all())

    # --- the police side ------------------------------------------------------------------

    def seen(self, s: Session, viewer: Principal, shares: list[CameraShare]) -> None:
        """``viewer``'s wall shows ``shares``: the first sight of each is audited, naming
        the viewer with force and collar number; the last sight is kept for the incident."""
        now = self.clock.now_us()
        acct = s.get(PoliceAccount, viewer.user_id)
        force, collar = (acct.force, acct.collar_number) if acct else ("", "")
        with self._lock:
            self._walls[viewer.user_id] = (viewer.username, force, collar, now)
        if not shares:
            return
        known = {
            v.share_id: v
            for v in s.scalars(
                select(ShareViewer).where(
                    ShareViewer.user_id == viewer.user_id,
                    ShareViewer.share_id.in_([sh.id for sh in shares]),
                )
            )
        }
        for sh in shares:
            row = known.get(sh.id)
            if row is not None:
                row.last_us = now
                continue
            s.add(
                ShareViewer(
                    share_id=sh.id,
                    user_id=viewer.user_id,
                    username=viewer.username,
                    force=force,
                    collar_number=collar,
                    first_us=now,
                    last_us=now,
                )
            )
            record(s, viewer.actor, "police.share.view", "camera_share", str(sh.id),
                   sh.reason, {"camera": sh.camera_id, "viewer": viewer.username,
                               "force": force, "collar_number": collar},
                   clock=self.clock)  # fmt: skip

    def link(self) -> list[LinkViewer]:
        """Police walls seen lately, connected or not (link health for the console)."""
        now = self.clock.now_us()
        with self._lock:
            walls = list(self._walls.values())
        return sorted(
            (
                LinkViewer(name, force, collar, last, now - last <= CONNECTED_S * US_PER_S)
                for name, force, collar, last in walls
            ),
            key=lambda v: v.username,
        )
