"""One dependency for every video route: the right, then the camera's visibility.

``Depends(visible_camera(Right.X))`` gives a :class:`SeenCamera` once the caller holds the
right and can see the path's ``camera_id``; another client's camera is 404, never 403, so its
existence is not revealed (invariant 2 of ``docs/design/live-and-playback.md``). Live and
playback handlers take it instead of repeating the check.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right
from watchkeeper.web.deps import SessionDep, SystemDep, require

__all__ = ["SeenCamera", "visible_camera"]


@dataclass(frozen=True, slots=True)
class SeenCamera:
    """A camera the caller may see, and the caller."""

    id: str
    who: Principal


def visible_camera(right: Right) -> Callable[..., SeenCamera]:
    """The dependency for routes with a ``{camera_id}`` needing ``right``."""

    # No postponed annotations in this module: FastAPI must see ``right`` when it reads them.
    def dependency(
        camera_id: str,
        system: SystemDep,
        s: SessionDep,
        who: Annotated[Principal, Depends(require(right))],
    ) -> SeenCamera:
        system.cameras.get(s, who, camera_id)
        return SeenCamera(camera_id, who)

    return dependency
