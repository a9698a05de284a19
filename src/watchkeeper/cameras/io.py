"""Import and export the camera register as CSV or YAML (the site file format).

Imports are all or nothing: every row is validated first, every problem is reported
with its row (CSV) or line (YAML) and field, and nothing is written unless all rows
are good. Exports mask credentials; importing an export keeps the stored ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from watchkeeper.cameras.fields import LOCATION_FIELDS, PLAIN_FIELDS, camera_to_spec, flat_values
from watchkeeper.cameras.models import Camera
from watchkeeper.cameras.schemas import CameraSpec, SiteFile
from watchkeeper.config.sitefile import format_loc, parse_site_text
from watchkeeper.errors import ConfigError, ImportRejected

__all__ = ["CSV_COLUMNS", "ParsedImport", "export_csv", "export_yaml", "parse_csv", "parse_import"]

PLACE_COLUMNS = ["owner", "site", "site_name", "area", "area_name"]
CSV_COLUMNS = ["id", "name", "kind", *PLACE_COLUMNS, *LOCATION_FIELDS, *PLAIN_FIELDS]
REQUIRED = {"id", "name", "kind", "site", "area"}


@dataclass
class ParsedImport:
    cameras: list[tuple[str, str, CameraSpec]]
    sites: SiteFile | None = None
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


def parse_csv(text: str) -> ParsedImport:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = REQUIRED - set(header)
    unknown = set(header) - set(CSV_COLUMNS)
    problems = []
    if missing:
        problems.append(f"header: missing column(s) {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"header: unknown column(s) {', '.join(sorted(unknown))}")
    if problems:
        raise ImportRejected(problems)
    out = ParsedImport(cameras=[])
    seen: dict[str, int] = {}
    for n, row in enumerate(reader, start=2):
        if None in row:
            problems.append(f"row {n}: more values than columns")
            continue
        data: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if k}
        cam_id = data.get("id") or "?"
        site, area = data.pop("site", ""), data.pop("area", "")
        site_name, area_name = data.pop("site_name", ""), data.pop("area_name", "")
        if not site or not area:
            problems.append(f"row {n} ({cam_id}): site and area are required")
            continue
        data["location"] = {
            "description": data.pop("location", ""),
            "latitude": data.pop("latitude", "") or None,
            "longitude": data.pop("longitude", "") or None,
        }
        for key in (
            "last_review",
            "next_review",
            "retention_days",
            "status",
            "owner",
            "rtsp_transport",
        ):
            if data.get(key) == "":
                data.pop(key)
        try:
            spec = CameraSpec.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = format_loc(tuple(err["loc"])) if err["loc"] else "row"
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(f"row {n} ({cam_id}): {loc}: {msg}")
            continue
        if spec.id in seen:
            problems.append(f"row {n} ({cam_id}): id also on row {seen[spec.id]}")
            continue
        seen[spec.id] = n
        out.cameras.append((site, area, spec))
        out.names[area] = (site_name or site, area_name or area)
    if problems:
        raise ImportRejected(problems)
    return out


def parse_import(text: str, name: str) -> ParsedImport:
    """Parse a CSV (by ``.csv`` suffix) or YAML site file; bad input raises ImportRejected."""
    if name.lower().endswith(".csv"):
        return parse_csv(text)
    try:
        site = parse_site_text(text, name)
    except ConfigError as exc:
        raise ImportRejected(str(exc).splitlines()) from exc
    return ParsedImport(cameras=site.cameras(), sites=site)


def export_csv(cameras: Sequence[Camera]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for cam in cameras:
        row = {k: "" if v is None else v for k, v in flat_values(cam).items()}
        row.update(
            id=cam.id,
            owner=cam.client_id or "council",
            site=cam.area.site_id,
            site_name=cam.area.site.name,
            area=cam.area_id,
            area_name=cam.area.name,
        )
        writer.writerow(row)
    return buf.getvalue()


def export_yaml(cameras: Sequence[Camera]) -> str:
    """The cameras as a site file, grouped by site and area, credentials masked."""
    clients: dict[str, dict[str, str]] = {}
    sites: dict[str, dict[str, Any]] = {}
    for cam in cameras:
        if cam.client is not None:
            clients[cam.client.id] = {
                "id": cam.client.id,
                "name": cam.client.name,
                "contact": cam.client.contact,
            }
        site = sites.setdefault(
            cam.area.site_id,
            {
                "id": cam.area.site_id,
                "name": cam.area.site.name,
                "description": cam.area.site.description,
                "areas": {},
            },
        )
        area = site["areas"].setdefault(
            cam.area_id, {"id": cam.area_id, "name": cam.area.name, "cameras": []}
        )
        area["cameras"].append(camera_to_spec(cam).model_dump(mode="json"))
    doc = {
        "version": 1,
        "clients": list(clients.values()),
        "sites": [{**s, "areas": list(s["areas"].values())} for s in sites.values()],
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
