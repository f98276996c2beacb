"""Answering one reading from the records: one function per family of question.

Each returns the parts of a structured answer (`db.ask.answers`), or None when
the records hold no answer to that reading (the caller then says so and offers
passages). No sentences here: `bot/render/ask.py` writes them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Awaitable, Callable, Sequence, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries as q
from db.ask.answers import (
    STATE_KINDS,
    SUPPORTS,
    OFTEN_TOPIC,
    ActorLine,
    CountGroup,
    Definition,
    Contribution,
    Evidence,
    Frequency,
    ListCoverage,
    Meeting,
    NamedGroup,
    Part,
    Reading,
    ReportPoint,
    RoleRow,
    Speaker,
    SpeakerList,
    Stated,
    TURNOUT_TOPICS,
    Tally,
    ThemeRow,
    Turnout,
    UnnamedCount,
    Verdict,
    actor_label,
)
from db.ask.records import first_excerpts, meeting_notes, positions_with, positions_with_stance, report_points, sentence_before
from db.queries.convert import reference
from db.ask.words import stems
from db.results import PositionInfo, ReportFactInfo, RoleInfo, SourceClaim, SourceRef, StatementInfo, UnnamedInfo
from db.seeding import TIMELINE_SOURCE

_REFERS = re.compile(r"\bthese\b|\bthose\b|\bsame\b|\bof them\b", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_LABEL_ORDER = {"states": 0, "organisations": 1, "officials": 2}
# participation measures that count the speakers of a list; "governments represented" and the timeline's
# figure describe the meeting; any other measure counts speakers no list names ("three ICRtoP members")
SPEAKER_MEASURES = {"member_states": "states", "regional_organisations": "regional", "civil_society": "civil"}
CONTEXT_MEASURES = frozenset({"governments_represented", "as_reported"})
MEASURES_OF = {"states": ("member_states", "governments_represented", "as_reported"),
               "organisations": ("regional_organisations", "civil_society", "as_reported")}


# "56 member states", "68 or 69 member states": the timeline's own words for how many states spoke
_MEMBER_STATES = re.compile(r"\b(\d+)(?: or (\d+))? member states\b", re.IGNORECASE)


def _stated_total(claims: Sequence[SourceClaim], label: str) -> int | None:
    """How many speakers of a kind the sources say a meeting had (the highest figure), where they say."""
    figures: dict[str, int] = {}
    for c in claims:
        key = SPEAKER_MEASURES.get(c.measure or "")
        if key and c.value_int is not None:
            figures[key] = max(figures.get(key, 0), c.value_int)
    if label == "states":
        return figures.get("states")
    if label == "organisations" and ("regional" in figures or "civil" in figures):
        return figures.get("regional", 0) + figures.get("civil", 0)
    return None


def member_state_figures(claim: SourceClaim) -> tuple[int, ...]:
    """The numbers of member states that spoke which a participation claim states (none if it counts others)."""
    if claim.measure == "member_states":
        return (claim.value_int,) if claim.value_int is not None else ()
    if claim.measure == "as_reported" and claim.value_text:
        return tuple(int(n) for m in _MEMBER_STATES.finditer(claim.value_text) for n in m.groups() if n)
    return ()


def unnamed_measure(measure: str | None) -> bool:
    """Whether a participation figure counts speakers no list of the sources names."""
    return bool(measure) and measure not in SPEAKER_MEASURES and measure not in CONTEXT_MEASURES

Parts = tuple[Part, ...]
T = TypeVar("T")


class Answerer:
    def __init__(self, session: AsyncSession, reading: Reading, years: tuple[int, ...]) -> None:
        self.session = session
        self.r = reading
        self.years = years  # every meeting's year

    async def run(self) -> Parts | None:
        handler: Callable[[], Awaitable[Parts | None]] = getattr(self, self.r.family)
        return await handler()

    # -- who raised a theme ------------------------------------------------------------

    async def _groups(self, slug: str, year: int | None, stance: str | None) -> list[Part]:
        result = await q.theme_states(self.session, slug, year)
        if result is None:
            return []
        parts: list[Part] = []
        for group in result.groups:
            parts.extend(await self._group_parts(group.positions, group.unnamed, stance))
        return parts

    async def _group_parts(self, positions: Sequence[PositionInfo], unnamed: Sequence[UnnamedInfo],
                           stance: str | None) -> list[Part]:
        parts: list[Part] = []
        if stance:
            positions = [p for p in positions if p.stance == stance]
            unnamed = [u for u in unnamed if u.stance == stance]
        parts.extend(named_groups(positions))
        for u in unnamed:
            parts.append(await self.count_group(u))
        return parts

    async def count_group(self, u: UnnamedInfo) -> CountGroup:
        refers = None
        if _REFERS.search(u.quantity):
            refers = await sentence_before(self.session, u.source.key, u.excerpt)
        return CountGroup(u.year, u.quantity, u.count, u.stance, u.summary, Evidence(u.source, u.excerpt), refers, u.theme.name)

    async def theme_actors(self) -> Parts | None:
        r = self.r
        assert r.theme is not None
        slug = r.theme.code or ""
        year = r.year
        parts = await self._groups(slug, year, None)
        verdicts: list[Part] = []
        if r.actors:
            actor = r.actors[0]
            yes = any(isinstance(p, NamedGroup) and actor.name in p.names for p in parts)
            verdicts.append(Verdict("raised", yes, actor.name, year, r.theme.name))
            if yes:
                parts = first_where(parts, lambda p: isinstance(p, NamedGroup) and actor.name in p.names)
        if r.stance and r.stance != "supports":
            matching = [p for p in parts if getattr(p, "stance", None) == r.stance]
            if len(matching) < len(parts):  # some of the records have another stance: say which are which
                verdicts.append(Verdict("stance", bool(matching), r.stance, year, r.theme.name))
            parts = first_where(parts, lambda p: getattr(p, "stance", None) == r.stance)
        if not parts:
            return None
        return tuple(verdicts + sort_parts(parts, r.kinds))

    async def theme_count(self) -> Parts | None:
        return await self.theme_actors()

    async def compare_years(self) -> Parts | None:
        r = self.r
        assert r.theme is not None
        parts = await self._groups(r.theme.code or "", None, None)
        wanted = r.years
        if wanted:
            parts = [p for p in parts if getattr(p, "year", None) in wanted]
            present = {getattr(p, "year", None) for p in parts}
            parts += [Verdict("raised", False, None, y, r.theme.name) for y in wanted if y not in present]
        if not any(isinstance(p, (NamedGroup, CountGroup)) for p in parts):
            return None
        return tuple(sorted(sort_parts(parts, r.kinds), key=lambda p: getattr(p, "year", 0) or 0))

    async def dissent(self) -> Parts | None:
        r = self.r
        # who opposed or was concerned: both, the one asked about first; or who voiced support ("who backed RtoP")
        stances = (SUPPORTS,) if r.stance == SUPPORTS else ("opposes", "concerned")
        if r.actors:  # "did Pakistan oppose RtoP": its own records of opposition or concern, or what it did say
            actor = r.actors[0].name
            groups = named_groups(list(await positions_with(self.session, actor, stances, r.years)), with_theme=True)
            mine = [p for p in groups if actor in p.names]
            verdict = Verdict("support" if r.stance == SUPPORTS else "dissent", bool(mine), actor, r.year)
            return (verdict, *mine) if mine else (verdict, *await self._actor_lines(actor, r.year))
        years = r.years or tuple(self.years)
        parts: list[Part] = []
        for year in years:
            named, unnamed = await positions_with_stance(self.session, year, stances)
            parts.extend(named_groups(list(named), with_theme=True))
            for u in unnamed:
                parts.append(await self.count_group(u))
        if not parts:
            return None
        asked = [p for p in parts if getattr(p, "stance", None) == r.stance]
        others = [p for p in parts if getattr(p, "stance", None) != r.stance]
        return tuple(sort_parts(asked, r.kinds) + sort_parts(others, r.kinds))

    async def dialogue_themes(self) -> Parts | None:
        years = self.r.years or await self._detailed_years()
        parts: list[Part] = []
        for year in years:
            counts = await q.list_themes(self.session, year)
            if not counts:
                continue
            parts.append(Tally("themes", len(counts), year))
            first = await first_excerpts(self.session, year)
            for c in counts:
                found = first.get(c.theme.slug)
                parts.append(ThemeRow(year, c.theme.name, c.theme.slug, c.named_actors,
                                      tuple(dict.fromkeys(u.quantity for u in c.unnamed)),
                                      Evidence(*found) if found else None))
        return tuple(parts) or None

    async def _detailed_years(self) -> tuple[int, ...]:
        return tuple(d.year for d in await q.list_dialogues(self.session) if d.detailed)

    async def _detailed(self, year: int) -> bool:
        return any(d.year == year and d.detailed for d in await q.list_dialogues(self.session))

    # -- what an actor said --------------------------------------------------------------

    async def _actor_lines(self, name: str, year: int | None) -> list[ActorLine]:
        profile = await (q.actor_profile_in(self.session, name, year) if year else q.actor_profile(self.session, name))
        if profile is None:
            return []
        lines: list[ActorLine] = []
        for s in profile.statements:
            lines.append(ActorLine(s.year, profile.name, "statement", s.note or "", Evidence(s.source, s.excerpt),
                                   details=tuple(s.details())))
        for r in profile.roles:
            lines.append(ActorLine(r.year, profile.name, "role", r.role, Evidence(r.source, r.excerpt), details=(r.title or "",)))
        for p in profile.positions:
            lines.append(ActorLine(p.year, profile.name, "position", p.summary, Evidence(p.source, p.excerpt),
                                   theme=p.theme.name, stance=p.stance))
        for quote in profile.quotes:
            lines.append(ActorLine(quote.year, profile.name, "quote", quote.text, Evidence(quote.source, quote.text)))
        return sorted(lines, key=lambda x: x.year)

    async def actor_said(self) -> Parts | None:
        r = self.r
        actor = r.actors[0]
        lines = await self._actor_lines(actor.name, r.year)
        if r.theme is not None and lines:
            theme = r.theme.name
            verdict = Verdict("on_topic", any(x.theme == theme for x in lines), actor.name, r.year, theme)
            return (verdict, *first_where(lines, lambda x: x.theme == theme))
        if not lines:  # nothing on record: say so, with how complete the meetings' lists are
            parts: list[Part] = [Verdict("on_record", False, actor.name, r.year)]
            for year in r.years or await self._detailed_years():
                parts.extend(await self._list_context(year))
            return tuple(parts)
        return tuple(lines)

    async def compare_actors(self) -> Parts | None:
        parts: list[Part] = []
        for actor in self.r.actors:
            lines = await self._actor_lines(actor.name, self.r.year)
            if not lines:
                parts.append(Verdict("on_record", False, actor.name, self.r.year))
            parts.extend(lines)
        if not any(isinstance(p, ActorLine) for p in parts):
            return None
        return tuple(parts)

    # -- who spoke -------------------------------------------------------------------------

    async def speakers(self) -> Parts | None:
        r = self.r
        if r.topic == OFTEN_TOPIC:
            return await self.often()
        years = r.years or await self._detailed_years()
        parts: list[Part] = []
        for year in years:
            parts.extend(await self._speakers_at(year))
        return tuple(parts) or None

    async def often(self) -> Parts | None:
        """The actors of a kind by how many meetings' speaker lists name them, most first, then how much of
        each meeting's speakers the lists name (a count of meetings is only as whole as the lists)."""
        label = self.r.kinds or "states"
        named: dict[str, dict[int, Evidence]] = {}
        coverage: list[Part] = []
        for year in self.r.years or await self._detailed_years():
            detail = await q.meeting_speakers(self.session, year)
            if detail is None:
                continue
            here: dict[str, Evidence] = {}
            for s in detail.statements:
                if actor_label(s.actor_kind) == label:
                    here.setdefault(s.actor, Evidence(s.source, s.excerpt))
            if label == "officials":
                for role in detail.roles:
                    here.setdefault(role.actor, Evidence(role.source, role.excerpt))
            if not here:
                continue
            for actor, ev in here.items():
                named.setdefault(actor, {})[year] = ev
            coverage.append(ListCoverage(year, label, len(here), _stated_total(detail.claims_for("participation"), label)))
        rows = [Frequency(actor, label, tuple(sorted(by_year)), tuple(by_year[y] for y in sorted(by_year)))
                for actor, by_year in named.items()]
        rows.sort(key=lambda f: (-len(f.years), f.actor))
        return (*rows, *coverage) if rows else None

    async def _no_list(self, year: int) -> list[Part]:
        """A meeting whose speakers no source lists ("who spoke in 2019"): that said, then the counts given."""
        facts = await q.dialogue_facts(self.session, year)
        claims = [c for c in facts.claims_for("participation") if not unnamed_measure(c.measure)] if facts else []
        return [Verdict("listed", False, None, year), *stated_claims(claims, year)] if claims else []

    async def _speakers_at(self, year: int) -> list[Part]:
        r = self.r
        detail = await q.meeting_speakers(self.session, year)
        if detail is None or not (detail.statements or detail.roles):
            return await self._no_list(year)
        totals = {label: _stated_total(detail.claims_for("participation"), label) or 0 for label in ("states", "organisations")}
        wanted_languages = {d for d in r.detail if d[0].isupper()}
        by_label: dict[str, list[Any]] = {"states": [], "organisations": [], "officials": []}
        sources: dict[str, SourceRef] = {}
        listed: dict[str, set[str]] = {"states": set(), "organisations": set(), "officials": set()}
        for s in detail.statements:
            label = actor_label(s.actor_kind)
            listed[label].add(s.actor)
            if wanted_languages and not wanted_languages & set(s.languages):
                continue
            if "not_delivered" in r.detail and s.delivered:
                continue
            if "behalf" in r.detail and not s.on_behalf_of:
                continue
            by_label[label].append((Speaker(s.actor, s.languages, s.on_behalf_of, s.delivered, s.note), Evidence(s.source, s.excerpt)))
            sources.setdefault(label, s.source)
        filtered = bool(wanted_languages or "not_delivered" in r.detail or "behalf" in r.detail)
        if not filtered:
            for role in detail.roles:
                if all(sp.name != role.actor for sp, _ in by_label["officials"]):
                    by_label["officials"].append((Speaker(role.actor, note=role.title), Evidence(role.source, role.excerpt)))
                    sources.setdefault("officials", role.source)
        parts: list[Part] = []
        labels = [r.kinds] if r.kinds in by_label else list(by_label)
        for label in labels:
            entries = by_label[label]
            if not entries:
                continue
            total = totals.get(label) or None
            listed_count = len({sp.name for sp, _ in entries})
            partial = filtered or (total is not None and max(listed_count, len(listed[label])) < total)
            parts.append(SpeakerList(year, label, tuple(sp for sp, _ in entries), total, partial, sources[label],
                                     tuple(ev for _, ev in entries), len(listed[label]) or listed_count,
                                     tuple(r.detail) if filtered else ()))
        if parts and not filtered:
            claims = detail.claims_for("participation")
            if r.kinds in (None, "organisations"):  # counted without names: a count, never a list
                parts.extend(UnnamedCount(year, c.value_text, c.value_int, c.measure or "", Evidence(c.source, c.excerpt))
                             for c in claims if unnamed_measure(c.measure))
            parts.extend(stated_claims([c for c in claims if not unnamed_measure(c.measure)], year))
        return parts

    async def spoke_check(self) -> Parts | None:
        r = self.r
        actor = r.actors[0]
        profile = await q.actor_profile(self.session, actor.name)
        if profile is None:
            return None
        dated: tuple[StatementInfo | RoleInfo | PositionInfo, ...] = (*profile.statements, *profile.roles, *profile.positions)
        years = r.years or tuple(sorted({x.year for x in dated}))
        parts: list[Part] = []
        for year in years or tuple(r.years):
            statements = [s for s in profile.statements if s.year == year]
            roles = [x for x in profile.roles if x.year == year]
            positions = [p for p in profile.positions if p.year == year]
            spoken_for = [s for s in profile.spoken_for if s.year == year]
            yes = bool(statements or roles or positions)
            parts.append(Verdict("spoke", yes, actor.name, year))
            for s in statements:
                parts.append(ActorLine(year, actor.name, "statement", s.note or "", Evidence(s.source, s.excerpt),
                                       details=tuple(s.details())))
            for x in roles:
                parts.append(ActorLine(year, actor.name, "role", x.role, Evidence(x.source, x.excerpt), details=(x.title or "",)))
            for p in positions[:3]:
                parts.append(ActorLine(year, actor.name, "position", p.summary, Evidence(p.source, p.excerpt),
                                       theme=p.theme.name, stance=p.stance))
            for s in spoken_for:
                parts.append(ActorLine(year, s.actor, "statement", s.note or "", Evidence(s.source, s.excerpt),
                                       details=tuple(s.details())))
            if not yes:
                parts.extend(await self._list_context(year))
        if not parts:
            parts.append(Verdict("spoke", False, actor.name, None))
            for year in self.years:
                if await self._detailed(year):
                    parts.extend(await self._list_context(year))
        return tuple(parts)

    async def _list_context(self, year: int) -> list[Part]:
        """How complete the meeting's list of speakers is: what a "no" is worth."""
        detail = await q.meeting_speakers(self.session, year)
        if detail is None:
            return []
        listed = len({s.actor for s in detail.statements if s.actor_kind in STATE_KINDS})
        total = _stated_total(detail.claims_for("participation"), "states") or 0
        source = detail.statements[0].source if detail.statements else None
        if source is None:
            return [Tally("listed_states", 0, year)]
        counts = [c for c in detail.claims_for("participation") if c.measure == "member_states"]
        return [SpeakerList(year, "states", (), total or None, bool(total and listed < total), source, (), listed),
                *stated_claims(counts, year)]

    async def behalf(self) -> Parts | None:
        actor = self.r.actors[0]
        profile = await q.actor_statements(self.session, actor.name)
        if profile is None:
            return None
        parts: list[Part] = []
        for s in profile.spoken_for:
            parts.append(ActorLine(s.year, s.actor, "statement", s.note or "", Evidence(s.source, s.excerpt), details=tuple(s.details())))
        for s in () if parts else profile.statements:  # for it by others; else its own for others
            if s.on_behalf_of:
                parts.append(ActorLine(s.year, s.actor, "statement", s.note or "", Evidence(s.source, s.excerpt),
                                       details=tuple(s.details())))
        if not parts:
            return (Verdict("behalf", False, profile.name),)
        return tuple(parts)

    async def roles(self) -> Parts | None:
        r = self.r
        years = r.years or tuple(self.years)
        parts: list[Part] = []
        for year in years:
            detail = await q.meeting_speakers(self.session, year)
            if detail is None:
                continue
            for role in detail.roles:
                if role.role not in r.detail:
                    continue
                if r.actors and role.actor != r.actors[0].name:
                    continue
                parts.append(RoleRow(year, role.role, role.actor, role.title, Evidence(role.source, role.excerpt)))
        if r.actors and not parts:
            return (Verdict("role", False, r.actors[0].name, r.year, " ".join(r.detail)),)
        return tuple(parts) or None

    # -- the meeting's facts ---------------------------------------------------------------

    async def report(self) -> Parts | None:
        r = self.r
        years = r.years or tuple(self.years)
        fields: tuple[str, ...] = ("report_title", "report_symbol", "report_date")
        if r.topic:  # the field asked about first, the others after it
            fields = (f"report_{r.topic}", *(f for f in fields if f != f"report_{r.topic}"))
        parts: list[Part] = []
        for year in years:
            facts = await q.dialogue_facts(self.session, year)
            if facts is None:
                continue
            claims = sorted((c for c in facts.claims if c.field in fields), key=lambda c: fields.index(c.field))
            if not r.years:  # every year's report: the timeline's row is enough
                claims = [c for c in claims if c.source.key == TIMELINE_SOURCE] or claims
            parts.extend(stated_claims(claims, year))
        return tuple(parts) or None

    async def participation(self) -> Parts | None:
        r = self.r
        if r.topic in TURNOUT_TOPICS:
            return await self.turnout()
        years = r.years or tuple(self.years)
        parts: list[Part] = []
        for year in years:
            facts = await q.dialogue_facts(self.session, year)
            if facts is None:
                continue
            claims = facts.claims_for("participation")
            if r.kinds in MEASURES_OF:
                claims = tuple(c for c in claims if c.measure in MEASURES_OF[r.kinds]
                               or (r.kinds == "organisations" and unnamed_measure(c.measure)))
            parts.extend(stated_claims([c for c in claims if not unnamed_measure(c.measure)], year))
            parts.extend(UnnamedCount(year, c.value_text, c.value_int, c.measure or "", Evidence(c.source, c.excerpt))
                         for c in claims if unnamed_measure(c.measure))
        return tuple(parts) or None

    async def turnout(self) -> Parts | None:
        """The meetings by how many member states spoke at each: most first, fewest first, or in year order."""
        r = self.r
        rows: list[Turnout] = []
        for d in await q.list_dialogues(self.session):
            if d.kind == "no_meeting" or (r.years and d.year not in r.years):
                continue
            facts = await q.dialogue_facts(self.session, d.year)
            figures: list[int] = []
            evidence: list[Evidence] = []
            for c in facts.claims_for("participation") if facts else ():
                found = member_state_figures(c)
                if found:
                    figures.extend(found)
                    evidence.append(Evidence(c.source, c.excerpt))
            if figures:
                rows.append(Turnout(d.year, d.meeting, d.kind, min(figures), max(figures), tuple(evidence)))
        if r.topic == "most":
            rows.sort(key=lambda t: (-t.high, -t.low, t.year))
        elif r.topic == "fewest":
            rows.sort(key=lambda t: (t.low, t.high, t.year))
        return tuple(rows) or None

    async def timeline(self) -> Parts | None:
        r = self.r
        meetings = await q.list_dialogues(self.session)
        ref = await reference(self.session)
        timeline = next((s for s in ref.sources.values() if s.key == TIMELINE_SOURCE), None)
        detail_by_year = {}
        rows: list[Meeting] = []
        for d in meetings:
            ev = Evidence(timeline, d.meeting) if timeline else None
            facts = await q.dialogue_facts(self.session, d.year)
            notes = None
            detail_by_year[d.year] = facts
            rows.append(Meeting(d.year, d.meeting, d.kind, d.dates, d.report_title, d.report_symbol, notes, d.detailed, ev))
        notes = await meeting_notes(self.session)
        rows = [Meeting(m.year, m.meeting, m.kind, m.dates, m.report_title, m.report_symbol, notes.get(m.year), m.detailed,
                        m.evidence) for m in rows]
        held = [m for m in rows if m.kind != "no_meeting"]
        if r.topic == "first":
            first = held[:1]
            parts: list[Part] = list(first)
            for m in rows:
                facts = detail_by_year.get(m.year)
                for c in facts.claims_for("ordinal") if facts else ():
                    parts.append(Stated(m.year, "ordinal", c.value_text, Evidence(c.source, c.excerpt)))
            return tuple(parts) or None
        if r.topic == "count":
            dialogues = [m for m in held if "dialogue" in m.meeting.lower() and "debate" not in m.meeting.lower()]
            debates = [m for m in held if m not in dialogues]
            return (Tally("meetings", len(held), years=tuple(m.year for m in held)),
                    Tally("dialogues", len(dialogues), years=tuple(m.year for m in dialogues)),
                    Tally("debates", len(debates), years=tuple(m.year for m in debates)),
                    Tally("no_meeting", len(rows) - len(held), years=tuple(m.year for m in rows if m not in held)), *rows)
        if r.topic == "agenda":
            hits = [m for m in rows if re.search(r"agenda", f"{m.meeting} {m.notes or ''}", re.IGNORECASE)]
            parts = []
            for m in hits:
                if m.notes and "agenda" in m.notes.lower() and timeline:
                    parts.append(Stated(m.year, "note", m.notes, Evidence(timeline, m.notes)))
                if "agenda" in m.meeting.lower():
                    parts.append(m)
            return tuple(parts) or None
        if r.topic == "gaps":
            years = [m.year for m in rows]
            missing = [y for y in range(min(years), max(years) + 1) if y not in years] if years else []
            gaps = [m for m in rows if m.kind == "no_meeting"]
            return (Tally("no_meeting", len(gaps) + len(missing), years=tuple(sorted([m.year for m in gaps] + missing))), *gaps)
        if r.topic == "year" and r.years:
            parts = []
            for y in r.years:
                found = next((x for x in rows if x.year == y), None)
                if found is None:
                    continue
                m = found
                parts.append(m)
                facts = detail_by_year.get(y)
                if facts:
                    parts.extend(stated_claims([c for c in facts.claims if c.field == "participation" or c.field == "ordinal"], y))
                if m.detailed:
                    counts = await q.list_themes(self.session, y)
                    parts.append(Tally("themes", len(counts), y))
            return tuple(parts) or None
        return tuple(rows) or None

    # -- definitions -----------------------------------------------------------------------

    async def _report_points(self) -> list[ReportFactInfo]:
        return list(await report_points(self.session))

    async def definition(self) -> Parts | None:
        topic = self.r.topic or ""
        parts: list[Part] = []
        if self.r.pillar:  # one pillar, or two side by side ("the difference between pillar 2 and pillar 3")
            for number in self.r.pillars:
                pillar = await q.pillar_explainer(self.session, number)
                if pillar is None:
                    continue
                parts.append(Definition(f"Pillar {pillar.number}: {pillar.name}", pillar.definition, True,
                                        Evidence(pillar.source, pillar.definition)))
                parts.append(Definition(f"Pillar {pillar.number}", pillar.explainer, False))
                parts.extend(report_point(f) for f in pillar.report_facts if f.kind == "finding")
                parts.append(Tally("contributions", len(pillar.contributions), pillar.number))
            return tuple(parts) or None
        if topic in ("rtop", "pillars"):
            for n in (1, 2, 3):
                pillar = await q.pillar_explainer(self.session, n)
                if pillar is not None:
                    parts.append(Definition(f"Pillar {n}: {pillar.name}", pillar.definition, True,
                                            Evidence(pillar.source, pillar.definition)))
            # the report's own findings about the pillars (where they come from)
            parts.extend(report_point(f) for f in await self._report_points()
                         if f.kind == "finding" and "pillar" in stems(f.subject))
            if topic == "rtop":
                for slug in ("narrow-scope-four-crimes", "no-renegotiation"):
                    result = await q.theme_states(self.session, slug, None)
                    if result and result.groups:
                        g = result.groups[0]
                        first = (g.unnamed or g.positions)[0]
                        parts.append(Definition(result.theme.name, result.theme.description, False,
                                                Evidence(first.source, first.excerpt)))
            return tuple(parts) or None
        if topic == "theme" and self.r.theme is not None:
            result = await q.theme_states(self.session, self.r.theme.code or "", None)
            if result is None:
                return None
            raised: list[PositionInfo | UnnamedInfo] = [*(x for g in result.groups for x in g.positions),
                                                        *(x for g in result.groups for x in g.unnamed)]
            evidence = [Evidence(x.source, x.excerpt) for x in raised]
            parts.append(Definition(result.theme.name, result.theme.description, False, evidence[0] if evidence else None))
            parts.extend(sort_parts(await self._groups(result.theme.slug, None, None), None))
            return tuple(parts)
        if topic == "fact":  # a point of the report the question names ("the African Peer Review Mechanism")
            found = [f for f in await self._report_points() if f.subject in self.r.detail]
            if not found:
                return None
            point = found[0]
            parts.append(Definition(point.subject, _sentence_with(point.excerpt, point.subject), True,
                                    Evidence(point.source, point.excerpt)))
            parts.extend(report_point(f) for f in found)
            return tuple(parts)
        if topic:  # terms the sources use ("structural prevention"), each defined in turn
            for term in self.r.detail or (topic,):
                same = next(((i, p) for i, p in enumerate(parts)
                             if isinstance(p, Definition) and term.lower() in p.text.lower()), None)
                if same is not None:  # the sentence that defined one term defines this one too
                    i, definition = same
                    parts[i] = replace(definition, term=f"{definition.term} and {term}")
                else:
                    parts.extend(await self._term(term))
            return tuple(parts) or None
        return None

    async def _term(self, topic: str) -> list[Part]:
        """A term the sources use: the report's point that defines it, else the sentence of a passage that holds it."""
        term = topic.lower()
        for f in sorted(await self._report_points(), key=lambda f: "defin" not in f.excerpt.lower()):
            if term in f.excerpt.lower():
                return [Definition(topic, _sentence_with(f.excerpt, topic), True, Evidence(f.source, f.excerpt)),
                        report_point(f)]
        for hit in await q.search_passages(self.session, topic, limit=5):
            for sentence in _SENTENCES.split(hit.text):
                if term in sentence.lower():
                    return [Definition(topic, sentence.strip(), True, Evidence(hit.source, sentence.strip()))]
        return []

    async def regional_role(self) -> Parts | None:
        """What the 2011 report says regional and sub-regional arrangements can do: its list per pillar and its
        points (`report_facts`); or the points the question names."""
        points = await self._report_points()
        if self.r.topic == "fact":
            found = [f for f in points if f.subject in self.r.detail]
            found.sort(key=lambda f: self.r.detail.index(f.subject))
            return tuple(report_point(f) for f in found) or None
        parts: list[Part] = []
        listed = [f for f in points if f.kind in ("mechanism", "recommendation", "body")]  # contributions: below
        asked = self.r.pillar
        for n in (asked,) if asked else (1, 2, 3):  # per pillar: the report's list of what they can do, then its examples
            pillar = await q.pillar_explainer(self.session, n)
            if pillar is not None:
                parts.extend(Contribution(n, c.heading, Evidence(pillar.source, c.excerpt)) for c in pillar.contributions)
            parts.extend(report_point(f) for f in listed if f.pillar == n)
        if not asked:
            parts.extend(report_point(f) for f in listed if f.pillar is None)  # the introduction's and conclusions'
        return tuple(parts) or None

    async def search(self) -> Parts | None:
        return None


def report_point(f: ReportFactInfo) -> ReportPoint:
    return ReportPoint(f.year, f.pillar, f.kind, f.subject, f.summary, Evidence(f.source, f.excerpt), f.actor)


def _sentence_with(text: str, term: str) -> str:
    """The sentence of a verbatim excerpt that holds a term (or its first word), else the whole excerpt."""
    sentences = [x.strip() for x in _SENTENCES.split(text) if x.strip()]
    low = term.lower()
    for needle in (low, low.split()[0]):
        found = next((x for x in sentences if needle in x.lower()), None)
        if found:
            return found
    return text


def stated_claims(claims: Sequence[SourceClaim], year: int) -> list[Stated]:
    """Claims as stated facts, each marked when another source states another value for the same field."""
    values: dict[tuple[str, str | None], set[str]] = {}
    for c in claims:
        values.setdefault((c.field, c.measure if c.field == "participation" else None), set()).add(_value(c))
    out = []
    for c in claims:
        key = (c.field, c.measure if c.field == "participation" else None)
        out.append(Stated(year, c.field, _value(c), Evidence(c.source, c.excerpt), c.measure, len(values[key]) > 1))
    if any(c.field == "report_date" for c in claims):
        dates = {_day(s.value) for s in out if s.field == "report_date"}
        out = [Stated(s.year, s.field, s.value, s.evidence, s.measure, len(dates) > 1) if s.field == "report_date" else s for s in out]
    return out


def _value(c: SourceClaim) -> str:
    return str(c.value_int) if c.value_int is not None else c.value_text or ""


def _day(value: str) -> str:
    return value[:10]


def named_groups(positions: Sequence[PositionInfo], with_theme: bool = False) -> list[NamedGroup]:
    """Positions named together (same point, same excerpt) as groups, states apart from others."""
    groups: dict[tuple[Any, ...], list[PositionInfo]] = {}
    for p in positions:
        key = (p.year, actor_label(p.actor_kind), p.excerpt, p.summary, p.stance, p.theme.slug)
        groups.setdefault(key, []).append(p)
    out = []
    for (year, label, excerpt, summary, stance, _), members in groups.items():
        first = members[0]
        out.append(NamedGroup(year, label, tuple(dict.fromkeys(p.actor for p in members)), stance, summary,
                              any(p.partial for p in members), Evidence(first.source, excerpt), first.theme.name))
    return out


def first_where(items: Sequence[T], test: Callable[[T], bool]) -> list[T]:
    """`items` with those that pass `test` first, each kept in its order (one pass: answers may hold thousands)."""
    return sorted(items, key=lambda x: not test(x))


def sort_parts(parts: list[Part], kinds: str | None) -> list[Part]:
    """Per year: the kind asked for first, then the others (labelled by the renderer), then unnamed counts."""

    def key(p: Part) -> tuple[Any, ...]:
        year = getattr(p, "year", 0) or 0
        if isinstance(p, NamedGroup):
            order = _LABEL_ORDER.get(p.label, 3)
            if kinds and p.label == kinds:
                order = -1
            return (year, 0 if order <= 0 else 2, order)
        if isinstance(p, CountGroup):
            return (year, 1, 0)
        return (year, 3, 0)

    return sorted(parts, key=key)
