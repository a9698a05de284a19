"""Who may steer now: the PTZ right, an account that may log in, an SIA licence valid today;
for a police account instead of the right, a share of the camera in force that grants PTZ.

Read afresh from the database each time (at take-over and each second of a session), so a
licence suspended or an account disabled mid-session ends control at once.
"""

from __future__ import annotations

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import POLICE_ROLES, Right, Role
from watchkeeper.auth.service import UserService
from watchkeeper.cameras.models import Camera, CameraKind
from watchkeeper.db.engine import Database
from watchkeeper.errors import NotFound
from watchkeeper.police.models import CameraShare
from watchkeeper.police.visibility import active_shares

__all__ = ["NO_GRANT", "camera_kind", "police_grant", "steer_blocker"]

NO_GRANT = "no share of camera {camera} with the police allows steering it now"


def police_grant(db: Database, camera_id: str, now_us: int) -> int | None:
    """The id of a share in force at ``now_us`` that lets the police steer ``camera_id``."""
    q = active_shares(now_us).where(CameraShare.camera_id == camera_id, CameraShare.ptz.is_(True))
    with db.session() as s:
        return s.scalar(q.with_only_columns(CameraShare.id).limit(1))


def steer_blocker(
    db: Database, users: UserService, username: str, camera_id: str = "", now_us: int = 0
) -> str:
    """Why ``username`` may not steer ``camera_id`` now, or '' when they may.

    A council account needs the PTZ right; a police account needs a share of this very
    camera, in force at ``now_us``, that grants PTZ (docs/design/police-link.md).
    """
    with db.session() as s:
        try:
            user = users.get(s, username)
        except NotFound:
            return "the account no longer exists"
        blocked = users.login_blocker(user)  # disabled, locked, or licence not valid today
        if blocked:
            return blocked
        role = Role(user.role)
        user_id = user.id
    if role in POLICE_ROLES:
        if not camera_id or police_grant(db, camera_id, now_us) is None:
            return NO_GRANT.format(camera=camera_id or "?")
        return ""
    if not Principal(user_id, username, role).can(Right.PTZ_CONTROL):
        return f"the {role.value} role may not steer cameras"
    return ""


def camera_kind(db: Database, camera_id: str) -> CameraKind:
    with db.session() as s:
        cam = s.get(Camera, camera_id)
        if cam is None:
            raise NotFound(f"no camera {camera_id!r}")
        return cam.kind
