"""Letters from templates: facts from the record, the council's own wording, a sandbox."""

from __future__ import annotations

import pytest

from tests.evidence.conftest import Recorded
from tests.evidence.test_requests import OPERATOR, SUPERVISOR, police
from watchkeeper.errors import Conflict, ValidationError
from watchkeeper.evidence.letters import letter_text, render_letter
from watchkeeper.evidence.models import RequestKind
from watchkeeper.evidence.requests import RequestSpec
from watchkeeper.system import System


def test_letters_state_what_the_record_holds(system: System, recorded: Recorded) -> None:
    data = system.settings.data_dir
    sar = RequestSpec(RequestKind.SUBJECT_ACCESS, "A. Person",
                      "UK GDPR Art 15 (right of access)", ("TC-001",), recorded.t0,
                      recorded.gap_start, fields={"description": "red coat"})  # fmt: skip
    with system.db.session() as s:
        req = system.requests.receive(s, OPERATOR, sar)
        text = letter_text(req, "acknowledgement", data)
        assert req.ref in text and "Monday 03 August 2026" in text
        assert "confirm your identity" in text
        with pytest.raises(Conflict):
            letter_text(req, "refusal", data)
        with pytest.raises(Conflict):
            letter_text(req, "extension", data)
        system.requests.extend(s, SUPERVISOR, req.ref, 2, "complex")
        assert "by 2 month(s)" in letter_text(req, "extension", data)
        assert render_letter(req, "extension", data, recorded.end).startswith(b"%PDF")
        police_req = system.requests.receive(s, OPERATOR, police(recorded))
        system.requests.start_search(s, OPERATOR, police_req.ref)
        system.requests.to_review(s, OPERATOR, police_req.ref, "")
        system.requests.decide(s, SUPERVISOR, police_req.ref, False, "no offence shown",
                               "Sch 2 para 2 not met")  # fmt: skip
        refusal = letter_text(police_req, "refusal", data)
        assert "no offence shown" in refusal and "Sch 2 para 2 not met" in refusal


def test_the_councils_template_wins_and_is_sandboxed(system: System, recorded: Recorded) -> None:
    data = system.settings.data_dir
    (data / "letters").mkdir()
    custom = data / "letters" / "acknowledgement.txt"
    custom.write_text("Ref {{ ref }} for {{ name }}: thank you.")
    with system.db.session() as s:
        req = system.requests.receive(s, OPERATOR, police(recorded))
        assert letter_text(req, "acknowledgement", data) == (
            f"Ref {req.ref} for PC Jane Smith: thank you."
        )
        custom.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
        with pytest.raises(ValidationError, match="letter template"):
            letter_text(req, "acknowledgement", data)
        with pytest.raises(ValidationError, match="no letter"):
            letter_text(req, "threat", data)
