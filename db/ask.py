"""Answers free-text questions about the dialogues from the structured data.

No language model: the question is scanned for a theme, an actor, a year and
an intent ("how many", "who/which", "report", "on behalf of", roles, dates)
with the same name indexes the commands use. Structured answers cite their
evidence; anything else falls back to full-text search over the sources.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries as q
from db.names import NameEntry, NameIndex, fold
from db.results import SourceClaim, PositionInfo, SearchHit, SourceRef, UnnamedInfo

STATE_KINDS = {"member_state", "observer_state"}
MEASURE_LABELS = {
    "member_states": "member states",
    "governments_represented": "governments represented",
    "regional_organisations": "regional organisations",
    "civil_society": "civil-society organisations",
    "as_reported": "as reported",
}
ROLE_LABELS = {"opening_remarks": "Opening remarks", "moderator": "Moderator", "panelist": "Panel"}
ROLE_QUESTIONS = {"opening_remarks": "gave opening remarks", "moderator": "moderated", "panelist": "sat on the panel"}
PILLAR_WORDS = {"one": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3, "i": 1, "ii": 2, "iii": 3, "first": 1, "second": 2, "third": 3}


@dataclass(frozen=True)
class Evidence:
    source: SourceRef
    excerpt: str


@dataclass(frozen=True)
class Understanding:
    """What the question was read as; shown to the user so they can rephrase."""

    theme: NameEntry | None = None
    actor: NameEntry | None = None
    year: int | None = None
    intent: str = "search"

    def describe(self) -> str:
        parts = [f"intent: {self.intent}"]
        if self.theme:
            parts.append(f"theme: {self.theme.name}")
        if self.actor:
            parts.append(f"actor: {self.actor.name}")
        if self.year:
            parts.append(f"year: {self.year}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Answer:
    question: str
    kind: str
    headline: str
    lines: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    hits: tuple[SearchHit, ...] = ()
    understood: Understanding = field(default_factory=Understanding)

    @property
    def found(self) -> bool:
        return self.kind != "nothing"


# -- reading the question ------------------------------------------------------

_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_COUNT = re.compile(r"\bhow many\b|\bnumber of\b|\bhow much\b|\bcount\b")
_WHO = re.compile(r"\bwho\b|\bwhich\b|\bwhat (?:states|countries|governments|delegations|organi[sz]ations)\b|\blist\b|\bname\b")
_BEHALF = re.compile(r"on behalf of|\bspo?ke? for\b|\bspeaking for\b|\bspeak for\b|\brepresent")
_REPORT = re.compile(r"\breport\b")
_WHEN = re.compile(r"\bwhen\b|\bwhat date\b|\bwhich date\b|\bwhat day\b")
_PILLAR = re.compile(r"\bpillar (one|two|three|iii|ii|i|1|2|3)\b|\b(first|second|third) pillar\b")
_ROLES = (
    ("moderator", re.compile(r"\bmoderat")),
    ("panelist", re.compile(r"\bpanel")),
    ("opening_remarks", re.compile(r"\bopen(?:ed|ing)\b")),
)
_PARTICIPATION = re.compile(r"\b(states|countries|member states|governments|delegations|speakers|spoke|participat\w*|organi[sz]ations|civil society|interventions)\b")
_ABOUT = re.compile(r"\b(about|raise[ds]?|mention\w*|on|regarding|call(?:ed)?|discuss\w*|stress\w*|support\w*)\s*$")


_Phrase = tuple[NameEntry, str, bool, str, "re.Pattern[str]"]
_PHRASES: "weakref.WeakKeyDictionary[NameIndex, list[_Phrase]]" = weakref.WeakKeyDictionary()


def _phrases(index: NameIndex) -> list[_Phrase]:
    """(entry, term, short, needle, whole-word pattern) for every name and alias, folded and compiled once per index."""
    phrases = _PHRASES.get(index)
    if phrases is None:
        phrases = []
        for entry in index.entries:
            for term in (entry.name, *entry.terms):
                term_folded = fold(term)
                if len(term_folded) < 2:
                    continue
                short = len(term_folded) <= 4
                needle = fold_keep_case(term) if short else term_folded
                phrases.append((entry, term, short, needle, re.compile(rf"(?<![\w]){re.escape(needle)}(?![\w])")))
        _PHRASES[index] = phrases
    return phrases


def _phrase_spans(index: NameIndex, question: str) -> list[tuple[int, int, NameEntry, str]]:
    """Every (start, end, entry, term) where a name or alias occurs as whole words.

    Short terms (acronyms, surnames) must match case-sensitively so "us" or
    "luck" in ordinary prose does not name a country or a person.
    """
    folded_q = fold(question)
    accentless = fold_keep_case(question)
    spans = []
    for entry, term, short, needle, pattern in _phrases(index):
        haystack = accentless if short else folded_q
        if needle not in haystack:  # no match possible: skip the regular expression
            continue
        for match in pattern.finditer(haystack):
            spans.append((match.start(), match.end(), entry, term))
    return spans


def fold_keep_case(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[.\"()\[\],;:!?]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _best(spans: list[tuple[int, int, NameEntry, str]]) -> tuple[NameEntry | None, tuple[int, int] | None]:
    if not spans:
        return None, None
    score: dict[int, int] = {}
    where: dict[int, tuple[int, int]] = {}
    entries: dict[int, NameEntry] = {}
    for start, end, entry, _ in spans:
        score[entry.id] = score.get(entry.id, 0) + (end - start)
        entries[entry.id] = entry
        if entry.id not in where or end - start > where[entry.id][1] - where[entry.id][0]:
            where[entry.id] = (start, end)
    best = max(score, key=lambda i: (score[i], -where[i][0]))
    return entries[best], where[best]


def understand(question: str, actors: NameIndex, themes: NameIndex, years: tuple[int, ...]) -> Understanding:
    text = fold(question)
    year_match = _YEAR.search(question)
    year = int(year_match.group(1)) if year_match else None
    actor_spans = _phrase_spans(actors, question)
    theme_spans = _phrase_spans(themes, question)
    theme, theme_at = _best(theme_spans)
    actor, actor_at = _best(actor_spans)
    if theme and actor and theme_at and actor_at and _overlap(theme_at, actor_at):
        # "Libya" names a state and a theme: "about Libya" is the theme, "Libya said" the state.
        other_themes = [s for s in theme_spans if not _overlap((s[0], s[1]), actor_at)]
        other_actors = [s for s in actor_spans if not _overlap((s[0], s[1]), theme_at)]
        before = fold_keep_case(question)[: actor_at[0]].casefold()
        if other_themes and not other_actors:
            theme, theme_at = _best(other_themes)
        elif other_actors and not other_themes:
            actor, actor_at = _best(other_actors)
        elif _ABOUT.search(before):
            actor = None
        else:
            theme = None
    pillar = _PILLAR.search(text)
    if _BEHALF.search(text) and actor:
        intent = "behalf"
    elif pillar and not actor and re.search(r"\b(what|explain|mean|define|definition)", text) and not _WHO.search(text):
        intent = "pillar"
    elif _REPORT.search(text) and not theme and (actor is None or actor.kind == "un_official"):
        intent = "report"  # "the Secretary-General's report" names its author, not a speaker
    elif any(rx.search(text) for _, rx in _ROLES):
        intent = "roles"
    elif theme and _COUNT.search(text):
        intent = "theme_count"
    elif theme:
        intent = "theme_actors"
    elif actor:
        intent = "actor"
    elif _COUNT.search(text) and _PARTICIPATION.search(text):
        intent = "participation"
    elif _WHEN.search(text) and year:
        intent = "when"
    elif year and year in years:
        intent = "dialogue"
    else:
        intent = "search"
    return Understanding(theme=theme, actor=actor, year=year, intent=intent)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def pillar_number(question: str) -> int | None:
    match = _PILLAR.search(fold(question))
    if not match:
        return None
    return PILLAR_WORDS.get(match.group(1) or match.group(2))


# -- answering -----------------------------------------------------------------


class _Asker:
    def __init__(self, session: AsyncSession, question: str, understood: Understanding, years: tuple[int, ...]) -> None:
        self.session = session
        self.question = question
        self.u = understood
        self.years = years

    def answer(self, kind: str, headline: str, lines=(), evidence=(), hits=()) -> Answer:  # type: ignore[no-untyped-def]
        unique = tuple(dict.fromkeys(evidence))
        return Answer(self.question, kind, headline, tuple(lines), unique, tuple(hits), self.u)

    def unknown_year(self) -> Answer | None:
        if self.u.year is not None and self.u.year not in self.years:
            span = f"{self.years[0]}–{self.years[-1]}" if self.years else "none"
            return self.answer(
                "nothing",
                f"There is no General Assembly meeting on RtoP in {self.u.year} in the records.",
                [f"Recorded years: {span}. Try `/dialogue list`."],
            )
        return None

    async def run(self) -> Answer:
        intent = self.u.intent
        if (missing := self.unknown_year()) is not None:
            return missing
        handler = getattr(self, f"_{intent}")
        result = await handler()
        if result is None:
            return await self._search()
        return result

    async def _pillar(self) -> Answer | None:
        number = pillar_number(self.question)
        if number is None:
            return None
        pillar = await q.pillar_explainer(self.session, number)
        if pillar is None:
            return None
        return self.answer(
            "pillar",
            f"Pillar {number}: {pillar.name}",
            [f"Definition: {pillar.definition}", pillar.explainer, "More: /pillar explain"],
            [Evidence(pillar.source, pillar.definition)],
        )

    async def _report(self) -> Answer | None:
        dialogues = await q.list_dialogues(self.session)
        if self.u.year is None:
            lines = [
                f"{d.year}: {d.report_title or '—'} ({d.report_symbol or 'no symbol'})" for d in dialogues if d.report_title
            ]
            return self.answer("report", "The Secretary-General's reports on RtoP, by year", lines)
        detail = await q.dialogue_facts(self.session, self.u.year)
        assert detail is not None
        s = detail.summary
        lines = [f"Title: {s.report_title}", f"Symbol: {s.report_symbol}"]
        dates = detail.claims_for("report_date")
        if dates:
            lines.append("Date: " + "; ".join(f"{c.value_text} ({_src(c.source)})" for c in dates))
        evidence = [Evidence(c.source, c.excerpt) for c in detail.claims if c.field.startswith("report_")]
        return self.answer("report", f"The Secretary-General's {s.year} report: “{s.report_title}”", lines, evidence)

    async def _behalf(self) -> Answer | None:
        assert self.u.actor is not None
        profile = await q.actor_statements(self.session, self.u.actor.name)  # statements are all this reads
        if profile is None:
            return None
        spoken_for = [s for s in profile.spoken_for if self._year_ok(s.year)]
        if spoken_for:
            lines = [f"{s.year}: {s.actor} spoke on behalf of {', '.join(s.on_behalf_of)}" for s in spoken_for]
            speakers = ", ".join(dict.fromkeys(s.actor for s in spoken_for))
            return self.answer(
                "behalf",
                f"{speakers} spoke for {profile.name}",
                lines,
                [Evidence(s.source, s.excerpt) for s in spoken_for],
            )
        own = [s for s in profile.statements if s.on_behalf_of and self._year_ok(s.year)]
        if own:
            lines = [f"{s.year}: on behalf of {', '.join(s.on_behalf_of)}" for s in own]
            return self.answer(
                "behalf", f"{profile.name} spoke on behalf of others", lines, [Evidence(s.source, s.excerpt) for s in own]
            )
        return self.answer(
            "nothing",
            f"The sources record no statement delivered for or by {profile.name} on behalf of others.",
            ["Try `/state profile` for everything recorded about this actor."],
        )

    async def _roles(self) -> Answer | None:
        wanted = [role for role, rx in _ROLES if rx.search(fold(self.question))]
        years = [self.u.year] if self.u.year else [y for y in self.years if y]
        lines, evidence = [], []
        for year in years:
            detail = await q.dialogue_detail(self.session, year)
            if detail is None:
                continue
            for role in wanted:
                people = [r for r in detail.roles if r.role == role]
                if self.u.actor:
                    people = [r for r in people if r.actor == self.u.actor.name]
                for r in people:
                    title = f", {r.title}" if r.title else ""
                    lines.append(f"{year} · {ROLE_LABELS[role]}: {r.actor}{title}")
                    evidence.append(Evidence(r.source, r.excerpt))
        if not lines:
            return None
        label = " and ".join(ROLE_QUESTIONS[r] for r in wanted)
        when = f" in {self.u.year}" if self.u.year else ""
        return self.answer("roles", f"Who {label}{when}", lines, evidence)

    def _year_ok(self, year: int) -> bool:
        return self.u.year is None or self.u.year == year

    async def _theme_result(self):  # type: ignore[no-untyped-def]
        assert self.u.theme is not None
        return await q.theme_states(self.session, self.u.theme.code or "", self.u.year)

    async def _theme_actors(self) -> Answer | None:
        result = await self._theme_result()
        if result is None:
            return None
        where = f" in {self.u.year}" if self.u.year else ""
        if not result.groups:
            return self.answer(
                "nothing",
                f"No actor is recorded raising “{result.theme.name}”{where}.",
                ["Try `/theme list` to see the themes of each dialogue."],
            )
        lines, evidence = [], []
        actor = self.u.actor
        if actor and not any(p.actor == actor.name for g in result.groups for p in g.positions):
            actor = None  # not among them: say so, then show who did
        for group in result.groups:
            positions = group.positions
            if actor:
                positions = tuple(p for p in positions if p.actor == actor.name)
            names = ", ".join(dict.fromkeys(p.actor for p in positions))
            if names:
                partial = " (partial list: the source names these among others)" if group.partial else ""
                lines.append(f"{group.year}: {names}{partial}")
            for u in group.unnamed:
                lines.append(f"{group.year}: {_unnamed_line(u)}")
                evidence.append(Evidence(u.source, u.excerpt))
            evidence.extend(Evidence(p.source, p.excerpt) for p in positions)
        if self.u.actor and not any(p.actor == self.u.actor.name for g in result.groups for p in g.positions):
            lines.insert(0, f"{self.u.actor.name} is not named among them{where}.")
        return self.answer("theme_actors", f"Who raised “{result.theme.name}”{where}", lines, evidence)

    async def _theme_count(self) -> Answer | None:
        result = await self._theme_result()
        if result is None:
            return None
        where = f" in {self.u.year}" if self.u.year else ""
        states_only = bool(re.search(r"\b(states|countries|governments|member states)\b", fold(self.question)))
        lines, evidence = [], []
        for group in result.groups:
            named = [p for p in group.positions if not states_only or p.actor_kind in STATE_KINDS]
            others = [p for p in group.positions if states_only and p.actor_kind not in STATE_KINDS]
            actors = list(dict.fromkeys(p.actor for p in named))
            for u in group.unnamed:
                lines.append(f"{group.year}: {_unnamed_line(u)}")
                evidence.append(Evidence(u.source, u.excerpt))
            if actors:
                kind = "states" if states_only else "actors"
                partial = ", a partial list" if any(p.partial for p in named) else ""
                lines.append(f"{group.year}: {len(actors)} named {kind}{partial}: {', '.join(actors)}")
                evidence.extend(Evidence(p.source, p.excerpt) for p in named)
            if others:
                names = ", ".join(dict.fromkeys(p.actor for p in others))
                lines.append(f"{group.year}: also named, not states: {names}")
                evidence.extend(Evidence(p.source, p.excerpt) for p in others)
        if not lines:
            return self.answer("nothing", f"No actor is recorded raising “{result.theme.name}”{where}.")
        return self.answer("theme_count", f"How many raised “{result.theme.name}”{where}", lines, evidence)

    async def _actor(self) -> Answer | None:
        assert self.u.actor is not None
        name = self.u.actor.name
        # with a year, only that meeting's records are read (the lines below keep only that year's)
        profile = await (q.actor_profile_in(self.session, name, self.u.year) if self.u.year else q.actor_profile(self.session, name))
        if profile is None:
            return None
        where = f" in {self.u.year}" if self.u.year else ""
        lines, evidence = [], []
        for s in profile.statements:
            if not self._year_ok(s.year):
                continue
            bits = s.details()
            extra = f" ({'; '.join(bits)})" if bits else ""
            lines.append(f"{s.year}: statement listed{extra}")
            evidence.append(Evidence(s.source, s.excerpt))
        for r in profile.roles:
            if self._year_ok(r.year):
                lines.append(f"{r.year}: {ROLE_LABELS[r.role]}" + (f" ({r.title})" if r.title else ""))
                evidence.append(Evidence(r.source, r.excerpt))
        for p in profile.positions:
            if self._year_ok(p.year):
                lines.append(f"{p.year} · {p.theme.name} ({p.stance}): {p.summary}")
                evidence.append(Evidence(p.source, p.excerpt))
        for quote in profile.quotes:
            if self._year_ok(quote.year):
                lines.append(f"{quote.year}: “{quote.text}”")
                evidence.append(Evidence(quote.source, quote.text))
        if not lines:
            return None  # the passages may still mention the actor
        # "What did X say about ECOWAS?": put the lines that mention the rest of the question first
        from db.queries.search import fts_terms

        own = {fold(t) for t in (profile.name, *profile.aliases)}
        focus = [t for t in fts_terms(self.question) if t not in own and len(t) > 3]
        if focus:
            ranked = sorted(
                range(len(lines)),
                key=lambda i: not any(t in fold(lines[i] + " " + evidence[i].excerpt) for t in focus),
            )
            lines = [lines[i] for i in ranked]
            evidence = [evidence[i] for i in ranked]
        return self.answer("actor", f"What the sources record of {profile.name}{where}", lines, evidence)

    async def _participation(self) -> Answer | None:
        years = [self.u.year] if self.u.year else None
        if years is None:
            return None
        detail = await q.dialogue_facts(self.session, years[0])
        if detail is None:
            return None
        claims = detail.claims_for("participation")
        if not claims:
            return self.answer("nothing", f"No participation figures are recorded for {years[0]}.")
        lines = [_claim_line(c) for c in claims]
        return self.answer(
            "participation",
            f"Participation in {years[0]}, as each source states it",
            lines,
            [Evidence(c.source, c.excerpt) for c in claims],
        )

    async def _when(self) -> Answer | None:
        return await self._dialogue()

    async def _dialogue(self) -> Answer | None:
        if self.u.year is None:
            return None
        detail = await q.dialogue_facts(self.session, self.u.year)
        if detail is None:
            return None
        s = detail.summary
        lines = [f"Date(s): {s.dates or 'no meeting'}", f"Meeting: {s.meeting}"]
        if s.report_title:
            lines.append(f"Report: “{s.report_title}” ({s.report_symbol})")
        evidence = [Evidence(c.source, c.excerpt) for c in detail.claims if c.field in ("report_title", "ordinal")][:3]
        return self.answer("dialogue", f"The {s.year} General Assembly meeting on RtoP", lines, evidence)

    async def _search(self) -> Answer:
        hits = await q.search_passages(self.session, self.question, limit=3)
        if not hits:
            return self.answer(
                "nothing",
                "Nothing in the records or the source texts matches that question.",
                [
                    "Try naming a theme, a state or a year, e.g. “Which states raised the veto in 2014?”",
                    "Or browse with `/theme list` and `/dialogue list`.",
                ],
            )
        return self.answer(
            "search",
            "No structured answer; these passages of the sources match best",
            [],
            [Evidence(h.source, h.text) for h in hits],
            hits,
        )


def _src(ref: SourceRef) -> str:
    return ref.key


def _unnamed_line(u: UnnamedInfo) -> str:
    count = f" ({u.count})" if u.count is not None else ""
    return f"{u.quantity}{count}, not named in the source — {u.summary}"


def _claim_line(c: SourceClaim) -> str:
    label = MEASURE_LABELS.get(c.measure or "", c.measure or "")
    value = c.value_text if c.value_int is None else f"{c.value_int} {label}"
    return f"{value} — {c.source.key}"


async def ask(
    session: AsyncSession, question: str, actors: NameIndex, themes: NameIndex, years: tuple[int, ...]
) -> Answer:
    understood = understand(question, actors, themes, years)
    return await _Asker(session, question, understood, years).run()


__all__ = ["Answer", "Evidence", "Understanding", "ask", "understand", "PositionInfo"]
