"""The exhibit label and the continuity statement, as PDF, pre-filled for signature.

Both are made from the manifest's facts (who recorded, who exported, when, the hashes) so
they can never disagree with it; the producing operator prints, checks and signs them.
The text follows the shape of a witness statement's continuity paragraph; the wording
under the signature line is the council's to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchkeeper.reports.document import new_pdf

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["continuity_statement", "exhibit_label", "new_pdf"]


def _line(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(48, 6, label)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, value or "-", new_x="LMARGIN", new_y="NEXT")


def _sign(pdf: FPDF, who: str) -> None:
    pdf.ln(8)
    for label in (f"Signed ({who})", "Name and role", "Date and time"):
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(48, 10, label)
        pdf.cell(0, 10, "_" * 60, new_x="LMARGIN", new_y="NEXT")


def exhibit_label(m: dict[str, Any], path: Path) -> None:
    pdf = new_pdf()
    pdf.set_title(f"Exhibit {m['exhibit']} {m['camera']['id']} {m['window']['start_utc']}")
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 12, f"Exhibit {m['exhibit'] or '(reference to be given)'}",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    cam = m["camera"]
    _line(pdf, "Description", f"CCTV footage, camera {cam['id']} {cam['name']}")
    _line(pdf, "Location", ", ".join(x for x in (cam["location"], cam["area"], cam["site"]) if x))
    _line(pdf, "From", f"{m['window']['start_london']}  ({m['window']['start_utc']})")
    _line(pdf, "To", f"{m['window']['end_london']}  ({m['window']['end_utc']})")
    _line(pdf, "Request", m["request"])
    _line(pdf, "Produced by", f"{m['operator']}, {m['created_london']}")
    _line(pdf, "System", f"{m['system']['name']} {m['system']['version']} ({m['system']['id']})")
    _line(pdf, "Master files", f"{len(m['master'])}, SHA-256 listed in manifest.json")
    _sign(pdf, "producer")
    pdf.output(str(path))


def continuity_statement(m: dict[str, Any], path: Path) -> None:
    pdf = new_pdf()
    pdf.set_title(f"Continuity {m['exhibit']} {m['camera']['id']} {m['window']['start_utc']}")
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 10, "Continuity statement: CCTV evidence", new_x="LMARGIN", new_y="NEXT")
    cam = m["camera"]
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, (
        f"I, {m['operator']}, produced exhibit {m['exhibit'] or '(reference)'} from the "
        f"recordings of camera {cam['id']} ({cam['name']}) held by the council's "
        f"{m['system']['name']} system {m['system']['id']}, on {m['created_london']}. "
        f"The footage was recorded continuously by that system, which took the SHA-256 hash "
        f"of each recorded file as it was written. Before the files were copied into this "
        f"package their hashes were computed again and found to match those recorded at the "
        f"time. The package's manifest lists the hash of every file and is signed with the "
        f"system's key (fingerprint in README.txt)."
    ), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(3)
    offset = m["clock_offset_us"]
    _line(pdf, "Window (London)", f"{m['window']['start_london']} to {m['window']['end_london']}")
    _line(pdf, "Window (UTC)", f"{m['window']['start_utc']} to {m['window']['end_utc']}")
    _line(
        pdf,
        "Camera clock offset",
        "not measured"
        if offset is None
        else f"{offset['min'] / 1000:.0f} to {offset['max'] / 1000:.0f} ms (camera minus server)",
    )
    _line(
        pdf,
        "Gaps in the window",
        "; ".join(f"{g['start_utc']} to {g['end_utc']}: {g['reason']}" for g in m["gaps"])
        or "none",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "Master files (recorded, SHA-256 at recording)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    for f in m["master"]:
        pdf.cell(0, 4, f"{f['path']}  {f['start_utc']}  {f['sha256']}",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    _sign(pdf, "producer")
    pdf.output(str(path))
