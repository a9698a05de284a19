"""HTTP Range requests (RFC 9110 section 14) over any object with a size and a ``read``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from starlette.responses import Response, StreamingResponse

__all__ = ["parse_range", "ranged_response"]


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single ``bytes=`` range, None for the whole, or ValueError (416).

    Multiple ranges are answered with the whole file, which RFC 9110 allows.
    """
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    if not first:
        if not last.isdigit() or int(last) == 0:
            raise ValueError("bad suffix range")
        return max(0, size - int(last)), size
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError("bad range")
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    if start >= size or end <= start:
        raise ValueError("range not satisfiable")
    return start, end


def ranged_response(
    header: str | None,
    size: int,
    read: Callable[[int, int], Iterator[bytes]],
    media_type: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """200 with the whole body, 206 with the asked range, or 416."""
    extra = {"Accept-Ranges": "bytes", **(headers or {})}
    try:
        rng = parse_range(header, size)
    except ValueError:
        return Response(status_code=416, headers={**extra, "Content-Range": f"bytes */{size}"})
    if rng is None:
        return StreamingResponse(
            read(0, size), media_type=media_type, headers={**extra, "Content-Length": str(size)}
        )
    start, end = rng
    return StreamingResponse(
        read(start, end),
        status_code=206,
        media_type=media_type,
        headers={
            **extra,
            "Content-Length": str(end - start),
            "Content-Range": f"bytes {start}-{end - 1}/{size}",
        },
    )
