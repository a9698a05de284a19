"""Who may steer now: the PTZ right, an account that may log in, an SIA licence valid today.

Read afresh from the database each time (at take-over and each second of a session), so a
licence suspended or an account disabled mid-session ends control at once.
"""

from __future__ import annotations

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.auth.service import UserService
from watchkeeper.cameras.models import Camera, CameraKind
from watchkeeper.db.engine import Database
from watchkeeper.errors import NotFound

__all__ = ["camera_kind", "steer_blocker"]


def steer_blocker(db: Database, users: UserService, username: str) -> str:
    """Why ``username`` may not steer now, or '' when they may."""
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
    if not Principal(user_id, username, role).can(Right.PTZ_CONTROL):
        return f"the {role.value} role may not steer cameras"
    return ""


def camera_kind(db: Database, camera_id: str) -> CameraKind:
    with db.session() as s:
        cam = s.get(Camera, camera_id)
        if cam is None:
            raise NotFound(f"no camera {camera_id!r}")
        return cam.kind
