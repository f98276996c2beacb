"""Writes /ask's structured answers: a headline, the facts with citations, the evidence, "Read as".

Every sentence a person reads about an answer is made here, from the parts
`db.ask` returns, so Discord, the console and briefings word answers alike.
"""

from __future__ import annotations

from typing import Any, Iterable

from bot.render import limits
from bot.render.embeds import esc, once, quote
from bot.render.labels import MEASURE_PHRASES, REPORT_KINDS, ROLES, STANCE_LEGEND, STANCE_MARKS, STANCE_WORDS, meeting_kind
from bot.render.layout import NOTICE, Citations, Reply, Section, build_reply
from db.ask.answers import (
    ActorLine,
    Answer,
    Contribution,
    CountGroup,
    Definition,
    Evidence,
    Frequency,
    ListCoverage,
    Meeting,
    NamedGroup,
    OFTEN_TOPIC,
    SUPPORTS,
    Part,
    Reading,
    ReportPoint,
    RoleRow,
    SpeakerList,
    Stated,
    TURNOUT_TOPICS,
    Tally,
    ThemeRow,
    Turnout,
    UnnamedCount,
    Verdict,
)
from db.models import MeetingKind

EVIDENCE_SHOWN = 8
FIELD_LABELS = {
    "report_title": "Title",
    "report_symbol": "Symbol",
    "report_date": "Date",
    "participation": "Participation",
    "ordinal": "Ordinal",
    "note": "Note",
}
GROUP_LABELS = {"states": "States", "organisations": "Organisations", "officials": "UN officials and panelists"}
FILTER_WORDS = {"not_delivered": "whose statements were not delivered", "behalf": "speaking on behalf of others"}
SHORT_EXCERPT = 40  # an excerpt this short is a name in a list: cited, not quoted
TIMELINE_TITLES = {
    "first": "The first General Assembly meeting on RtoP",
    "count": "How many General Assembly meetings on RtoP there have been",
    "agenda": "RtoP on the General Assembly's formal agenda",
    "gaps": "Years without a General Assembly meeting on RtoP",
    "all": "Every General Assembly meeting on RtoP",
}
# the meetings ranked by how many member states spoke (a participation reading's topic)
TURNOUT_READ_AS = {
    "most": "which meeting had the most member states speaking",
    "fewest": "which meeting had the fewest member states speaking",
    "trend": "how many member states spoke at each meeting, year by year",
}
OFTEN_GROUPS = 6  # groups of actors named at as many meetings, most first; the rest are counted
OFTEN_KINDS = {"states": "member states", "organisations": "organisations", "officials": "officials and panelists"}
TURNOUT_ORDER = {"most": "Every meeting, most first:", "fewest": "Every meeting, fewest first:", "trend": "Year by year:"}
TURNOUT_NOTE = ("Counted: the member states that spoke, as each source states it; observers, the EU and the governments "
                "they spoke for are not counted. Where the sources differ, both figures are shown.")
NOT_ENGLISH = ("I read questions in English for now",
               "Please ask in English, e.g. “Which states raised the veto in 2014?”. "
               "Names of states may be typed as you know them.")


def _in(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    if len(years) == 1:
        return f" in {years[0]}"
    return " in " + ", ".join(str(y) for y in years[:-1]) + f" and {years[-1]}"


def _years(years: tuple[int, ...]) -> str:
    return ", ".join(str(y) for y in years)


def read_as(r: Reading) -> str:
    """The reading in plain words, for the footer and the alternatives."""
    theme = f"“{r.theme.name}”" if r.theme else ""
    actor = r.actors[0].name if r.actors else ""
    who = {"states": "which states", "organisations": "which organisations", "officials": "which officials"}.get(r.kinds or "", "who")
    f = r.family
    if f == "theme_actors":
        if actor:
            text = f"did {actor} raise {theme}"
        elif r.stance in ("opposes", "concerned"):
            text = f"{who} {'opposed' if r.stance == 'opposes' else 'raised concerns about'} {theme}"
        else:
            text = f"{who} raised {theme}"
    elif f == "theme_count":
        text = f"how many raised {theme}"
    elif f == "compare_years":
        text = f"{theme} compared across the years" if not r.years else f"{theme} compared"
    elif f == "dissent" and r.stance == SUPPORTS:
        text = f"whether {r.actors[0].name} voiced support" if r.actors else f"{who} voiced support"
    elif f == "dissent":
        text = f"whether {r.actors[0].name} opposed or raised concerns" if r.actors else f"{who} opposed or raised concerns"
    elif f == "dialogue_themes":
        text = "the themes of the dialogue"
    elif f == "actor_said":
        text = f"what {actor} said" + (f" about {theme}" if theme else "")
    elif f == "compare_actors":
        text = " and ".join(a.name for a in r.actors) + " compared"
    elif f == "speakers" and r.topic == OFTEN_TOPIC:
        return f"{who} spoke at the most meetings" + (_span(r.years) if len(r.years) > 2 else _in(r.years))
    elif f == "speakers":
        extra = [d for d in r.detail if d[0].isupper()]
        text = f"{who} spoke" + (f" in {' or '.join(extra)}" if extra else "")
        if "not_delivered" in r.detail:
            text = "whose statements were not delivered"
        elif "behalf" in r.detail:
            text = "who spoke on behalf of others"
    elif f == "spoke_check":
        text = f"did {actor} speak"
    elif f == "behalf":
        text = f"who spoke on behalf of {actor}, or for whom {actor} spoke"
    elif f == "roles":
        text = " and ".join(ROLES.get(x, x).lower() for x in r.detail) + (f" ({actor})" if actor else "")
    elif f == "report":
        year = f"{r.years[0]} " if len(r.years) == 1 else ""
        text = (f"the {r.topic} of the Secretary-General's {year}report" if r.topic else f"the Secretary-General's {year}report")
        return text if year or not r.years else text + _in(r.years)
    elif f == "participation":
        if r.topic in TURNOUT_TOPICS:
            return _turnout_asked(r)
        return f"how many took part{_in(r.years)}, per source"
    elif f == "timeline":
        text = {"first": "the first meeting", "count": "how many meetings", "agenda": "when RtoP reached the formal agenda",
                "gaps": "years without a meeting", "year": "what happened", "all": "the timeline"}.get(r.topic or "", "the timeline")
    elif f == "definition":
        topic = r.topic or ""
        text = ("what RtoP is" if topic == "rtop" else f"what {theme} means" if topic == "theme"
                else f"what “{r.detail[0]}” is (2011 report)" if topic == "fact" and r.detail
                else f"what {' and '.join(r.detail)} mean" if len(r.detail) >= 2
                else "what the three pillars are" if topic == "pillars"
                else "what pillars " + " and ".join(map(str, r.pillars)) + " mean" if len(r.pillars) >= 2
                else f"what {topic} means")
    elif f == "regional_role":
        text = ("what the 2011 report says of " + "; ".join(f"“{d}”" for d in r.detail) if r.topic == "fact" and r.detail
                else f"what regional arrangements can do{f' under pillar {r.pillar}' if r.pillar else ''} (2011 report)")
    else:
        text = "a search of the source texts"
    if f not in ("timeline",) or r.topic == "year":
        text += _in(r.years)
    return " ".join(text.split())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _span(years: tuple[int, ...]) -> str:
    """ " from 2015 to 2024", for a run of years; "" for every year."""
    return f" from {years[0]} to {years[-1]}" if len(years) >= 2 else _in(years)


def _turnout_asked(r: Reading) -> str:
    if len(r.years) == 2:
        more = "fewer" if r.topic == "fewest" else "more"
        return f"whether {more} member states spoke in {r.years[0]} or in {r.years[1]}"
    if r.years and r.topic == "trend":
        return f"how many member states spoke at each meeting{_span(r.years)}"
    return TURNOUT_READ_AS[r.topic or "trend"] + _in(r.years)


def _title(a: Answer) -> str:
    r = a.reading
    theme = f"“{r.theme.name}”" if r.theme else ""
    actor = r.actors[0].name if r.actors else ""
    where = _in(r.years)
    f = r.family
    if f == "theme_actors":
        if actor:
            return f"Did {actor} raise {theme}{where}?"
        if r.stance == "opposes":
            return f"Who opposed {theme}{where}"
        return f"Who raised {theme}{where}"
    if f == "theme_count":
        return f"How many raised {theme}{where}"
    if f == "compare_years":
        return f"{theme} across the dialogues{where}"
    if f == "dissent" and r.stance == SUPPORTS:
        return f"Did {r.actors[0].name} voice support{where}?" if r.actors else f"Who voiced support{where}, and for what"
    if f == "dissent":
        if r.actors:
            return f"Did {r.actors[0].name} oppose or raise concerns{where}?"
        return f"Who opposed or raised concerns{where}"
    if f == "dialogue_themes":
        return f"Themes of the {r.years[0]} dialogue" if len(r.years) == 1 else f"Themes of the dialogues{where}"
    if f == "actor_said":
        return f"What the sources record of {actor}{where}" + (f" on {theme}" if theme else "")
    if f == "compare_actors":
        return " and ".join(x.name for x in r.actors) + f" compared{where}"
    if f == "speakers":
        return _cap(read_as(r))
    if f == "spoke_check":
        return f"Did {actor} speak{where}?"
    if f == "behalf":
        return f"Statements on behalf of others: {actor}"
    if f == "roles":
        return " and ".join(ROLES.get(x, x) for x in r.detail) + where
    if f == "report":
        return f"The Secretary-General's report{where}" if r.years else "The Secretary-General's reports on RtoP"
    if f == "participation":
        if r.topic in TURNOUT_TOPICS:
            if len(r.years) == 2 or (r.topic != "trend" and not r.years):
                return _cap(_turnout_asked(r))
            return f"How many member states spoke at each meeting{_span(r.years)}"
        return f"How many took part{where}, as each source states it"
    if f == "timeline":
        if r.topic == "year":
            if len(r.years) == 1:
                return f"The {r.years[0]} General Assembly meeting on RtoP"
            if r.years:
                return f"The General Assembly meetings on RtoP of {_years(r.years[:-1])} and {r.years[-1]}"
            return "The General Assembly meetings on RtoP"
        return TIMELINE_TITLES.get(r.topic or "", TIMELINE_TITLES["all"])
    if f == "definition":
        if r.topic == "rtop":
            return "What the Responsibility to Protect (RtoP) is"
        if r.topic == "theme":
            return f"What {theme} means"
        if len(r.pillars) >= 2:
            return "Pillars " + " and ".join(map(str, r.pillars)) + " of RtoP"
        if r.pillar:
            return f"Pillar {r.pillar} of RtoP"
        if r.topic == "fact" and r.detail:
            return f"“{r.detail[0]}” in the Secretary-General's 2011 report"
        if len(r.detail) >= 2:
            return "What " + " and ".join(f"“{d}”" for d in r.detail) + " mean"
        return f"What “{r.topic}” means" if r.topic and r.topic != "pillars" else "The three pillars of RtoP"
    if f == "regional_role":
        if r.topic == "fact" and r.detail:
            return f"What the Secretary-General's 2011 report says: {r.detail[0]}"
        under = f" under pillar {r.pillar}" if r.pillar else ""
        return f"What regional and sub-regional arrangements can do{under} (the Secretary-General's 2011 report)"
    return "Passages of the sources"


class _Writer:
    def __init__(self, a: Answer) -> None:
        self.a = a
        self.citations = Citations()
        self.cited: dict[Evidence, None] = {}  # in the order first cited (a dict: answers may cite thousands)

    def cite(self, ev: Evidence | None) -> str:
        if ev is None:
            return ""
        self.cited.setdefault(ev)
        return " " + self.citations.cite(ev.source)

    def lines(self) -> list[str]:
        out: list[str] = []
        parts = self.a.parts
        turnout = [p for p in parts if isinstance(p, Turnout)]
        if turnout:
            return self.turnout(turnout)
        often = [p for p in parts if isinstance(p, Frequency)]
        if often:
            return self.often(often, [p for p in parts if isinstance(p, ListCoverage)])
        run: list[Stated] = []  # stated facts that follow one another are written together, where they stand
        for p in parts:
            if isinstance(p, Stated):
                run.append(p)
                continue
            if run:
                out.extend(self.stated(run))
                run = []
            out.extend(self.part(p))
        return out + (self.stated(run) if run else [])

    def part(self, p: Part) -> Iterable[str]:
        if isinstance(p, Verdict):
            yield self.verdict(p)
        elif isinstance(p, NamedGroup):
            label = GROUP_LABELS[p.label]
            if self.a.reading.kinds == "states" and p.label != "states":
                label = f"Also named, not states — {label.lower()}"
            partial = " (partial list: the source names these among others)" if p.partial else ""
            theme = f" · {p.theme}" if self.a.reading.family == "dissent" and p.theme else ""
            yield (f"{STANCE_MARKS.get(p.stance, '')} {p.year}{esc(theme)} · {label}: {esc(', '.join(p.names))}{partial} — "
                   f"{esc(p.summary)}{self.cite(p.evidence)}")
        elif isinstance(p, CountGroup):
            count = f" ({p.count})" if p.count is not None else ""
            theme = f" · {p.theme}" if self.a.reading.family == "dissent" and p.theme else ""
            yield (f"{STANCE_MARKS.get(p.stance, '')} {p.year}{esc(theme)} · {esc(p.quantity)}{count}, not named in the source — "
                   f"{esc(p.summary)}{self.cite(p.evidence)}")
            if p.refers_to:
                yield f"  ↳ “{esc(p.quantity)}” refers back to the source's sentence before: {quote(p.refers_to, 260)}"
        elif isinstance(p, ActorLine):
            yield self.actor_line(p)
        elif isinstance(p, SpeakerList):
            yield from self.speakers(p)
        elif isinstance(p, RoleRow):
            title = f", {p.title}" if p.title and p.title != p.actor else ""  # an unnamed panelist is known by the title
            yield f"{p.year} · {ROLES.get(p.role, p.role)}: {esc(p.actor)}{esc(title)}{self.cite(p.evidence)}"
        elif isinstance(p, Meeting):
            report = f" · report “{esc(p.report_title)}” ({esc(p.report_symbol or 'no symbol')})" if p.report_title else ""
            records = " · 📚 detailed records" if p.detailed else ""
            notes = f" · {esc(p.notes)}" if p.notes else ""
            yield f"{p.year} · {esc(p.meeting)} · {esc(p.dates or 'no date')}{report}{notes}{records}{self.cite(p.evidence)}"
        elif isinstance(p, ThemeRow):
            unnamed = f"; not named: {esc(', '.join(once(p.unnamed)))}" if p.unnamed else ""
            yield f"{p.year} · {esc(p.theme)} — {p.named} named{unnamed}{self.cite(p.evidence)}"
        elif isinstance(p, Definition):
            if p.verbatim:
                yield f"**{esc(p.term)}** (the source's words): {quote(p.text, 400)}{self.cite(p.evidence)}"
            else:
                yield f"**{esc(p.term)}** in plain words (this bot's summary): {esc(p.text)}{self.cite(p.evidence)}"
        elif isinstance(p, Contribution):
            yield f"Pillar {p.pillar} · {esc(p.heading)}{self.cite(p.evidence)}"
        elif isinstance(p, ReportPoint):
            where = f"Pillar {p.pillar} · " if p.pillar else ""
            kind = REPORT_KINDS.get(p.kind, "What regional arrangements can do" if p.kind == "contribution" else p.kind)
            if p.summary == p.subject:  # an item of the report's list: its heading says it
                yield f"{where}{kind} · **{esc(p.subject)}**{self.cite(p.evidence)}"
                return
            if self.a.reading.family == "regional_role" and self.a.reading.topic != "fact":
                yield f"{where}{kind}: {esc(p.subject)}{self.cite(p.evidence)}"  # one of many: its label
            else:
                yield f"{where}{kind} · **{esc(p.subject)}** — {esc(p.summary)}{self.cite(p.evidence)}"
        elif isinstance(p, UnnamedCount):
            count = f" ({p.count})" if p.count is not None else ""
            yield (f"{p.year} · Also counted, not named: {esc(p.quantity)}{count} — the source gives the number "
                   f"without saying who they are{self.cite(p.evidence)}")
        elif isinstance(p, Tally):
            yield self.tally(p)

    def turnout(self, rows: list[Turnout]) -> list[str]:
        """The meetings by how many member states spoke: the answer first, then every meeting in the order asked."""
        topic = self.a.reading.topic or "trend"
        out: list[str] = []
        if len(rows) == 2:
            more, fewer = sorted(rows, key=lambda t: (-t.high, -t.low))
            if more.low <= fewer.high:  # the sources' figures overlap: neither had surely more
                out.append(f"**About as many member states spoke in {more.year} and {fewer.year}** — "
                           f"{_figure(more)} and {_figure(fewer)}; the sources' figures overlap")
            elif topic == "fewest":
                out.append(f"**Fewer member states spoke in {fewer.year}** — {_figure(fewer)}, against {_figure(more)} in {more.year}")
            else:
                out.append(f"**More member states spoke in {more.year}** — {_figure(more)}, against {_figure(fewer)} in {fewer.year}")
        elif len(rows) > 2:
            if topic == "trend":
                first, last = min(rows, key=lambda t: t.year), max(rows, key=lambda t: t.year)
                (most, high), (fewest, low) = _tied(rows, "most"), _tied(rows, "fewest")
                out.append(f"**Member states speaking: {_figure(first)} in {first.year}, {_figure(last)} in {last.year}** — "
                           f"the most in {most} ({high}), the fewest in {fewest} ({low})")
            else:
                years, value = _tied(rows, topic)
                word = "Most" if topic == "most" else "Fewest"
                out.append(f"**{word} member states speaking: {years}** — {value} ({esc(rows[0].meeting)})")
                dialogues = [t for t in rows if t.kind == MeetingKind.informal_interactive_dialogue]
                if rows[0].kind != MeetingKind.informal_interactive_dialogue and dialogues:
                    years, value = _tied(dialogues, topic)
                    out.append(f"Of the {meeting_kind(MeetingKind.informal_interactive_dialogue).lower()}s: {years} — {value}")
            out.append(TURNOUT_ORDER[topic])
        for t in rows:
            differ = " (the sources differ)" if not t.agreed else ""
            cites = "".join(self.cite(ev) for ev in t.evidence)
            out.append(f"{t.year} · {_figure(t)} member states{differ} · {esc(t.meeting)}{cites}")
        out.append(TURNOUT_NOTE)
        return out

    def often(self, rows: list[Frequency], lists: list[ListCoverage]) -> list[str]:
        """Actors by how many meetings' speaker lists name them: the most first, then what the lists cover."""
        kind = OFTEN_KINDS[rows[0].label]
        groups: dict[tuple[int, ...], list[Frequency]] = {}
        for f in rows:  # most meetings first (the engine's order), then the same meetings together
            groups.setdefault(f.years, []).append(f)
        ordered = sorted(groups.items(), key=lambda g: (-len(g[0]), g[0]))
        top = ordered[0][0]
        leaders = [f.actor for years, group in ordered if len(years) == len(top) for f in group]
        out = [f"**Named speaking at the most meetings: {esc(', '.join(leaders))} — {len(top)} of the {len(lists)} "
               f"meetings whose {kind} a source lists**"]
        for years, group in ordered[:OFTEN_GROUPS]:
            cites = "".join(dict.fromkeys(self.cite(ev) for f in group for ev in f.evidence))
            meetings = f"{len(years)} meeting{'s' if len(years) > 1 else ''}"
            out.append(f"{meetings} ({_years(years)}) · {esc(', '.join(f.actor for f in group))}{cites}")
        rest = [f for _, group in ordered[OFTEN_GROUPS:] for f in group]
        if rest:
            out.append(f"…and {len(rest)} more named at {_fewer_meetings(rest)}.")
        covered = [f"{c.year}: {c.listed}" + (f" of {c.stated_total}" if c.stated_total else "")
                   + (" (partial)" if c.stated_total and c.listed < c.stated_total else "") for c in lists]
        out.append(f"Counted from the sources' lists of {kind} — {'; '.join(covered)}. Where a list is partial, or no "
                   "source lists a meeting's speakers, any of them may have spoken at more meetings than counted here.")
        return out

    def verdict(self, v: Verdict) -> str:
        where = f" in {v.year}" if v.year else ""
        about = f"“{v.about}”" if v.about else ""
        if v.what == "raised":
            if v.subject is None:
                return f"{v.year}: no one is recorded raising {about}."
            if v.yes:
                return f"Yes: {v.subject} is named among those who raised {about}{where}."
            return f"{v.subject} is not named among those who raised {about}{where}; the records name these:"
        if v.what == "stance":
            if v.yes:
                return f"Recorded as {STANCE_WORDS.get(v.subject or '', v.subject)} {about}{where}:"
            return (f"No one is recorded {STANCE_WORDS.get(v.subject or '', v.subject)} {about}{where}. "
                    f"What the records hold ({STANCE_LEGEND}):")
        if v.what == "listed":
            return f"No source lists who spoke in {v.year}; the counts the sources give:"
        if v.what == "support":
            if v.yes:
                return f"Yes: {v.subject} is recorded voicing support{where}:"
            return f"{v.subject} is not recorded voicing support{where}. What the records hold of {v.subject}:"
        if v.what == "dissent":
            if v.yes:
                return f"Yes: {v.subject} is recorded opposing or raising concerns{where}:"
            return f"{v.subject} is not recorded opposing or raising concerns{where}. What the records hold of {v.subject}:"
        if v.what == "spoke":
            if v.year is None:
                return f"{v.subject} is not in the records of any meeting. How complete each meeting's list is:"
            if v.yes:
                return f"Yes: {v.subject} is on record at the {v.year} meeting."
            return f"{v.subject} is not in the records of the {v.year} meeting."
        if v.what == "on_topic":
            if v.yes:
                return f"On {about}{where}:"
            return f"Nothing is recorded of {v.subject} on {about}{where}. What is recorded:"
        if v.what == "behalf":
            return f"The sources record no statement delivered by or for {v.subject} on behalf of others."
        if v.what == "role":
            return f"{v.subject} is not recorded in that role{where}."
        if v.what == "on_record":
            return f"Nothing is recorded of {v.subject}{where}."
        return ""

    def actor_line(self, p: ActorLine) -> str:
        if p.what == "position":
            return f"{STANCE_MARKS.get(p.stance or '', '')} {p.year} · {esc(p.actor)} · {esc(p.theme)}: {esc(p.text)}{self.cite(p.evidence)}"
        if p.what == "statement":
            details = f" ({esc('; '.join(p.details))})" if p.details else ""
            return f"{p.year} · {esc(p.actor)}: statement listed{details}{self.cite(p.evidence)}"
        if p.what == "role":
            title = f" ({esc(p.details[0])})" if p.details and p.details[0] else ""
            return f"{p.year} · {esc(p.actor)}: {ROLES.get(p.text, p.text)}{title}{self.cite(p.evidence)}"
        return f"{p.year} · {esc(p.actor)}: “{esc(p.text)}”{self.cite(p.evidence)}"

    def speakers(self, p: SpeakerList) -> Iterable[str]:
        label = GROUP_LABELS[p.label]
        n = len(p.speakers)
        of_total = f" of the {p.stated_total} the sources count" if p.stated_total else ""
        if not p.speakers:
            if p.partial:
                yield (f"{p.year}: the source's list of statements names {p.listed} {p.label}{of_total} — a partial list, "
                       f"so a name missing from it proves nothing.")
            else:
                yield f"{p.year}: the source's list of statements names {p.listed} {p.label}{of_total}."
            return
        if p.filters:
            kept = ", ".join(FILTER_WORDS.get(f, f"speaking {f}") for f in p.filters)
            head = f"{p.year} · {label} {kept}: {n} in the source's list, which names {p.listed}{of_total}"
            if p.stated_total and p.listed < p.stated_total:
                head += " (a partial list)"
        elif p.partial and p.stated_total:
            head = f"{p.year} · {label}: {n} listed{of_total} — a partial list"
        else:
            total = f" (the sources count {p.stated_total})" if p.stated_total else ""
            head = f"{p.year} · {label}: {n} listed{total}"
        cite = self.cite(p.evidence[0] if p.evidence else Evidence(p.source, ""))
        names = []
        for s in p.speakers:
            bits = list(s.languages)
            if s.on_behalf_of:
                bits.append("on behalf of " + ", ".join(s.on_behalf_of))
            if not s.delivered:
                bits.append("distributed but not delivered")
            elif s.note and p.label == "officials":
                bits.append(s.note)
            names.append(esc(s.name) + (f" ({esc('; '.join(bits))})" if bits else ""))
        yield f"{head}{cite}: " + ", ".join(names)

    def stated(self, items: list[Stated]) -> list[str]:
        groups: dict[tuple[Any, ...], list[Stated]] = {}
        for s in items:
            groups.setdefault((s.year, s.field, s.measure), []).append(s)
        out = []
        for (year, field, measure), group in groups.items():
            values: dict[str, list[str]] = {}
            for s in group:
                values.setdefault(s.value, []).append(self.cite(s.evidence).strip())
            label = FIELD_LABELS.get(field, field)
            if field == "participation" and measure:
                label = f"Participation ({MEASURE_PHRASES.get(measure, measure)})"
            shown = " · ".join(f"{esc(v)} {''.join(dict.fromkeys(marks))}" for v, marks in values.items())
            conflict = " ⚠️ sources differ" if any(s.conflict for s in group) else ""
            out.append(f"{year} · {label}: {shown}{conflict}")
        return out

    def tally(self, t: Tally) -> str:
        if t.what == "themes":
            return f"{t.year}: {t.count} themes recorded"
        years = f" ({_years(t.years)})" if t.years else ""
        if t.what == "meetings":
            span = f" {t.years[0]}–{t.years[-1]}" if t.years else ""
            return f"{t.count} General Assembly meetings on RtoP in the timeline{span}, as the timeline names them:"
        if t.what == "dialogues":
            return f"· {t.count} informal interactive dialogues{years}"
        if t.what == "debates":
            return f"· {t.count} plenary or formal debates{years}"
        if t.what == "no_meeting":
            if not t.count:
                return "Every year of the timeline had a meeting."
            return f"· {t.count} year without a meeting{years}" if t.count == 1 else f"· {t.count} years without a meeting{years}"
        if t.what == "listed_states":
            return f"{t.year}: the source's list of statements names {t.count} states."
        if t.what == "contributions":
            return f"The 2011 report lists {t.count} ways regional and sub-regional arrangements can help under pillar {t.year} (see /pillar explain)."
        return f"{t.what}: {t.count}"

    def evidence_lines(self) -> list[str]:
        quoted = [e for e in self.cited if len(e.excerpt) >= SHORT_EXCERPT] or [e for e in self.cited if e.excerpt][:3]
        out = [f"{self.citations.cite(ev.source)} {quote(ev.excerpt, 300)}" for ev in quoted[:EVIDENCE_SHOWN]]
        more = len(quoted) - EVIDENCE_SHOWN
        if more > 0:
            out.append(f"…and {more} more excerpts.")
        return out


def _fewer_meetings(rows: list[Frequency]) -> str:
    counts = sorted({len(f.years) for f in rows}, reverse=True)
    most = counts[0]
    if len(counts) == 1:
        return f"{most} meeting{'s' if most > 1 else ''} each"
    return f"{counts[-1]} to {most} meetings each"


def _figure(t: Turnout) -> str:
    return str(t.low) if t.agreed else f"{t.low}–{t.high}"


def _tied(rows: list[Turnout], topic: str) -> tuple[str, int]:
    """The year (or the years, if tied) with the most or the fewest member states speaking, and that figure."""
    figures = {t.year: t.high if topic == "most" else t.low for t in rows}
    best = max(figures.values()) if topic == "most" else min(figures.values())
    return " and ".join(str(year) for year in sorted(figures) if figures[year] == best), best


def count_summary(a: Answer) -> list[str]:
    """Per year, how many the records name (states apart from others) and which groups they count without names."""
    out = []
    years = sorted({p.year for p in a.parts if isinstance(p, (NamedGroup, CountGroup))})
    for year in years:
        named: dict[str, set[str]] = {}
        for p in a.parts:
            if isinstance(p, NamedGroup) and p.year == year:
                named.setdefault(p.label, set()).update(p.names)
        counted = [f"{p.quantity}" + (f" ({p.count})" if p.count is not None else "")
                   for p in a.parts if isinstance(p, CountGroup) and p.year == year]
        partial = any(p.partial for p in a.parts if isinstance(p, NamedGroup) and p.year == year)
        bits = [f"{len(named.get(label, ()))} {label} named" for label in ("states", "organisations", "officials")
                if named.get(label) or label == "states"]
        line = f"**{year}:** " + ", ".join(bits) + (" (a partial list)" if partial else "")
        if counted:
            line += "; counted without names: " + esc("; ".join(dict.fromkeys(counted)))
        out.append(line)
    return out


def snippet(text: str, terms: tuple[str, ...], size: int = 560) -> str:
    """The part of a long passage where most of the searched words are, marked "…" where cut."""
    if len(text) <= size:
        return text
    low = text.lower()
    spots = [i for t in terms if len(t) > 3 for i in _find_all(low, t.lower())]
    if not spots:
        return text
    best = max(spots, key=lambda i: sum(1 for t in terms if t.lower() in low[max(0, i - 80): i + size - 80]))
    start = max(0, best - 80)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    return ("…" if start else "") + text[start:start + size]


def _find_all(text: str, term: str) -> list[int]:
    out: list[int] = []
    at = text.find(term)
    while at >= 0 and len(out) < 20:
        out.append(at)
        at = text.find(term, at + 1)
    return out


def answer(a: Answer) -> Reply:
    """The reply to /ask."""
    if a.status == "not_english":
        return build_reply(NOT_ENGLISH[0], description=NOT_ENGLISH[1], colour=NOTICE, ephemeral=True)
    footer = limits.clip(f"Read as: {read_as(a.reading)}", 200)
    others = [f"• {esc(read_as(r))}" for r in a.alternatives]
    other_section = [Section("Or did you mean", others)] if others else []
    if a.status == "unknown_year":
        years = a.years_known
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return build_reply(
            f"There is no General Assembly meeting on RtoP in {a.note} in the records",
            description=f"The records cover the meetings of {span}. Try `/dialogue list` for every one.",
            sections=other_section, colour=NOTICE, footer=footer)
    w = _Writer(a)
    if a.status == "no_answer":
        description = ("**No answer in the records.** The bot's records hold no answer to that question as it read it."
                       + (" These passages of the source texts may help; they are passages, not an answer." if a.hits else
                          " Try naming a theme, a state or a year, e.g. “Which states raised the veto in 2014?”"))
        passages = [f"{w.citations.cite(h.source)} passage {h.ordinal} of {h.passages_in_source} — "
                    f"{quote(snippet(h.text, h.terms), 600)}" for h in a.hits]
        sections = ([Section("Passages that may help (source text, not an answer)", passages)] if passages else []) + other_section
        return build_reply("No answer in the records", description=description, sections=sections, citations=w.citations,
                           colour=NOTICE, footer=footer)
    body = w.lines()
    if a.reading.family == "theme_count":
        body = count_summary(a) + body
    evidence = w.evidence_lines()
    sections = ([Section("Evidence", evidence)] if evidence else []) + other_section
    return build_reply(limits.clip(_title(a), limits.EMBED_TITLE), description="\n".join(body), sections=sections,
                       citations=w.citations, footer=footer)


__all__ = ["answer", "read_as"]
