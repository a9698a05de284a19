"""The balancing rule, as a pure function: how many cameras a node should hold, which to take,
which to give up (scale-out.md, "Balancing rule")."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Moves", "plan_moves", "share"]


def share(total: int, capacities: dict[str, float], node_id: str) -> int:
    """``ceil(total * my capacity / all capacities)``: the count of cameras this node holds
    when balanced. A node not yet among the live ones counts itself in."""
    caps = dict(capacities)
    caps.setdefault(node_id, 1.0)
    whole = sum(caps.values())
    return math.ceil(total * caps[node_id] / whole) if total else 0


@dataclass(frozen=True, slots=True)
class Moves:
    claim: list[str]
    release: list[str]


def plan_moves(held: set[str], claimable: list[str], my_share: int) -> Moves:
    """Claim free or expired cameras (id order) up to the share; release the surplus
    (highest ids first). The ceiling in :func:`share` leaves slack, so two nodes never pass
    a camera to and fro when the count does not divide."""
    if len(held) > my_share:
        return Moves([], sorted(held, reverse=True)[: len(held) - my_share])
    room = my_share - len(held)
    return Moves([c for c in sorted(claimable) if c not in held][:room], [])
