"""Typesets a briefing note as an A4 PDF (fpdf2), in the DejaVu fonts matplotlib ships.

DejaVu covers every name in the records (Côte d'Ivoire, Türkiye, São Tomé and
Príncipe) and the typographic quotes of the excerpts; the fonts are embedded, as
subsets, so the note prints the same everywhere. Runs in the worker process (see
`bot.render.chart`), so it imports nothing of the bot's but the plain blocks.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, cast
import threading
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from bot.render.brief_document import Document, Excerpt, Heading, Image, Note, Paragraph, Table

if TYPE_CHECKING:  # imported where a PDF is made: only the worker process needs fpdf
    from fpdf import FPDF

INK = (33, 37, 41)
MUTED = (96, 103, 112)
ACCENT = (31, 111, 178)  # the bot's answer blue
RULE = (190, 198, 207)
NOTE_FILL = (253, 246, 227)
HEAD_FILL = (232, 240, 248)
ROW_FILL = (246, 248, 250)  # every other row of a table
MARGIN = 20  # mm
BODY = 10.5  # pt
LINE = 5.2  # mm between lines of body text


@lru_cache(maxsize=1)
def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


FONTS = {  # (family, style) -> file in matplotlib's font folder; each costs every note 15 to 40 ms to load
    ("Sans", ""): "DejaVuSans.ttf",  # the note's own words
    ("Sans", "B"): "DejaVuSans-Bold.ttf",  # headings, leads
    ("Serif", "I"): "DejaVuSerif-Italic.ttf",  # the sources' own words, captions
}


def _blank_pdf() -> FPDF:
    """An A4 document with the fonts loaded and nothing on it yet."""
    from fpdf import FPDF

    class NotePDF(FPDF):
        note: Document

        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("Sans", "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, self.note.title, new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(*RULE)
            self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font("Sans", "", 8)
            self.set_text_color(*MUTED)
            left = " · ".join(x for x in (self.note.footer, f"Made {self.note.made}") if x)
            self.cell(self.epw * 0.75, 5, left)
            self.cell(self.epw * 0.25, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = NotePDF(orientation="P", unit="mm", format="A4")
    for (family, style), name in FONTS.items():
        pdf.add_font(family, style, str(font_dir() / name))
    pdf.set_margins(MARGIN, 18, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    return pdf


# Loading the fonts is half the time a note takes, and a document's fonts are subset (changed)
# when it is written, so each note needs its own. The next note's are loaded once this one is
# done, while the worker waits for work: a thread prepares one blank document ahead. A note
# asked for while it does waits for that document rather than loading a second set beside it.
_PREPARING = threading.Lock()
_READY: list[FPDF] = []  # at most one blank document


def prepare() -> None:
    """Loads the next note's fonts (in the worker, after a note and at start-up)."""
    with _PREPARING:
        if not _READY:
            _READY.append(_blank_pdf())


def _new_pdf(document: Document) -> FPDF:
    with _PREPARING:
        pdf: Any = _READY.pop() if _READY else _blank_pdf()  # a NotePDF, the class _blank_pdf defines
    pdf.note = document
    pdf.set_title(document.title)
    pdf.set_subject(document.subtitle)
    pdf.set_author("RtoP dialogues briefing bot")
    pdf.set_creator("RtoP dialogues briefing bot")
    pdf.set_lang("en")
    pdf.set_creation_date(datetime.now(UTC))
    return cast("FPDF", pdf)


def build_pdf(document: Document) -> tuple[bytes, int]:
    """(the PDF, its number of pages)."""
    pdf = _new_pdf(document)
    pdf.add_page()
    _title(pdf, document)
    blocks = document.blocks
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(block, Paragraph) and isinstance(following, Excerpt):
            _keep_together(pdf, block, following)  # a claim and the source's words on one page
        if isinstance(block, Heading):
            _heading(pdf, block)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Excerpt):
            _excerpt(pdf, block)
        elif isinstance(block, Note):
            _note(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Image):
            _image(pdf, block)
    if document.sources:
        _heading(pdf, Heading(document.sources_heading))
        for entry in document.sources:
            _paragraph(pdf, Paragraph(entry.text, lead=f"{entry.mark} "))
    written = bytes(pdf.output()), pdf.pages_count
    threading.Thread(target=prepare, name="next-note-fonts", daemon=True).start()
    return written


def _title(pdf: FPDF, document: Document) -> None:
    pdf.set_text_color(*ACCENT)
    pdf.set_font("Sans", "B", 9)
    pdf.cell(0, 5, "BRIEFING NOTE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "B", 19)
    pdf.multi_cell(0, 8.5, document.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 5, f"{document.subtitle}\nMade {document.made}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, pdf.get_y() + 2, pdf.w - MARGIN, pdf.get_y() + 2)
    pdf.set_line_width(0.2)
    pdf.ln(6)


def _heading(pdf: FPDF, block: Heading) -> None:
    size, space = (13.5, 5.0) if block.level == 1 else (11.0, 3.0)
    if pdf.will_page_break(size + 22):  # keep a heading with the first lines under it
        pdf.add_page()
    pdf.ln(space)
    if block.level == 1:
        pdf.start_section(block.text, level=0)
    pdf.set_font("Sans", "B", size)
    pdf.set_text_color(*(ACCENT if block.level == 1 else INK))
    pdf.multi_cell(0, size * 0.5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    pdf.set_text_color(*INK)
    pdf.set_x(pdf.l_margin)
    if block.lead:
        pdf.set_font("Sans", "B", BODY)
        pdf.write(LINE, block.lead)
    pdf.set_font("Sans", "", BODY)
    pdf.write(LINE, block.text)
    if block.cite:
        pdf.set_text_color(*ACCENT)
        pdf.write(LINE, f" {block.cite}")
        pdf.set_text_color(*INK)
    pdf.ln(LINE + 1.2)


def _keep_together(pdf: FPDF, paragraph: Paragraph, excerpt: Excerpt) -> None:
    from fpdf.enums import MethodReturnValue

    pdf.set_font("Sans", "", BODY)
    # with output=HEIGHT, multi_cell returns the height alone (its annotation covers every output)
    height = float(cast(float, pdf.multi_cell(0, LINE, f"{paragraph.lead}{paragraph.text} {paragraph.cite}",
                                              dry_run=True, output=MethodReturnValue.HEIGHT)))
    pdf.set_font("Serif", "I", BODY - 0.5)
    height += float(cast(float, pdf.multi_cell(pdf.epw - 6, LINE, f"“{excerpt.text}” {excerpt.cite}",
                                               dry_run=True, output=MethodReturnValue.HEIGHT)))
    if height + 4 < pdf.eph / 2 and pdf.will_page_break(height + 4):
        pdf.add_page()


def _excerpt(pdf: FPDF, block: Excerpt) -> None:
    indent = 6
    page, top = pdf.page, pdf.get_y()
    pdf.set_x(pdf.l_margin + indent)
    pdf.set_font("Serif", "I", BODY - 0.5)
    pdf.set_text_color(*MUTED)
    text = f"“{block.text}”" + (f" {block.cite}" if block.cite else "")
    pdf.multi_cell(pdf.epw - indent, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
    if pdf.page == page:  # a rule beside the quotation, unless it went over a page
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin + 2, top + 0.5, pdf.l_margin + 2, pdf.get_y() - 0.5)
        pdf.set_line_width(0.2)
    pdf.ln(2.2)


def _note(pdf: FPDF, block: Note) -> None:
    pdf.set_font("Sans", "", BODY - 1)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*NOTE_FILL)
    pdf.multi_cell(0, LINE, block.text, fill=True, padding=cast(Any, (1.5, 2.5)), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, block: Table) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font("Sans", "", BODY - 1.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(*ROW_FILL)
    with pdf.table(
        col_widths=block.widths,
        text_align="LEFT",
        line_height=4.4,
        padding=1.4,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        cell_fill_color=ROW_FILL,
        cell_fill_mode="ROWS",
        v_align="TOP",
    ) as table:
        for cells in (block.header, *block.rows):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(3)


def _image(pdf: FPDF, block: Image) -> None:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(block.png)) as picture:
        ratio = picture.height / picture.width
    width = pdf.epw
    height = width * ratio
    if pdf.will_page_break(height + 12):
        pdf.add_page()
    pdf.image(io.BytesIO(block.png), x=pdf.l_margin, w=width)
    pdf.set_font("Serif", "I", BODY - 2)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.2, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
