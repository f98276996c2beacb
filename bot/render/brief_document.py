"""A briefing note as plain blocks, which the PDF and Markdown writers lay out.

The notes (`bot.render.brief_notes`) write every sentence into these blocks; the
writers only typeset them. Blocks are frozen and picklable: the worker process
that builds the files receives them as they are, and they key its cache.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a section (listed in the PDF's outline), 2: a sub-heading


@dataclass(frozen=True)
class Paragraph:
    """`lead` in bold, then `text`, then the citation marks."""

    text: str
    lead: str = ""
    cite: str = ""


@dataclass(frozen=True)
class Excerpt:
    """A source's words, verbatim, in quotation marks."""

    text: str
    cite: str = ""


@dataclass(frozen=True)
class Note:
    """A caution the reader must not miss: partial lists, unnamed groups, differing sources."""

    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str


Block = Heading | Paragraph | Excerpt | Note | Table | Image


@dataclass(frozen=True)
class SourceEntry:
    mark: str  # "[1]"
    text: str  # publisher, title, date


@dataclass(frozen=True)
class Document:
    stem: str  # file name without extension, e.g. "brief-state-cote-d-ivoire"
    title: str
    subtitle: str
    made: str  # the date it was made, as shown
    blocks: tuple[Block, ...]
    sources: tuple[SourceEntry, ...]
    sources_heading: str = "Sources"
    footer: str = ""  # on every PDF page, beside the page number
