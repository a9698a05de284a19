"""Who is asking: the authenticated user as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from watchkeeper.audit.service import Actor
from watchkeeper.auth.roles import Right, Role, has_right
from watchkeeper.errors import Forbidden

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: Role
    client_id: str | None = None
    partner_member_ref: str = ""
    csrf_token: str = ""
    via_token: bool = False

    def can(self, right: Right) -> bool:
        return has_right(self.role, right)

    def require(self, right: Right) -> None:
        if not self.can(right):
            raise Forbidden(f"the {self.role.value} role may not {right.value}")

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username)

    @property
    def is_client_viewer(self) -> bool:
        return self.role is Role.CLIENT_VIEWER
