"""A briefing note as a reply: its PDF and Markdown, built in the worker process, attached to a short embed.

fpdf2 lays a note out in a tenth to a half of a second of pure Python, which in
the bot's own process would hold every other answer up: the chart worker
(`bot.render.chart.DRAWER`) builds it, and keeps the files of the same note
(the records unchanged, the same day) for the next person who asks.
"""

from __future__ import annotations

from bot.render import limits
from bot.render.brief_chart import ThemeFigures, YearBar, draw_theme
from bot.render.brief_document import Document, Heading
from bot.render.brief_markdown import build_markdown
from bot.render.brief_pdf import build_pdf
from bot.render.chart import DRAWER
from bot.render.layout import NOTICE, Attachment, Citations, Reply, Section, build_reply, message_reply
from db.results import ThemeStates

MB = 1024 * 1024
MAX_CONTENTS = 12  # sections named in the reply; the PDF's outline has them all


def build_files(document: Document) -> tuple[bytes, bytes, int]:
    """(the PDF, the Markdown, the PDF's pages): what the worker makes of a note."""
    pdf, pages = build_pdf(document)
    return pdf, build_markdown(document).encode("utf-8"), pages


def theme_figures(states: ThemeStates) -> ThemeFigures:
    """Per dialogue, the actors named with each stance and the groups counted without names."""
    bars = []
    for g in states.groups:
        stances: dict[str, set[str]] = {}
        for p in g.positions:
            stances.setdefault(p.stance, set()).add(p.actor)
        counted = [u.count for u in g.unnamed if u.count is not None]
        if not g.unnamed:
            unnamed = ""
        elif len(counted) == len(g.unnamed):
            unnamed = f"{sum(counted)} unnamed"
        else:
            unnamed = f"{len(g.unnamed)} unnamed {'group' if len(g.unnamed) == 1 else 'groups'}"
        bars.append(YearBar(g.year, tuple(sorted((s, len(a)) for s, a in stances.items())), unnamed))
    return tuple(bars)


async def theme_chart_png(states: ThemeStates) -> bytes | None:
    """The theme's chart, drawn in the worker and kept like every chart; None when no actor is named to draw."""
    figures = theme_figures(states)
    if not any(n for bar in figures for _, n in bar.named):
        return None
    title = limits.clip(f"“{states.theme.name}”: actors the sources name, by stance", 110)
    png: bytes = await DRAWER.made(draw_theme, figures, title)
    return png


async def note_files(document: Document) -> tuple[bytes, bytes, int]:
    files: tuple[bytes, bytes, int] = await DRAWER.made(build_files, document)
    return files


async def note_reply(document: Document, citations: Citations, *, public: bool, size_limit: int) -> Reply:
    """The note's files attached to an embed that says what they hold; private unless `public`."""
    pdf, markdown, pages = await note_files(document)
    size = len(pdf) + len(markdown)
    if size > size_limit:
        return message_reply(
            "Briefing note too large to attach",
            f"The note on {limits.clip(document.title, 200)} would be {size / MB:.1f} MB, over this server's "
            f"attachment limit of {size_limit / MB:.0f} MB. Ask for a narrower one (for a theme, add `dialogue:`).",
            colour=NOTICE, error=True,
        )
    contents = [block.text for block in document.blocks if isinstance(block, Heading) and block.level == 1]
    if len(contents) > MAX_CONTENTS:
        contents[MAX_CONTENTS - 1:] = [f"{len(contents) - MAX_CONTENTS + 1} more sections"]
    reply = build_reply(
        limits.clip(f"Briefing note: {document.title}", limits.EMBED_TITLE),
        description=(
            f"A PDF (A4, {pages} {'page' if pages == 1 else 'pages'}) and the same note in Markdown are attached, "
            f"made {document.made}. Every fact cites its source, listed at the end, and the source's own words "
            "follow it, verbatim."
        ),
        sections=[Section("Contents", [" · ".join(contents + [document.sources_heading])])],
        citations=citations,
        ephemeral=not public,
    )
    reply.files += [
        Attachment(f"{document.stem}.pdf", pdf, description=limits.clip(f"Briefing note (PDF): {document.title}", 1000)),
        Attachment(f"{document.stem}.md", markdown,
                   description=limits.clip(f"Briefing note (Markdown): {document.title}", 1000)),
    ]
    return reply
