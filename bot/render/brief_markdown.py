"""Writes a briefing note as Markdown: the same blocks as the PDF, the chart embedded as a data URI.

Record text is escaped, so names and excerpts read literally in any Markdown viewer; the
citation marks ("[1]", the notes' own) are not, as no link follows them.
"""

from __future__ import annotations

import base64
import re

from bot.render.brief_document import Document, Excerpt, Heading, Image, Note, Paragraph, Table

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def esc(text: str) -> str:
    """Record text shown literally: Markdown's markers backslash-escaped, lines kept as one."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def unescape(text: str) -> str:
    """The text `esc` escaped (for checking excerpts in a note)."""
    return re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", text)


def build_markdown(document: Document) -> str:
    out = [f"# {esc(document.title)}", "", f"*{esc(document.subtitle)}*  ", f"*Made {esc(document.made)}*", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            out += [f"{'#' * (block.level + 1)} {esc(block.text)}", ""]
        elif isinstance(block, Paragraph):
            lead = f"**{esc(block.lead.strip())}** " if block.lead.strip() else ""
            out += [f"{lead}{esc(block.text)}{' ' + block.cite if block.cite else ''}", ""]
        elif isinstance(block, Excerpt):
            out += [f"> “{esc(block.text)}”{' ' + block.cite if block.cite else ''}", ""]
        elif isinstance(block, Note):
            out += [f"> **Note:** *{esc(block.text)}*", ""]
        elif isinstance(block, Table):
            out.append("| " + " | ".join(esc(h) for h in block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Image):
            data = base64.b64encode(block.png).decode("ascii")
            out += [f"![{esc(block.caption)}](data:image/png;base64,{data})", "", f"*{esc(block.caption)}*", ""]
    if document.sources:
        out += [f"## {esc(document.sources_heading)}", ""]
        out += [f"{e.mark} {esc(e.text)}  " for e in document.sources]
        out.append("")
    if document.footer:
        out += ["---", f"*{esc(document.footer)}*", ""]
    return "\n".join(out)
