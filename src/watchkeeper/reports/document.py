"""The one PDF engine for every document the system prints: reports, letters, labels.

Built on fpdf2 with the DejaVu fonts (any script a name may be written in). Documents
are drawn from facts already computed, so a printed figure can never disagree with the
table or the CSV it came from. Charts are plain bars drawn with fpdf2's own shapes: no
plotting library, the same look on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from watchkeeper.errors import MediaError

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["FONT", "Document", "new_pdf"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
_BAR = (60, 110, 170)


def new_pdf() -> FPDF:
    """An A4 page with the DejaVu fonts, ready to write on."""
    from fpdf import FPDF  # imported here: a second or more at start for every command

    pdf = FPDF(format="A4")
    pdf.set_creator("Watchkeeper")
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.is_file() or not bold.is_file():
        raise MediaError("no font for documents: install Debian's fonts-dejavu-core")
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


class Document:
    """A report: headings, paragraphs, fact lists, tables and bar charts, in that order."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        self.pdf = new_pdf()
        self.pdf.set_title(title)
        self.pdf.set_font(FONT, "B", 16)
        self.pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.pdf.set_font(FONT, "", 10)
            self.pdf.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(3)

    def heading(self, text: str) -> None:
        if self.pdf.get_y() > 250:
            self.pdf.add_page()
        self.pdf.ln(2)
        self.pdf.set_font(FONT, "B", 12)
        self.pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: int = 9) -> None:
        self.pdf.set_font(FONT, "", size)
        self.pdf.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        for label, value in rows:
            self.pdf.set_font(FONT, "B", 9)
            self.pdf.cell(55, 5, label)
            self.pdf.set_font(FONT, "", 9)
            self.pdf.multi_cell(0, 5, value or "-", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """A plain table; an empty one says so rather than printing a bare header."""
        if not rows:
            self.para("(none in this period)")
            return
        pdf = self.pdf
        width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(header)
        pdf.set_font(FONT, "B", 8)
        for h in header:
            pdf.cell(width, 5, str(h), border="B")
        pdf.ln()
        pdf.set_font(FONT, "", 8)
        for row in rows:
            if pdf.get_y() > pdf.h - 20:
                pdf.add_page()
            for value in row:
                pdf.cell(width, 4.5, _fit(pdf, str(value), width))
            pdf.ln()
        pdf.ln(2)

    def bar_chart(self, title: str, data: Sequence[tuple[str, float]], height: float = 45) -> None:
        """Vertical bars with their values printed, labels under each bar."""
        pdf = self.pdf
        if pdf.get_y() + height + 20 > pdf.h - 15:
            pdf.add_page()
        pdf.set_font(FONT, "B", 9)
        pdf.cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
        if not data:
            self.para("(no data)")
            return
        left, top = pdf.l_margin, pdf.get_y() + 4
        width = pdf.w - pdf.l_margin - pdf.r_margin
        top_value = max(v for _, v in data) or 1
        slot = width / len(data)
        bar = slot * 0.7
        pdf.set_draw_color(150, 150, 150)
        pdf.line(left, top + height, left + width, top + height)
        pdf.set_fill_color(*_BAR)
        pdf.set_font(FONT, "", 6)
        for i, (label, value) in enumerate(data):
            h = height * value / top_value
            x = left + i * slot + (slot - bar) / 2
            if h > 0:
                pdf.rect(x, top + height - h, bar, h, style="F")
            pdf.set_xy(left + i * slot, top + height - h - 3.5)
            pdf.cell(slot, 3, _number(value), align="C")
            pdf.set_xy(left + i * slot, top + height + 0.5)
            pdf.cell(slot, 3, _fit(pdf, label, slot), align="C")
        pdf.set_xy(left, top + height + 6)
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to fit ``width`` with an ellipsis, so a column never overruns."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text + "…"
