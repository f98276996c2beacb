"""The words of the three briefing notes (on an actor, a theme, a dialogue), as blocks for the writers.

Every fact carries the mark of the source it comes from, most with the source's
own words beside it, verbatim; the sources are listed at the end. Groups a
source counts without names stay counts, and partial lists say so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from bot.render.brief_document import Block, Document, Excerpt, Heading, Image, Note, Paragraph, SourceEntry, Table
from bot.render.labels import ACTOR_KINDS, MEASURES, ROLES, meeting_kind
from bot.render.layout import Citations
from db.passages import clean
from db.results import (
    SourceClaim,
    DialogueDetail,
    PositionCompany,
    PositionInfo,
    SourceRef,
    StateBrief,
    StatementInfo,
    ThemeCount,
    ThemeStates,
    UnnamedInfo,
)

PARTIAL = "The source's list is partial (“such as”, “and many others”): others raised this too, unnamed."
MAX_ENTRIES = 120  # positions a note details: about 15 printed pages, laid out within a second or two
REPORT_FIELDS = (("report_title", "Title"), ("report_symbol", "Symbol"), ("report_date", "Date"))


def made_on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def file_stem(kind: str, name: str) -> str:
    """`brief-state-cote-d-ivoire`: ASCII, lower case, safe in every file system."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "note"
    return f"brief-{kind}-{slug}"


def verbatim(text: str) -> str:
    """A source's words as the reader sees them: the web capture's link and emphasis markup dropped
    (`[Singapore](#)` reads "Singapore"), runs of spaces made one, as in every other answer."""
    return clean(text)


def source_entry(ref: SourceRef) -> str:
    when = ref.date or ref.date_note or "undated"
    return f"{ref.publisher}, “{ref.title}” ({when})."


def _sources(citations: Citations) -> tuple[SourceEntry, ...]:
    return tuple(SourceEntry(citations.cite(ref), source_entry(ref)) for ref in citations.refs)


def _years_text(years: Sequence[int]) -> str:
    shown = [str(y) for y in sorted(years)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1] if shown else "no"


def _scope(detailed_years: Sequence[int]) -> str:
    if len(detailed_years) > 6:
        which = f"{len(detailed_years)} dialogues, from {min(detailed_years)} to {max(detailed_years)},"
    else:
        which = f"the {_years_text(detailed_years)} dialogues"
    return f"Only {which} have detailed records of who said what, and some of the sources' lists are partial."


def _document(kind: str, name: str, title: str, subtitle: str, blocks: list[Block], citations: Citations,
              day: date) -> tuple[Document, Citations]:
    """The note and the sources it cites, numbered in citing order."""
    return Document(
        stem=file_stem(kind, name), title=title, subtitle=subtitle, made=made_on(day), blocks=tuple(blocks),
        sources=_sources(citations),
        footer="RtoP dialogues briefing bot · every fact cites a source listed at the end",
    ), citations


def _count(n: int, noun: str, tail: str = "") -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}{tail}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _statement_details(statement: StatementInfo) -> str:
    bits = list(dict.fromkeys(statement.details()))  # a note may repeat "distributed but not delivered"
    return "; ".join(bits + (["delivered"] if statement.delivered else []))


def _unnamed_text(u: UnnamedInfo) -> str:
    count = f" ({u.count})" if u.count is not None else ""
    return f"{u.quantity}{count}, not named in the source — {u.summary}"


# -- on an actor ---------------------------------------------------------------------------------


def state_note(brief: StateBrief, detailed_years: Sequence[int], day: date) -> tuple[Document, Citations]:
    profile = brief.profile
    citations = Citations()
    heading = ACTOR_KINDS.get(profile.kind, profile.kind) + (f" · {profile.iso3}" if profile.iso3 else "")
    if profile.aliases:
        heading += " · also known as " + ", ".join(profile.aliases[:12])
    themes = {c.position.theme.slug for c in brief.positions}
    counts = [_count(len(profile.statements), "statement"),
              _count(len(profile.spoken_for), "statement", " made on its behalf"),
              _count(len(brief.positions), "position") + (f" on {_count(len(themes), 'theme')}" if themes else ""),
              _count(len(profile.roles), "role"), _count(len(profile.quotes), "quote")]
    recorded = [c for c in counts if not c.startswith("0 ")]
    blocks: list[Block] = [Paragraph(
        f"What the sources record of {profile.name} at the General Assembly's dialogues on the Responsibility to "
        f"Protect: {_and(recorded)}. Each fact is cited; the source's own words follow it, verbatim. "
        f"{_scope(detailed_years)}"
    ) if recorded else Paragraph(
        f"The sources record no statement, role, position or quote for {profile.name} at the General Assembly's "
        f"dialogues on the Responsibility to Protect. {_scope(detailed_years)}"
    )]

    if profile.statements or profile.spoken_for:
        blocks.append(Heading("Statements"))
    for s in profile.statements:
        details = _statement_details(s)
        blocks.append(Paragraph(f"Statement: {details}", lead=f"{s.year} · ",
                                cite=citations.cite(s.source)))
        blocks.append(Excerpt(verbatim(s.excerpt)))
    for s in profile.spoken_for:
        blocks.append(Paragraph(f"{s.actor} spoke on its behalf", lead=f"{s.year} · ", cite=citations.cite(s.source)))
        blocks.append(Excerpt(verbatim(s.excerpt)))

    if profile.roles:
        blocks.append(Heading("Roles"))
    for r in profile.roles:
        blocks.append(Paragraph(ROLES.get(r.role, r.role) + (f": {r.title}" if r.title else ""),
                                lead=f"{r.year} · ", cite=citations.cite(r.source)))
        blocks.append(Excerpt(verbatim(r.excerpt)))

    shown = {id(c) for c in sorted(brief.positions, key=lambda c: -c.position.year)[:MAX_ENTRIES]}  # the most recent
    by_theme: dict[str, list[PositionCompany]] = {}
    for c in brief.positions:
        if id(c) in shown:
            by_theme.setdefault(c.position.theme.name, []).append(c)
    if by_theme:
        blocks.append(Heading("Positions by theme"))
    left_out = [c.position.year for c in brief.positions if id(c) not in shown]
    if left_out:
        blocks.append(Note(
            f"This note details the {len(shown)} most recent of {profile.name}'s {len(brief.positions)} positions, "
            f"to stay printable; {_count(len(left_out), 'other')}, at the {_years_text(sorted(set(left_out)))} "
            "dialogues, are left out (`/state profile` lists every one)."
        ))
    for theme, companies in by_theme.items():
        blocks.append(Heading(theme, level=2))
        for c in companies:
            blocks += _position_blocks(profile.name, c, citations)

    if profile.quotes:
        blocks.append(Heading("Quotes"))
    for q in profile.quotes:
        blocks.append(Paragraph(f"{q.speaker} said", lead=f"{q.year} · ", cite=citations.cite(q.source)))
        blocks.append(Excerpt(verbatim(q.text)))
    return _document("state", profile.name, profile.name, f"Briefing note on a {heading}", blocks, citations, day)


def _position_blocks(actor: str, company: PositionCompany, citations: Citations) -> list[Block]:
    p = company.position
    mark = citations.cite(p.source)
    blocks: list[Block] = [
        Paragraph(p.summary, lead=f"{p.year} · {p.stance.capitalize()} — ", cite=mark),
        Excerpt(verbatim(p.excerpt)),
    ]
    def names(others: Iterable[PositionInfo]) -> str:
        return ", ".join(dict.fromkeys(o.actor + ("" if o.stance == p.stance else f" ({o.stance})") for o in others))

    same_passage = [o for o in company.alongside if o.excerpt == p.excerpt]
    in_passage = {o.actor for o in same_passage}
    elsewhere = [o for o in company.alongside if o.excerpt != p.excerpt and o.actor not in in_passage]
    if same_passage:
        blocks.append(Paragraph(names(same_passage), lead="Alongside, in the same passage: ", cite=mark))
    if elsewhere:
        blocks.append(Paragraph(names(elsewhere), lead="Also named on this theme by the same source: ", cite=mark))
    if not company.alongside:
        blocks.append(Paragraph("the same source names no other actor on this theme at this dialogue.",
                                lead="Alongside: ", cite=mark))
    if p.partial:
        blocks.append(Note(PARTIAL))
    for u in company.unnamed:
        blocks.append(Note(
            f"The same source also counts {u.quantity}" + (f" ({u.count})" if u.count is not None else "")
            + f" on this theme without naming them; it does not say whether {actor} is among them. {mark}"
        ))
    return blocks


# -- on a theme ------------------------------------------------------------------------------------


def theme_note(states: ThemeStates, year: int | None, chart_png: bytes | None, detailed_years: Sequence[int],
               day: date) -> tuple[Document, Citations]:
    """`chart_png`: the theme's chart over the dialogues of `states`, or None where no actor is named to draw."""
    theme = states.theme
    citations = Citations()
    where = f" at the {year} dialogue" if year else ""
    pillar = f" · related to pillar {theme.pillar}" if theme.pillar else ""
    blocks: list[Block] = [
        Paragraph(theme.description),
        Paragraph(
            f"Who raised “{theme.name}”{where}, with their stance, what they said and the source's own words, "
            f"verbatim. Groups a source counts without names stay counts. {_scope(detailed_years)}"
        ),
    ]
    if not states.groups:
        blocks.append(Note(f"No actor is recorded raising this theme{where}."))
    else:
        rows = []
        for g in states.groups:
            unnamed = "; ".join(u.quantity + (f" ({u.count})" if u.count is not None else "") for u in g.unnamed)
            named = len({p.actor for p in g.positions})
            rows.append((str(g.year), str(named), "yes: others unnamed" if g.partial else "not marked partial",
                         unnamed or "none"))
        blocks += [Heading("At a glance"),
                   Table(("Dialogue", "Named actors", "Partial list", "Counted, not named"), tuple(rows),
                         (16, 18, 24, 42))]
    if chart_png is not None:
        chart_years = [g.year for g in states.groups]
        blocks.append(Image(chart_png, f"Actors the sources name on “{theme.name}” at the {_years_text(chart_years)} "
                                       f"{'dialogue' if len(chart_years) == 1 else 'dialogues'}, by stance; "
                                       "groups counted without names are noted above the bars."))
    elif states.groups:
        blocks.append(Note("No chart: the sources name no actor on this theme; only unnamed groups raised it."))
    budget, left_out = MAX_ENTRIES, []
    for g in sorted(states.groups, key=lambda g: -g.year):  # the most recent dialogues are detailed first
        entries = len({(p.stance, p.summary, p.excerpt, p.source) for p in g.positions}) + len(g.unnamed)
        if budget <= 0:
            left_out.append(g.year)
        budget -= entries
    if left_out:
        blocks.append(Note(
            f"To stay printable this note details the most recent dialogues; those of {_years_text(left_out)} "
            "are counted in the table above only. Ask for one of them with `dialogue:`."
        ))
    for g in (g for g in states.groups if g.year not in left_out):
        named = len({p.actor for p in g.positions})
        blocks.append(Heading(f"{g.year} — {named} named" + (", partial list" if g.partial else "")))
        if g.partial:
            blocks.append(Note(PARTIAL))
        together: dict[tuple[str, str, str, SourceRef], list[PositionInfo]] = {}
        for p in g.positions:  # actors a source names in one breath share one summary and one excerpt
            together.setdefault((p.stance, p.summary, p.excerpt, p.source), []).append(p)
        if len(together) > MAX_ENTRIES:  # one dialogue with more than a note can hold
            blocks.append(Note(f"The first {MAX_ENTRIES} of {len(together)} entries of {g.year} are detailed."))
        for (stance, summary, excerpt, source), positions in list(together.items())[:MAX_ENTRIES]:
            names = ", ".join(dict.fromkeys(p.actor for p in positions))
            blocks.append(Paragraph(f"{names} — {summary}", lead=f"{stance.capitalize()}: ",
                                    cite=citations.cite(source)))
            blocks.append(Excerpt(verbatim(excerpt)))
        for u in g.unnamed:
            blocks.append(Paragraph(_unnamed_text(u), lead="Counted, not named: ", cite=citations.cite(u.source)))
            blocks.append(Excerpt(verbatim(u.excerpt)))
    return _document("theme", theme.slug + (f"-{year}" if year else ""), f"{theme.name}{where}",
                     f"Briefing note on a theme{pillar}", blocks, citations, day)


# -- on a dialogue ----------------------------------------------------------------------------------


def dialogue_note(detail: DialogueDetail, day: date) -> tuple[Document, Citations]:
    s = detail.summary
    citations = Citations()
    kind = meeting_kind(s.kind)
    facts: list[Block] = [Paragraph(s.dates or "no meeting held", lead="When: "), Paragraph(kind, lead="Kind: ")]
    if s.meeting.casefold() != kind.casefold():
        facts.append(Paragraph(s.meeting, lead="Meeting: "))
    for c in detail.claims_for("ordinal"):
        facts += [Paragraph(c.value_text, lead="Ordinal: ", cite=citations.cite(c.source)),
                  Excerpt(verbatim(c.excerpt))]
    if detail.focus_pillars:
        facts.append(Paragraph(", ".join(str(p) for p in detail.focus_pillars), lead="Focus: pillar "))
    if detail.notes:
        facts.append(Paragraph(detail.notes, lead="Notes: "))
    blocks: list[Block] = [Heading("The meeting"), *facts]
    if not s.detailed:
        blocks.append(Note("No detailed record of who said what exists for this meeting; the figures are as reported."))

    report = list(_report_blocks(detail, citations))
    if report:
        blocks += [Heading("Secretary-General's report"), *report]
    sessions = detail.claims_for("session")
    if sessions:
        blocks.append(Heading("Sessions"))
    for c in sessions:
        blocks += [Paragraph(c.value_text, lead=f"{(c.measure or '').capitalize()} session: ", cite=citations.cite(c.source)),
                   Excerpt(verbatim(c.excerpt))]
    if detail.roles:
        blocks.append(Heading("Opening, moderation and panel"))
    for r in detail.roles:
        title = f", {r.title}" if r.title and r.title != r.actor else ""
        blocks += [Paragraph(f"{r.actor}{title}", lead=f"{ROLES.get(r.role, r.role)}: ",
                             cite=citations.cite(r.source)),
                   Excerpt(verbatim(r.excerpt))]
    participation = detail.claims_for("participation")
    if participation:
        blocks += [Heading("Participation, as each source states it"), Table(
            ("Source", "Counted", "Figure", "In the source's words"),
            tuple((citations.cite(c.source), _measure(c), _figure(c), f"“{verbatim(c.excerpt)}”") for c in participation),
            (10, 22, 20, 48),
        )]
    if detail.themes:
        blocks += [Heading(f"Themes raised ({len(detail.themes)})"), Table(
            ("Theme", "Named actors", "Counted, not named"),
            tuple(_theme_row(t) for t in detail.themes),
            (46, 18, 36),
        )]
        for t in detail.themes:
            for u in t.unnamed:
                citations.cite(u.source)
    if detail.statements:
        blocks += [Heading(f"Statements listed ({len(detail.statements)})"), Table(
            ("Actor", "Language", "On behalf of", "Delivered", "In the source's words"),
            tuple((st.actor, " and ".join(st.languages) or "not stated", ", ".join(st.on_behalf_of) or "—",
                   "yes" if st.delivered else "distributed, not delivered",
                   f"{citations.cite(st.source)} “{verbatim(st.excerpt)}”")
                  for st in detail.statements),
            (24, 13, 22, 14, 27),
        )]
    if detail.quotes:
        blocks.append(Heading("Notable quotes"))
    for q in detail.quotes:
        blocks += [Paragraph(q.speaker, lead="", cite=citations.cite(q.source)), Excerpt(verbatim(q.text))]
    for ref in detail.sources:
        citations.cite(ref)
    if detail.source_urls:
        blocks += [Heading("Further reading"), *(Paragraph(u) for u in detail.source_urls)]
    title = f"{s.year} — " + (s.title or s.report_title or kind)
    return _document("dialogue", str(s.year), title, f"Briefing note on a meeting · {kind}", blocks, citations, day)


def _measure(c: SourceClaim) -> str:
    return MEASURES.get(c.measure or "", (c.measure or c.field).replace("_", " "))


def _figure(c: SourceClaim) -> str:
    if c.value_int is None:
        return c.value_text
    if c.value_text and c.value_text != str(c.value_int):
        return f"{c.value_int} (“{c.value_text}”)"
    return str(c.value_int)


def _theme_row(t: ThemeCount) -> tuple[str, str, str]:
    unnamed = "; ".join(u.quantity + (f" ({u.count})" if u.count is not None else "") for u in t.unnamed)
    return t.theme.name, f"{t.named_actors}" + (" (partial list)" if t.partial else ""), unnamed or "—"


def _report_blocks(detail: DialogueDetail, citations: Citations) -> Iterable[Block]:
    """Each report field; where the sources differ, their values side by side with their words."""
    for field_name, label in REPORT_FIELDS:
        claims = detail.claims_for(field_name)
        values: dict[str, list[SourceClaim]] = {}
        spelled: dict[str, str] = {}  # the same value in another case or spacing is the same claim
        for c in claims:
            value = spelled.setdefault(" ".join(c.value_text.split()).casefold(), c.value_text)
            values.setdefault(value, []).append(c)
        recorded = getattr(detail.summary, field_name)
        admin_only = recorded and " ".join(recorded.split()).casefold() not in spelled
        if len(values) > 1:
            differ = field_name == "report_date"  # a title or symbol may be given in part; a date either is or is not
            yield Paragraph("the sources differ; each claim is kept with its source." if differ
                            else "as each source gives it.", lead=f"{label}: ")
            yield Table(
                tuple(values),
                (tuple("\n".join(f"{citations.cite(c.source)} “{verbatim(c.excerpt)}”" for c in group)
                       for group in values.values()),),
                tuple(1 for _ in values),
            )
            if differ:
                yield Note(f"The sources give {len(values)} different dates: "
                           + "; ".join(f"{v} {''.join(dict.fromkeys(citations.cite(c.source) for c in group))}"
                                       for v, group in values.items()) + ". Each is kept: check before quoting one.")
        for value, group in values.items() if len(values) == 1 else ():
            marks = "".join(dict.fromkeys(citations.cite(c.source) for c in group))
            yield Paragraph(value, lead=f"{label}: ", cite=marks)
            for text in dict.fromkeys(verbatim(c.excerpt) for c in group):
                yield Excerpt(text)
        if admin_only:
            yield Paragraph(f"{recorded} (recorded by a server admin)", lead=f"{label}: ")
