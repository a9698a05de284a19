"""Small form readers shared by the governance pages: dates, uploads, downloads."""

from __future__ import annotations

from datetime import date

from fastapi import UploadFile
from fastapi.responses import Response

from watchkeeper.web.forms import FormCheck

__all__ = ["attachment", "form_date", "read_upload"]


def form_date(check: FormCheck, name: str, value: str, required: str = "") -> date | None:
    """A date from ``<input type=date>`` (yyyy-mm-dd) or typed in UK form (dd/mm/yyyy)."""
    text = value.strip()
    if not text:
        if required:
            check.add(name, required)
        return None
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text)
    except ValueError:
        check.add(name, "a date, dd/mm/yyyy")
        return None


def read_upload(upload: UploadFile | None, limit: int) -> tuple[bytes | None, str, str]:
    """The uploaded file's bytes (``None`` when none was chosen), name and type; at most
    ``limit`` + 1 bytes are read so the service can refuse an oversized file."""
    if upload is None or not upload.filename:
        return None, "", ""
    data = upload.file.read(limit + 1)
    return data, upload.filename, upload.content_type or "application/octet-stream"


def attachment(body: bytes | str, media_type: str, filename: str, inline: bool = False) -> Response:
    how = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'{how}; filename="{filename}"'},
    )
