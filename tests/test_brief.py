"""/brief: the PDFs and Markdown notes, read back for the facts, citations and verbatim excerpts."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.render import brief, brief_notes, chart
from bot.render.brief_document import Document, Excerpt, Heading, Note, Paragraph, SourceEntry
from bot.render.brief_markdown import unescape
from bot.render.brief_notes import dialogue_note, verbatim
from bot.render.brief_pdf import FONTS, build_pdf, font_dir
from db import queries as q
from tests.test_commands import assert_within_limits

A4 = (595.28, 841.89)  # points


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces, as excerpts are compared."""
    return " ".join(text.split())


def read(outcome) -> tuple[str, str, PdfReader]:  # type: ignore[no-untyped-def]
    """(the PDF's text, the Markdown's text, the PDF) of a /brief reply."""
    files = {f.filename.rsplit(".", 1)[1]: f.data for f in outcome.events[-1].message.files}
    assert set(files) == {"pdf", "md"}
    reader = PdfReader(io.BytesIO(files["pdf"]))
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    return text, files["md"].decode("utf-8"), reader


def assert_note_basics(text: str, markdown: str, reader: PdfReader, sources: int) -> None:
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text
    assert re.search(r"Made \d{1,2} [A-Z][a-z]+ 20\d\d", text)
    assert "Sources" in text and "## Sources" in markdown
    for n in range(1, sources + 1):
        assert f"[{n}]" in text
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in name for name in fonts), fonts  # embedded, not the reader's own


async def test_state_note_cites_every_position_with_its_excerpt_and_who_else_the_source_names(console, store):
    outcome = await console.run("/brief state state:Ivory Coast")
    assert not outcome.error
    assert_within_limits(outcome)
    final = outcome.events[-1]
    assert outcome.events[0].action == "defer" and final.message.ephemeral  # private by default
    text, markdown, reader = read(outcome)
    async with store.sessions() as session:
        record = await q.state_brief(session, "Côte d'Ivoire")
    assert record is not None and record.positions
    assert_note_basics(text, markdown, reader, len(record.profile.sources))
    assert "Côte d'Ivoire" in text and "UN member state · CIV" in text
    for company in record.positions:
        p = company.position
        assert flat(p.summary) in text
        assert verbatim(p.excerpt) in text, p.excerpt
        assert verbatim(p.excerpt) in unescape(markdown)
    assert "Alongside, in the same passage: Sierra Leone" in text  # "states such as Cote d'Ivoire and Sierra Leone"
    assert "does not say whether Côte d'Ivoire is among them" in text

    estonia, _, _ = read(await console.run("/brief state state:Estonia"))
    assert "Statement: on behalf of Latvia, Lithuania; delivered" in estonia
    singapore, _, _ = read(await console.run("/brief state state:Singapore"))
    assert "distributed but not delivered" in singapore
    assert "distributed but not delivered; distributed but not delivered" not in singapore
    outcome = await console.run("/brief state state:Atlantis")
    assert outcome.error and all(e.message.ephemeral for e in outcome.events)


async def test_state_brief_names_only_actors_the_same_source_names_and_keeps_unnamed_groups_apart(store):
    async with store.sessions() as session:
        record = await q.state_brief(session, "Côte d'Ivoire")
    civil = next(c for c in record.positions if c.position.theme.slug == "civil-society-role")
    assert "Sierra Leone" in {o.actor for o in civil.alongside}
    for company in record.positions:
        p = company.position
        assert all(o.actor != p.actor for o in company.alongside)
        assert all((o.source, o.year, o.theme) == (p.source, p.year, p.theme) for o in company.alongside)
        assert all(u.source == p.source and u.theme == p.theme for u in company.unnamed)


async def test_theme_note_embeds_its_chart_and_keeps_unnamed_groups_as_counts(console, store):
    outcome = await console.run("/brief theme theme:veto public:True")
    assert not outcome.error
    assert not outcome.events[-1].message.ephemeral  # public:True posts it for the channel
    text, markdown, reader = read(outcome)
    async with store.sessions() as session:
        states = await q.theme_states(session, "veto-restraint")
    assert_note_basics(text, markdown, reader, len(states.sources))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1 and images[0].image.width > 500
    assert "data:image/png;base64," in markdown
    assert "Fourteen states (14), not named in the source" in text
    for g in states.groups:
        assert f"{g.year} — " in text
        for p in g.positions:
            assert p.actor in text and verbatim(p.excerpt) in text
        for u in g.unnamed:
            assert verbatim(u.excerpt) in text and verbatim(u.excerpt) in unescape(markdown)

    text, _, _ = read(await console.run("/brief theme theme:prevention dialogue:2014"))
    assert "2014 — 12 named, partial list" in text
    assert "The source's list is partial" in text
    assert "Luxembourg" in text and "and many others" in text


async def test_dialogue_note_sets_conflicting_report_dates_side_by_side(console, store):
    outcome = await console.run("/brief dialogue year:2011")
    assert not outcome.error
    text, markdown, reader = read(outcome)
    async with store.sessions() as session:
        detail = await q.dialogue_detail(session, 2011)
    assert_note_basics(text, markdown, reader, len(detail.sources))
    assert "the sources differ" in text and "The sources give 3 different dates" in text
    assert "2011-07-07" in text and "2011-06-27" in text
    for claim in detail.claims:
        assert verbatim(claim.excerpt) in text, claim.excerpt
    for role in detail.roles:
        assert role.actor in text and verbatim(role.excerpt) in text
    for statement in detail.statements:
        assert statement.actor in text and verbatim(statement.excerpt) in text
    for theme in detail.themes:
        assert theme.theme.name in text
    assert "distributed, not delivered" in text  # Singapore's statement
    assert "Participation, as each source states it" in text
    assert (await console.run("/brief dialogue year:1999")).error


async def test_a_note_too_large_for_the_servers_attachment_limit_says_so(store):
    async with store.sessions() as session:
        detail = await q.dialogue_detail(session, 2014)
    document, citations = dialogue_note(detail, date(2026, 1, 1))
    reply = await brief.note_reply(document, citations, public=True, size_limit=10_000)
    assert reply.error and reply.ephemeral and not reply.files
    assert "over this server's attachment limit" in reply.first[0].description
    fits = await brief.note_reply(document, citations, public=True, size_limit=10 * 1024 * 1024)
    assert not fits.error and not fits.ephemeral and len(fits.files) == 2
    assert any(key[0] is brief.build_files for key in chart.DRAWER._pngs)  # built by the worker process
    chart.DRAWER.shutdown()




async def test_a_note_too_long_to_print_details_the_most_recent_and_says_what_it_leaves_out(store, monkeypatch):
    monkeypatch.setattr(brief_notes, "MAX_ENTRIES", 1)
    async with store.sessions() as session:
        record = await q.state_brief(session, "Côte d'Ivoire")
        states = await q.theme_states(session, "veto-restraint")
    document, _ = brief_notes.state_note(record, [2011, 2012, 2014], date(2026, 1, 1))
    notes = [b.text for b in document.blocks if isinstance(b, Note)]
    assert "This note details the 1 most recent of Côte d'Ivoire's 2 positions" in " ".join(notes)
    assert sum(isinstance(b, Excerpt) for b in document.blocks) == 1
    document, _ = brief_notes.theme_note(states, None, None, [2011, 2012, 2014], date(2026, 1, 1))
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert "2014 — 3 named" in headings and not any(h.startswith("2012") for h in headings)
    assert any("those of 2012 are counted in the table above only" in b.text
               for b in document.blocks if isinstance(b, Note))


def test_the_fonts_render_every_name():
    from fontTools.ttLib import TTFont

    names = ["Côte d'Ivoire", "Türkiye", "São Tomé and Príncipe", "“Réunion” — Curaçao’s"]
    for name in set(FONTS.values()):
        cmap = TTFont(font_dir() / name).getBestCmap()
        assert all(ord(ch) in cmap for ch in "".join(names)), name
    document = Document(
        stem="brief-test", title="Côte d'Ivoire, Türkiye", subtitle="São Tomé and Príncipe", made="1 January 2026",
        blocks=(Heading("Positions"), Paragraph("Türkiye", lead="2014 · "), Excerpt("São Tomé and Príncipe", "[1]")),
        sources=(SourceEntry("[1]", "ICRtoP, “Côte d'Ivoire”"),),
    )
    pdf, pages = build_pdf(document)
    text = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert pages == 1
    for name in names[:3]:
        assert name in text


@pytest.mark.processes
def test_the_benchmark_times_every_kind_of_note(db_path, tmp_path):
    """`python -m benchmarks.briefs` at one run each, in its own process (as the other benchmarks' smoke test)."""
    out = tmp_path / "briefs.md"
    done = subprocess.run([sys.executable, "-m", "benchmarks.briefs", "--runs", "1", "--out", str(out),
                           "--database", str(db_path)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: a target missed on a busy machine
    rows = [line for line in out.read_text().splitlines() if line.startswith("| `/brief ")]
    assert [row.split("`")[1] for row in rows] == [
        "/brief state state:", "/brief theme theme: [dialogue:]", "/brief dialogue year:"]
    assert all(" met " in row or " MISSED " in row for row in rows)
