"""The camera register as the council publishes it: CSV, GeoJSON and a public page.

Only the fields listed in :data:`PUBLISHED` leave: never stream addresses (which may hold
credentials), retention justifications, DPIA references or anything internal. Only
council cameras in service are listed; a commercial client is the controller of its own
cameras and publishes them itself.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from watchkeeper.cameras.models import Area, Camera, CameraStatus

__all__ = ["PUBLISHED", "published_cameras", "to_csv", "to_geojson"]

PUBLISHED = (
    "id",
    "name",
    "site",
    "area",
    "location",
    "latitude",
    "longitude",
    "kind",
    "purpose",
    "signage",
    "last_review",
    "operator",
)
"""Every field the public register carries, in order; nothing else is ever read out."""


def published_cameras(s: Session, operator: str) -> list[dict[str, Any]]:
    q = (
        select(Camera)
        .options(joinedload(Camera.area).joinedload(Area.site))
        .where(Camera.status == CameraStatus.ACTIVE, Camera.client_id.is_(None))
        .order_by(Camera.id)
    )
    out = []
    for c in s.scalars(q):
        out.append(
            {
                "id": c.id,
                "name": c.name,
                "site": c.area.site.name,
                "area": c.area.name,
                "location": c.location,
                "latitude": c.latitude,
                "longitude": c.longitude,
                "kind": c.kind.value,
                "purpose": c.purpose,
                "signage": c.signage,
                "last_review": c.last_review.isoformat() if c.last_review else "",
                "operator": operator,
            }
        )
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=PUBLISHED, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r[k] is None else r[k] for k in PUBLISHED})
    return buf.getvalue()


def to_geojson(rows: list[dict[str, Any]]) -> str:
    """A FeatureCollection; cameras without coordinates are left out (they are in the CSV)."""
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
            "properties": {k: r[k] for k in PUBLISHED if k not in ("latitude", "longitude")},
        }
        for r in rows
        if r["latitude"] is not None and r["longitude"] is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
