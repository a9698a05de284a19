"""Reading and writing analytics rows: zones, motion spans (timeline, search), rules, alerts."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchkeeper.analytics.models import (
    Alert,
    AlertRule,
    AnalyticsZone,
    DetectionRow,
    MotionSpanRow,
)
from watchkeeper.analytics.rules import RuleSpec
from watchkeeper.analytics.spans import MotionSpan
from watchkeeper.analytics.zones import Zone, ZoneKind, parse_points
from watchkeeper.errors import ValidationError
from watchkeeper.playback.timeline import merge_spans
from watchkeeper.timeutil import check_us, to_local

__all__ = [
    "MotionHit",
    "add_span",
    "camera_zones",
    "load_rules",
    "motion_timeline",
    "search_motion",
    "set_zone",
]

MAX_SEARCH = 500


def camera_zones(s: Session, camera_id: str) -> list[Zone]:
    rows = s.scalars(
        select(AnalyticsZone).where(AnalyticsZone.camera_id == camera_id).order_by(AnalyticsZone.id)
    )
    return [
        Zone(r.name, ZoneKind(r.kind), parse_points(json.loads(r.points)), r.sensitivity)
        for r in rows
    ]


def set_zone(
    s: Session,
    camera_id: str,
    name: str,
    kind: str,
    points: object,
    sensitivity: float,
    by: str,
    now_us: int,
) -> AnalyticsZone:
    """Add or replace a camera's zone or mask; every field checked, named when wrong."""
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise ValidationError("name: 1 to 64 characters")
    try:
        zkind = ZoneKind(kind)
    except ValueError:
        raise ValidationError("kind: zone or mask") from None
    pts = parse_points(points)
    if not 0.0001 <= sensitivity <= 1.0:
        raise ValidationError("sensitivity: a fraction of the zone, 0.0001 to 1")
    row = s.scalar(
        select(AnalyticsZone).where(
            AnalyticsZone.camera_id == camera_id, AnalyticsZone.name == name
        )
    )
    if row is None:
        row = AnalyticsZone(camera_id=camera_id, name=name)
        s.add(row)
    row.kind, row.points, row.sensitivity = zkind.value, json.dumps(pts), sensitivity
    row.updated_us, row.updated_by = now_us, by
    s.flush()
    return row


def add_span(s: Session, span: MotionSpan, jpeg: bytes | None) -> MotionSpanRow:
    row = MotionSpanRow(
        camera_id=span.camera_id,
        zone=span.zone,
        start_us=span.start_us,
        end_us=max(span.end_us, span.start_us + 1),
        peak=span.peak,
        peak_us=span.peak_us,
        thumbnail=jpeg,
    )
    s.add(row)
    s.flush()
    return row


def motion_timeline(
    s: Session, camera_id: str, start_us: int, end_us: int, buckets: int = 1000
) -> list[tuple[int, int]]:
    """Motion spans (any zone) merged to one entry per pixel at most."""
    buckets = max(10, min(buckets, 10_000))
    resolution = max(1, (end_us - start_us) // buckets)
    q = (
        select(MotionSpanRow.start_us, MotionSpanRow.end_us)
        .where(
            MotionSpanRow.camera_id == camera_id,
            MotionSpanRow.start_us < end_us,
            MotionSpanRow.end_us > start_us,
        )
        .order_by(MotionSpanRow.start_us)
    )
    pairs = [(a, b) for a, b in s.execute(q)]
    return [(x.start_us, x.end_us) for x in merge_spans(pairs, start_us, end_us, resolution)]


@dataclass(frozen=True, slots=True)
class MotionHit:
    id: int
    camera_id: str
    zone: str
    start_us: int
    end_us: int
    peak: float
    has_thumbnail: bool


def search_motion(
    s: Session,
    camera_ids: list[str],
    start_us: int,
    end_us: int,
    zone: str = "",
    from_min: int | None = None,
    to_min: int | None = None,
    limit: int = 200,
    people: bool = False,
) -> list[MotionHit]:
    """Spans on these cameras overlapping the range, in a zone, starting within a time of
    day (UK local, minutes after midnight; a window may cross midnight). Newest first.
    ``people``: only spans during which the detector saw a person on that camera."""
    check_us(start_us, "from")
    check_us(end_us, "to")
    if end_us <= start_us:
        raise ValidationError("to: must be after from")
    if not camera_ids:
        return []
    q = (
        select(MotionSpanRow)
        .where(
            MotionSpanRow.camera_id.in_(camera_ids),
            MotionSpanRow.start_us < end_us,
            MotionSpanRow.end_us > start_us,
        )
        .order_by(MotionSpanRow.start_us.desc())
    )
    if zone:
        q = q.where(MotionSpanRow.zone == zone)
    if people:
        seen = (
            select(DetectionRow.id)
            .where(
                DetectionRow.camera_id == MotionSpanRow.camera_id,
                DetectionRow.at_us >= MotionSpanRow.start_us,
                DetectionRow.at_us < MotionSpanRow.end_us,
                DetectionRow.label == "person",
            )
            .exists()
        )
        q = q.where(seen)
    hits: list[MotionHit] = []
    for row in s.scalars(q.limit(MAX_SEARCH * 4)):
        if from_min is not None and to_min is not None:
            local = to_local(row.start_us)
            m = local.hour * 60 + local.minute
            inside = from_min <= m < to_min if from_min <= to_min else m >= from_min or m < to_min
            if not inside:
                continue
        hits.append(
            MotionHit(
                row.id,
                row.camera_id,
                row.zone,
                row.start_us,
                row.end_us,
                row.peak,
                row.thumbnail is not None,
            )
        )
        if len(hits) >= min(limit, MAX_SEARCH):
            break
    return hits


def load_rules(s: Session) -> list[RuleSpec]:
    rows = s.scalars(select(AlertRule).where(AlertRule.active.is_(True)).order_by(AlertRule.id))
    return [
        RuleSpec(
            r.id,
            r.name,
            r.camera_id,
            r.zone,
            r.object,
            r.start_min,
            r.end_min,
            r.loiter_s,
            r.cooldown_s,
        )
        for r in rows
    ]


def last_fired(s: Session) -> dict[int, int]:
    """When each rule last fired, so a restart keeps its cool-down."""
    from sqlalchemy import func

    q = select(Alert.rule_id, func.max(Alert.raised_us)).group_by(Alert.rule_id)
    return {rid: at for rid, at in s.execute(q)}
