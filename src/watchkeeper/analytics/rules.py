"""Alert rules: zone x object x schedule, loitering and cool-down, as a pure engine.

The engine is told of presence (an object in a zone of a camera since ``start_us``, still
there at ``now_us``) and answers with the rules that fire. A rule fires when the presence
has lasted ``loiter_s``, the moment it has lasted that long falls in the rule's schedule
(local time, Europe/London; a schedule whose end is before its start crosses midnight),
and the rule has not fired for ``cooldown_s``. One presence fires a rule at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watchkeeper.timeutil import to_local

__all__ = ["Fire", "Presence", "RuleEngine", "RuleSpec", "in_schedule"]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    camera_id: str
    zone: str
    object: str
    start_min: int = 0
    end_min: int = 1440
    loiter_s: int = 0
    cooldown_s: int = 60


@dataclass(frozen=True, slots=True)
class Presence:
    camera_id: str
    zone: str
    object: str
    start_us: int
    now_us: int


@dataclass(frozen=True, slots=True)
class Fire:
    rule: RuleSpec
    presence: Presence
    at_us: int


def in_schedule(at_us: int, start_min: int, end_min: int) -> bool:
    local = to_local(at_us)
    minute = local.hour * 60 + local.minute
    if start_min == end_min or (start_min == 0 and end_min >= 1440):
        return True
    if start_min < end_min:
        return start_min <= minute < end_min
    return minute >= start_min or minute < end_min


@dataclass
class RuleEngine:
    rules: list[RuleSpec] = field(default_factory=list)
    _last_fired: dict[int, int] = field(default_factory=dict)
    _fired_for: dict[tuple[int, int], bool] = field(default_factory=dict)

    def replace(self, rules: list[RuleSpec]) -> None:
        self.rules = list(rules)

    def remember(self, rule_id: int, at_us: int) -> None:
        """A rule fired before a restart (from the alert table): cool-down holds across it."""
        self._last_fired[rule_id] = max(at_us, self._last_fired.get(rule_id, 0))

    def observe(self, p: Presence) -> list[Fire]:
        out = []
        for rule in self.rules:
            if (rule.camera_id, rule.object) != (p.camera_id, p.object):
                continue
            if rule.zone != p.zone:
                continue
            key = (rule.id, p.start_us)
            if self._fired_for.get(key):
                continue
            due = p.start_us + rule.loiter_s * 1_000_000
            if p.now_us < due:
                continue
            if not in_schedule(due if rule.loiter_s else p.start_us, rule.start_min, rule.end_min):
                continue
            last = self._last_fired.get(rule.id)
            if last is not None and due - last < rule.cooldown_s * 1_000_000:
                continue
            self._last_fired[rule.id] = max(due, p.now_us)
            self._fired_for[key] = True
            out.append(Fire(rule, p, max(due, p.start_us)))
        if len(self._fired_for) > 10_000:
            self._fired_for.clear()
        return out
