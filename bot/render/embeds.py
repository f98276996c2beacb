"""One renderer per query result: result in, Reply (embeds on pages, files) out."""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from discord.utils import escape_markdown, escape_mentions

from bot.render import limits
from bot.render.labels import ACTOR_KINDS, DOCUMENTS, MEASURES, REPORT_KINDS, ROLES, STANCE_MARKS, meeting_kind
from bot.render.evidence import window
from bot.render.layout import INFO, NOTICE, Citations, Reply, Section, build_reply
from bot.render.memo import LAIDOUT, ids
from db.ask import Answer
from db.excerpts import UNVERIFIED
from db.models import MeetingKind
from db.passages import clean
from db.results import (
    ActorProfile,
    SourceClaim,
    DialogueDetail,
    DialogueSummary,
    PillarExplainer,
    PositionInfo,
    RoleInfo,
    SourceRef,
    StatementInfo,
    ThemeCount,
    ThemeDialogueGroup,
    ThemeStates,
    UnnamedInfo,
)

EXCERPT_CHARS = 300


def esc(text: str | None) -> str:
    """Data and user text shown literally: no markdown, no mentions."""
    return escape_mentions(escape_markdown(text or ""))


def quote(excerpt: str, limit: int = EXCERPT_CHARS) -> str:
    return f"“{esc(limits.clip(clean(excerpt), limit))}”"


def evidence(excerpt: str, limit: int, claim_terms: Sequence[str], actor_terms: Sequence[str] = (),
             source: SourceRef | None = None) -> str:
    """A quoted excerpt, cut (if it must be) around the words that prove the claim; marked when its source
    has no stored text to check it against."""
    mark = f" *({UNVERIFIED})*" if source is not None and not source.verified else ""
    return f"“{esc(window(excerpt, claim_terms, limit, actor_terms))}”{mark}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def joined(items: Iterable[str], limit: int = limits.FIELD_VALUE - 24, sep: str = ", ") -> list[str]:
    """Items joined into lines of at most `limit` characters, breaking only between items."""
    lines, current = [], ""
    for item in items:
        candidate = f"{current}{sep}{item}" if current else item
        if current and len(candidate) > limit:
            lines.append(current + sep.rstrip())
            current = item
        else:
            current = candidate
    return lines + ([current] if current else [])


def role_text(r: RoleInfo) -> str:
    """Who, and in what capacity, without saying the name twice when the title already holds it."""
    name = esc(r.actor)
    if not r.title or r.title.casefold() == r.actor.casefold():
        text = name
    elif r.actor.casefold() in r.title.casefold():
        text = esc(r.title)
    else:
        text = f"{name}, {esc(r.title)}"
    return text + (f" ({esc(r.session)} session)" if r.session else "")


def once(texts: Iterable[str]) -> list[str]:
    """The texts in order, each said once whatever its case ("Member States", "Member states")."""
    seen: dict[str, str] = {}
    for text in texts:
        seen.setdefault(text.casefold(), text)
    return list(seen.values())


def unnamed_label(u: UnnamedInfo) -> str:
    return esc(u.quantity) + (f" ({u.count})" if u.count is not None and str(u.count) not in u.quantity else "")


def _details(statement: StatementInfo) -> str:
    bits = statement.details()
    return f" ({esc('; '.join(bits))})" if bits else ""


# -- /dialogue ---------------------------------------------------------------


def dialogue_list(dialogues: Sequence[DialogueSummary], timeline: SourceRef | None) -> Reply:
    dialogues = tuple(dialogues)
    return LAIDOUT.reply(("dialogue_list", ids(dialogues), id(timeline)), (dialogues, timeline),
                          lambda: _dialogue_list(dialogues, timeline))


def _dialogue_list(dialogues: Sequence[DialogueSummary], timeline: SourceRef | None) -> Reply:
    citations = Citations()
    if timeline:
        citations.cite(timeline)
    lines = []
    for d in dialogues:
        mark = "📚" if d.detailed else "▫️"
        report = f" — “{esc(limits.clip(d.report_title or '', 90))}”" if d.report_title else ""
        when = esc(d.dates) if d.dates else "no meeting"
        lines.append(f"{mark} **{d.year}** · {meeting_kind(d.kind)} · {when}{report}")
    detailed = [str(d.year) for d in dialogues if d.detailed]
    held = [d for d in dialogues if d.kind != MeetingKind.no_meeting]
    without = [str(d.year) for d in dialogues if d.kind == MeetingKind.no_meeting]
    gap = f" ({', '.join(without)}: no meeting)" if without else ""
    return build_reply(
        "General Assembly meetings on the Responsibility to Protect",
        description=(
            f"{plural(len(held), 'meeting', 'meetings')} on the timeline{gap}. 📚 = detailed records (who said what): "
            f"{', '.join(detailed) or 'none'}. Use `/dialogue show year:` for one meeting."
        ),
        sections=[Section("Timeline", lines)],
        citations=citations,
    )


def _claim_lines(claims: Iterable[SourceClaim], citations: Citations) -> list[str]:
    lines = []
    for c in claims:
        label = MEASURES.get(c.measure or "", (c.measure or c.field).replace("_", " "))
        value = f"{c.value_int}" if c.value_int is not None else esc(c.value_text)
        if c.value_int is not None and c.value_text and c.value_text != str(c.value_int):
            value += f" (“{esc(c.value_text)}”)"
        lines.append(f"**{label}:** {value} {citations.cite(c.source)}")
    return lines


def dialogue_detail(detail: DialogueDetail) -> Reply:
    return LAIDOUT.reply(("dialogue_detail", id(detail)), detail, lambda: _dialogue_detail(detail))


def _dialogue_detail(detail: DialogueDetail) -> Reply:
    s = detail.summary
    citations = Citations()
    kind = meeting_kind(s.kind)
    if s.meeting.casefold() != kind.casefold():
        kind += f" · the timeline says “{esc(s.meeting)}”"
    facts = [f"**When:** {esc(s.dates) or 'no meeting held'}", f"**Kind:** {kind}"]
    ordinal = detail.claims_for("ordinal")
    if ordinal:
        facts.append(f"**Ordinal:** {esc(ordinal[0].value_text)} {citations.cite(ordinal[0].source)}")
    if detail.focus_pillars:
        facts.append("**Focus:** pillar " + ", ".join(str(p) for p in detail.focus_pillars))
    if detail.notes:
        facts.append(f"**Notes:** {esc(detail.notes)}")

    report = []
    for field_name, label in (("report_title", "Title"), ("report_symbol", "Symbol"), ("report_date", "Date")):
        claims = detail.claims_for(field_name)
        values: dict[str, list[str]] = {}
        recorded = getattr(s, field_name)
        if recorded and recorded not in {c.value_text for c in claims}:
            values[recorded] = ["(recorded by a server admin)"]  # an admin's addition or correction
        for c in claims:
            values.setdefault(c.value_text, []).append(citations.cite(c.source))
        if values:
            shown = " · ".join(f"{esc(v)} {''.join(dict.fromkeys(refs))}" for v, refs in values.items())
            conflict = " ⚠️ sources differ" if field_name == "report_date" and len(values) > 1 else ""
            report.append(f"**{label}:** {shown}{conflict}")

    sessions = [
        f"**{esc(c.measure or '').capitalize()} session:** {esc(c.value_text)} {citations.cite(c.source)}"
        for c in detail.claims_for("session")
    ]
    roles = [
        f"**{ROLES.get(r.role, r.role)}:** {role_text(r)} {citations.cite(r.source)}" for r in detail.roles
    ]
    participation = _claim_lines(detail.claims_for("participation"), citations)
    themes = []
    for t in detail.themes:
        unnamed = ", ".join(once(unnamed_label(u) for u in t.unnamed))
        named = f"{t.named_actors} named" + (" (partial list)" if t.partial else "")
        themes.append(f"• **{esc(t.theme.name)}** — {named}" + (f"; not named: {unnamed}" if unnamed else ""))
    statements = [esc(st.actor) + _details(st) for st in detail.statements]
    statement_refs = "".join(citations.cite(ref) for ref in dict.fromkeys(st.source for st in detail.statements))
    statements_heading = f"Statements listed ({len(detail.statements)})"
    if detail.statements_partial:
        statements_heading = f"Statements named ({len(detail.statements)} of {detail.speakers_stated} speakers counted)"
        statements.insert(0, f"*Partial: the sources count {detail.speakers_stated} speakers and name these.*"
                             f" {statement_refs}")
    quotes = [f"{quote(q.text)} — {esc(q.speaker)} {citations.cite(q.source)}" for q in detail.quotes]
    for ref in detail.sources:
        citations.cite(ref)

    title = f"{s.year} — " + (s.title or s.report_title or meeting_kind(s.kind))
    description = "\n".join(facts)
    if not s.detailed:
        description += "\n\n*No detailed record of who said what exists for this meeting; the figures below are as reported.*"
    sections = [
        Section("Secretary-General's report", report),
        Section("Sessions", sessions),
        Section("Opening, moderation and panel", roles),
        Section("Participation (as each source states it)", participation),
        Section(f"Themes raised ({len(detail.themes)})", themes),
        Section(statements_heading, [statements[0], *joined(statements[1:])] if detail.statements_partial
                else joined(statements)),
        Section("Notable quotes", quotes),
    ]
    if detail.source_urls:
        sections.append(Section("Further reading", [esc(u) for u in detail.source_urls]))
    return build_reply(limits.clip(title, limits.EMBED_TITLE), description=description, sections=sections, citations=citations)


# -- /theme ------------------------------------------------------------------


def theme_list(themes: Sequence[ThemeCount], year: int | None, sources: Sequence[SourceRef]) -> Reply:
    themes, sources = tuple(themes), tuple(sources)
    return LAIDOUT.reply(("theme_list", ids(themes), year, ids(sources)), (themes, sources),
                          lambda: _theme_list(themes, year, sources))


def _theme_list(themes: Sequence[ThemeCount], year: int | None, sources: Sequence[SourceRef]) -> Reply:
    where = f" at the {year} dialogue" if year else ""
    citations = Citations()
    for ref in sources:
        citations.cite(ref)
    lines = []
    for t in themes:
        if not t.named_actors and not t.unnamed:  # a theme admins added before recording who raised it
            lines.append(f"**{esc(t.theme.name)}** · `{t.theme.slug}` — no positions recorded yet")
            continue
        unnamed = ", ".join(once(f"{unnamed_label(u)} in {u.year}" for u in t.unnamed))
        years = ", ".join(str(y) for y in t.years)
        partial = " (partial)" if t.partial else ""
        lines.append(
            f"**{esc(t.theme.name)}** · `{t.theme.slug}` — {t.named_actors} named{partial}"
            + (f"; not named: {unnamed}" if unnamed else "")
            + (f" · {years}" if years and not year else "")
        )
    return build_reply(
        f"Themes raised{where}",
        description=(
            f"{len(lines)} themes, most named actors first. Counts are of actors the sources name; "
            "groups “not named” are counted or described without names. "
            "See who raised one with `/theme states theme:`."
        ),
        sections=[Section("Themes", lines or ["No themes recorded."])],
        citations=citations,
    )


def _unnamed_line(u: UnnamedInfo, citations: Citations) -> str:
    count = f"{u.count}, " if u.count is not None and str(u.count) not in u.quantity else ""
    return (
        f"🔢 **{esc(u.quantity)}** ({count}not named in the source) — {esc(u.summary)} {citations.cite(u.source)}"
    )


def _claim_terms(theme_keywords: Sequence[str], summary: str) -> tuple[str, ...]:
    """The words that prove a claim: its theme's keywords, then the longer words of its summary."""
    words = [w.strip(".,;:()“”\"'") for w in summary.split()]
    return (*theme_keywords, *(w for w in words if len(w) >= 7))


def theme_states(result: ThemeStates, year: int | None) -> Reply:
    return LAIDOUT.reply(("theme_states", id(result), year), result, lambda: _theme_states(result, year))


def _theme_states(result: ThemeStates, year: int | None) -> Reply:
    citations = Citations()
    where = f" in {year}" if year else ""
    sections = []

    terms = result.theme.keywords

    def lines(group: ThemeDialogueGroup, together: dict[tuple[str, str, str], list[PositionInfo]]) -> Iterator[str]:
        for (stance, summary, excerpt), positions in together.items():
            names = ", ".join(dict.fromkeys(f"**{esc(p.actor)}**" for p in positions))
            partial = " *(partial list: the source names these among others)*" if any(p.partial for p in positions) else ""
            proof = evidence(excerpt, 280, _claim_terms(terms, summary), [p.actor for p in positions], positions[0].source)
            # one item per entry, so an entry never straddles two fields
            yield (f"{STANCE_MARKS.get(stance, '')} {names}{partial} — {esc(summary)} "
                   f"{citations.cite(positions[0].source)}\n> {proof}")
        for u in group.unnamed:
            yield _unnamed_line(u, citations)

    for group in result.groups:
        # actors the source names together (one excerpt, one summary) share one line
        together: dict[tuple[str, str, str], list[PositionInfo]] = {}
        for p in group.positions:
            together.setdefault((p.stance, p.summary, p.excerpt), []).append(p)
        # sources are numbered in the order the lines cite them, before the lines are made:
        # lines past the last page are never made, yet the footer lists every source
        for positions in together.values():
            citations.cite(positions[0].source)
        for u in group.unnamed:
            citations.cite(u.source)
        names = len({p.actor for p in group.positions})
        sections.append(
            Section(f"{group.year} — {names} named" + (", partial list" if group.partial else ""), lines(group, together))
        )
    if not sections:
        return build_reply(
            f"{result.theme.name}{where}",
            description=f"No actor is recorded raising this theme{where}. Try `/theme list` for the themes of each dialogue.",
            colour=NOTICE,
        )
    pillar = f" · related to pillar {result.theme.pillar}" if result.theme.pillar else ""
    return build_reply(
        limits.clip(f"Who raised “{result.theme.name}”{where}", limits.EMBED_TITLE),
        description=f"{esc(result.theme.description)}{pillar}\n✅ supports · ⚠️ concerned · ❌ opposes · ➖ neutral · 🔢 counted, not named",
        sections=sections,
        citations=citations,
    )


# -- /state ------------------------------------------------------------------


def actor_profile(profile: ActorProfile) -> Reply:
    return LAIDOUT.reply(("actor_profile", id(profile)), profile, lambda: _actor_profile(profile))


def _actor_profile(profile: ActorProfile) -> Reply:
    citations = Citations()
    heading = ACTOR_KINDS.get(profile.kind, profile.kind)
    if profile.iso3:
        heading += f" · {profile.iso3}"
    description = heading
    if profile.aliases:
        description += "\nAlso known as: " + ", ".join(esc(a) for a in profile.aliases[:12])
    statements = [f"**{s.year}** · statement{_details(s)} {citations.cite(s.source)}" for s in profile.statements]
    roles_of = [r for r in profile.roles]
    spoken_for = [
        f"**{s.year}** · {esc(s.actor)} spoke on its behalf {citations.cite(s.source)}" for s in profile.spoken_for
    ]
    roles = [
        f"**{r.year}** · {ROLES.get(r.role, r.role)}"
        + (f" ({esc(r.title)})" if r.title and r.title.casefold() != profile.name.casefold() else "")
        + (f", {esc(r.session)} session" if r.session else "")
        + f" {citations.cite(r.source)}"
        for r in roles_of
    ]
    sections = [
        Section("Statements", statements),
        Section("Spoken for by others", spoken_for),
        Section("Roles", roles),
    ]
    by_year: dict[int, list[PositionInfo]] = {}
    for p in profile.positions:
        citations.cite(p.source)  # numbered in citing order; the lines are made only for the pages shown
        by_year.setdefault(p.year, []).append(p)

    def position_lines(positions: list[PositionInfo]) -> Iterator[str]:
        for p in positions:
            proof = evidence(p.excerpt, 220, _claim_terms(p.theme.keywords, p.summary), [profile.name], p.source)
            partial = " *(among others the source names)*" if p.partial else ""
            yield (
                f"{STANCE_MARKS.get(p.stance, '')} **{esc(p.theme.name)}**{partial} — {esc(p.summary)} "
                f"{citations.cite(p.source)}\n> {proof}"
            )

    for year, positions in sorted(by_year.items()):
        sections.append(Section(f"Positions in {year}", position_lines(positions)))
    quotes = [f"**{q.year}** · {quote(q.text)} {citations.cite(q.source)}" for q in profile.quotes]
    sections.append(Section("Quotes", quotes))
    mentions = [
        (f"**{m.year}** · " if m.year else "") + f"{DOCUMENTS.get(m.document, m.document)} · "
        f"{REPORT_KINDS.get(m.kind, m.kind)}: **{esc(m.subject)}** — {esc(m.summary)} {citations.cite(m.source)}"
        f"\n> {evidence(m.excerpt, 220, _claim_terms((), m.summary + ' ' + m.subject), [profile.name])}"
        for m in profile.mentions
    ]
    sections.append(Section("In the documents", mentions))
    if profile.empty:
        description += (
            "\n\nThe sources record no statement, role or position for this actor. "
            "Only the 2011, 2012 and 2014 dialogues have detailed records, and some lists are partial."
        )
    return build_reply(
        limits.clip(profile.name, limits.EMBED_TITLE),
        description=description,
        sections=sections,
        citations=citations,
        colour=NOTICE if profile.empty else INFO,
    )


# -- /pillar -----------------------------------------------------------------


def pillar(p: PillarExplainer) -> Reply:
    return LAIDOUT.reply(("pillar", id(p)), p, lambda: _pillar(p))


def _pillar(p: PillarExplainer) -> Reply:
    citations = Citations()
    ref = citations.cite(p.source)
    contributions = [f"{i}. **{esc(c.heading)}** — {quote(c.excerpt, 260)}" for i, c in enumerate(p.contributions, 1)]
    themes = [f"• {esc(t.name)} (`{t.slug}`)" for t in p.themes]
    points = [
        f"**{REPORT_KINDS.get(f.kind, f.kind)}: {esc(f.subject)}** — {esc(f.summary)} {citations.cite(f.source)}"
        f"\n> {evidence(f.excerpt, 240, _claim_terms((), f.subject + ' ' + f.summary))}"
        for f in p.report_facts
    ]
    return build_reply(
        f"Pillar {p.number}: {p.name}",
        description=f"**Definition** {ref}\n“{esc(p.definition)}”\n\n**In plain words**\n{esc(p.explainer)}",
        sections=[
            Section(f"What regional and sub-regional arrangements can do (2011 report) {ref}", contributions),
            Section("Mechanisms, bodies and recommendations the 2011 report names", points),
            Section("Dialogue themes related to this pillar", themes or ["None recorded."]),
        ],
        citations=citations,
        footer="The plain-words explainer is the project's own summary",
    )


# -- /ask --------------------------------------------------------------------


def answer(a: Answer) -> Reply:
    """/ask's reply (written by `bot.render.ask`)."""
    from bot.render import ask

    return ask.answer(a)


# -- /sources and /help -----------------------------------------------------------


def sources(refs: Sequence[SourceRef]) -> Reply:
    refs = tuple(refs)
    return LAIDOUT.reply(("sources", ids(refs)), refs, lambda: _sources(refs))


def _sources(refs: Sequence[SourceRef]) -> Reply:
    lines = []
    for ref in refs:
        when = ref.date or ref.date_note or "undated"
        address = f"<{ref.url}>" if ref.url else esc(ref.address_note or "no address given")
        lines.append(
            f"**{esc(ref.title)}**\n{esc(ref.publisher)} · {esc(when)} · {esc(ref.kind)} · `{ref.key}`\n"
            f"Address: {address}"
        )
    return build_reply(
        "Sources",
        description="Every fact the bot states cites one of these documents, with a verbatim excerpt.",
        sections=[Section("Documents", lines)],
    )


def help_page(commands: Sequence[tuple[str, str, str]]) -> Reply:
    lines = [f"**/{name}** — {esc(desc)}\n  e.g. `{example}`" for name, desc, example in commands]
    return build_reply(
        "What this bot can do",
        description=(
            "A briefing bot on the UN General Assembly's dialogues on the Responsibility to Protect. "
            "Every answer cites its sources. Options autocomplete as you type."
        ),
        sections=[Section("Commands", lines)],
    )

