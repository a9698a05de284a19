"""The camera register's fields, named once for the model, the specs, audit, CSV and API.

A :class:`~watchkeeper.cameras.schemas.CameraSpec` (site file, CSV row, API body) and a
:class:`~watchkeeper.cameras.models.Camera` row hold the same facts under the same
names, except that the spec nests the position in ``location`` and names the owner
rather than the client. Everything that copies one into the other, compares them for
the audit, or flattens them for CSV and the API goes through this module, so a new
field is added here once.
"""

from __future__ import annotations

from typing import Any

from watchkeeper.cameras.models import Camera
from watchkeeper.cameras.redact import redact_url
from watchkeeper.cameras.schemas import CameraSpec, Location

__all__ = [
    "AUDITED_FIELDS",
    "LOCATION_FIELDS",
    "PLAIN_FIELDS",
    "URL_FIELDS",
    "camera_to_spec",
    "flat_values",
    "spec_values",
]

LOCATION_FIELDS = {"location": "description", "latitude": "latitude", "longitude": "longitude"}
"""Camera column -> field of the spec's ``location``."""
URL_FIELDS = ("main_url", "sub_url", "onvif_url")
"""Columns that may hold credentials: redacted wherever they are shown."""
PLAIN_FIELDS = (
    *URL_FIELDS,
    "rtsp_transport",
    "retention_days",
    "retention_justification",
    "purpose",
    "dpia_ref",
    "signage",
    "last_review",
    "next_review",
    "status",
)
"""Fields with the same name on the spec and the row, after name, kind and position."""
AUDITED_FIELDS = ("name", "kind", "area_id", "client_id", *LOCATION_FIELDS, *PLAIN_FIELDS)
"""Columns whose change is audited (with URLs redacted)."""


def spec_values(spec: CameraSpec) -> dict[str, Any]:
    """The spec as camera columns (without id, area and client, which come from the place)."""
    values: dict[str, Any] = {"name": spec.name, "kind": spec.kind}
    values.update({col: getattr(spec.location, f) for col, f in LOCATION_FIELDS.items()})
    values.update({f: getattr(spec, f) for f in PLAIN_FIELDS})
    return values


def camera_to_spec(cam: Camera, redact: bool = True) -> CameraSpec:
    """The camera as the shape imports and exports use (credentials masked by default)."""
    plain = {f: getattr(cam, f) for f in PLAIN_FIELDS}
    if redact:
        plain.update({f: redact_url(plain[f]) for f in URL_FIELDS})
    return CameraSpec.model_construct(
        id=cam.id,
        name=cam.name,
        kind=cam.kind,
        owner=cam.client_id or "council",
        location=Location.model_construct(
            **{f: getattr(cam, col) for col, f in LOCATION_FIELDS.items()}
        ),
        **plain,
    )


def flat_values(cam: Camera) -> dict[str, Any]:
    """Name, kind, position and plain fields of a camera, flat, credentials redacted."""
    spec = camera_to_spec(cam)
    values = spec_values(spec)
    values["kind"] = cam.kind.value
    values["status"] = cam.status.value
    values["rtsp_transport"] = cam.rtsp_transport.value
    return values
