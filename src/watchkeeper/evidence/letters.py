"""Letters to requesters (acknowledgement, extension, refusal, release) as PDF.

Each letter is a Jinja2 text template. The defaults below can be replaced by the council:
a file ``DATA_DIR/letters/<name>.txt`` wins over the default. Templates are rendered in a
sandbox (they are edited by people, not developers). Facts come from the request row, so a
letter can never state a deadline or decision the record does not hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from watchkeeper.errors import Conflict, ValidationError
from watchkeeper.evidence.kinds import KINDS
from watchkeeper.evidence.models import EvidenceRequest, RequestKind, RequestState
from watchkeeper.reports.document import new_pdf
from watchkeeper.timeutil import format_local, to_local

__all__ = ["LETTERS", "letter_text", "render_letter"]

_DAY = "%A %d %B %Y"

LETTERS: dict[str, str] = {
    "acknowledgement": """\
Dear {{ name }},

Your {{ kind }} request, our reference {{ ref }}

We received your request on {{ received }} for CCTV footage from {{ cameras }} between
{{ window_start }} and {{ window_end }}. The footage has been preserved and will not be
deleted while we deal with your request.
{% if due %}
We will respond by {{ due }}.{% endif %}{% if kind_id == "subject_access" and not identity %}
Before we can search, we need to confirm your identity. The time limit starts when we have
done so.{% endif %}

Yours sincerely,

CCTV Control Centre
""",
    "extension": """\
Dear {{ name }},

Your {{ kind }} request, our reference {{ ref }}

Your request is complex, and we need more time to respond. We are extending the time limit
by {{ extension_months }} month(s), as the law allows. We will now respond by {{ due }}.

Yours sincerely,

CCTV Control Centre
""",
    "refusal": """\
Dear {{ name }},

Your {{ kind }} request, our reference {{ ref }}

We have decided not to release the footage you asked for.

Reasons: {{ reasons }}
{% if exemptions %}Exemptions relied on: {{ exemptions }}
{% endif %}
If you are unhappy with this decision you may ask us to review it, and you may complain to
the Information Commissioner's Office.

Yours sincerely,

CCTV Control Centre
""",
    "release": """\
Dear {{ name }},

Your {{ kind }} request, our reference {{ ref }}

The footage you asked for was released on {{ released }} to {{ released_to }}
by {{ released_how }}. The package can be checked with the instructions in its README.

Yours sincerely,

CCTV Control Centre
""",
}

_NEEDS: dict[str, tuple[str, ...]] = {
    "extension": (),
    "refusal": (RequestState.REFUSED.value, RequestState.CLOSED.value),
    "release": (RequestState.RELEASED.value, RequestState.CLOSED.value),
}

_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


def _context(req: EvidenceRequest) -> dict[str, Any]:
    kind = RequestKind(req.kind)
    return {
        "ref": req.ref,
        "kind": KINDS[kind].label.lower(),
        "kind_id": kind.value,
        "name": req.requester_name,
        "organisation": req.requester_org,
        "received": to_local(req.received_us).strftime(_DAY),
        "due": req.due_on.strftime(_DAY) if req.due_on else "",
        "identity": req.identity_on is not None,
        "extension_months": req.extension_months,
        "cameras": ", ".join(c.camera_id for c in req.cameras),
        "window_start": format_local(req.start_us),
        "window_end": format_local(req.end_us),
        "reasons": req.decision_reasons,
        "exemptions": req.exemptions,
        "released": to_local(req.released_us).strftime(_DAY) if req.released_us else "",
        "released_to": req.released_to,
        "released_how": req.released_how,
        "fields": json.loads(req.fields),
    }


def letter_text(req: EvidenceRequest, name: str, data_dir: Path) -> str:
    """The letter ``name`` for ``req`` as text, from the council's template if there is one."""
    if name not in LETTERS:
        raise ValidationError(f"no letter {name!r}; letters: {', '.join(LETTERS)}")
    if name in _NEEDS and _NEEDS[name] and req.state not in _NEEDS[name]:
        raise Conflict(f"{req.ref} is {req.state.replace('_', ' ')}: no {name} letter")
    if name == "extension" and not req.extension_months:
        raise Conflict(f"{req.ref} has not been extended")
    custom = data_dir / "letters" / f"{name}.txt"
    source = custom.read_text(encoding="utf-8") if custom.is_file() else LETTERS[name]
    try:
        text = _env.from_string(source).render(**_context(req))
    except TemplateError as exc:
        raise ValidationError(f"letter template {name}: {exc}") from exc
    return text


def render_letter(req: EvidenceRequest, name: str, data_dir: Path, today_us: int) -> bytes:
    """The letter ``name`` for ``req`` as PDF bytes, dated ``today_us``."""
    text = letter_text(req, name, data_dir)
    pdf = new_pdf()
    pdf.set_title(f"{req.ref} {name}")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 6, to_local(today_us).strftime(_DAY), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())
