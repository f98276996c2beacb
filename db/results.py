"""Plain result types returned by the query layer (no ORM objects, no Discord)."""

from __future__ import annotations

from dataclasses import dataclass, field


SPEAKER_MEASURES = ("member_states", "regional_organisations", "civil_society")


@dataclass(frozen=True, slots=True)
class SourceRef:
    key: str
    title: str
    publisher: str
    date: str | None
    date_note: str | None
    kind: str
    dialogue_year: int | None = None
    url: str | None = None
    address_note: str | None = None
    verified: bool = True  # has a stored text its excerpts were checked against (not a source given by title and URL)


@dataclass(frozen=True, slots=True)
class SourceClaim:
    """One source's statement of a figure or fact about a dialogue."""

    field: str  # report_title | report_symbol | report_date | participation | ordinal
    measure: str | None
    value_int: int | None
    value_text: str
    source: SourceRef
    excerpt: str


@dataclass(frozen=True, slots=True)
class DialogueSummary:
    year: int
    dates: str | None
    kind: str
    meeting: str
    title: str | None
    ordinal: str | None
    report_title: str | None
    report_symbol: str | None
    report_date: str | None
    detailed: bool


@dataclass(frozen=True, slots=True)
class RoleInfo:
    year: int
    actor: str
    actor_kind: str
    role: str
    title: str | None
    source: SourceRef
    excerpt: str
    session: str | None = None


@dataclass(frozen=True, slots=True)
class StatementInfo:
    year: int
    actor: str
    actor_kind: str
    languages: tuple[str, ...]
    on_behalf_of: tuple[str, ...]
    delivered: bool
    note: str | None
    source: SourceRef
    excerpt: str

    def details(self) -> list[str]:
        """Languages, on whose behalf, delivery and notes, as short phrases."""
        bits = []
        if self.languages:
            bits.append(" and ".join(self.languages))
        if self.on_behalf_of:
            bits.append("on behalf of " + ", ".join(self.on_behalf_of))
        if not self.delivered:
            bits.append("distributed but not delivered")
        if self.note and self.note not in bits:
            bits.append(self.note)
        return bits


@dataclass(frozen=True, slots=True)
class QuoteInfo:
    year: int
    speaker: str
    text: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    slug: str
    name: str
    description: str
    pillar: int | None
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PositionInfo:
    year: int
    actor: str
    actor_kind: str
    theme: ThemeInfo
    stance: str
    summary: str
    excerpt: str
    source: SourceRef
    partial: bool


@dataclass(frozen=True, slots=True)
class UnnamedInfo:
    """A group the source counts or quantifies but does not name."""

    year: int
    theme: ThemeInfo
    count: int | None
    quantity: str
    stance: str
    summary: str
    excerpt: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ThemeCount:
    theme: ThemeInfo
    years: tuple[int, ...]
    named_actors: int
    unnamed: tuple[UnnamedInfo, ...]
    partial: bool


@dataclass(frozen=True, slots=True)
class DialogueFacts:
    """A meeting's summary and what the sources state about it (dates, report, participation):
    what short answers need, without the meeting's statements and positions."""

    summary: DialogueSummary
    claims: tuple[SourceClaim, ...]

    def claims_for(self, field_name: str) -> tuple[SourceClaim, ...]:
        return tuple(c for c in self.claims if c.field == field_name)


@dataclass(frozen=True, slots=True)
class MeetingSpeakers:
    """Who a meeting's sources list as speaking, with their counts of speakers: what questions about the
    speakers need of a meeting, without its positions and themes."""

    claims: tuple[SourceClaim, ...]
    roles: tuple[RoleInfo, ...]
    statements: tuple[StatementInfo, ...]

    def claims_for(self, field_name: str) -> tuple[SourceClaim, ...]:
        return tuple(c for c in self.claims if c.field == field_name)


@dataclass(frozen=True, slots=True)
class DialogueDetail:
    summary: DialogueSummary
    focus_pillars: tuple[int, ...]
    participation_as_reported: str | None
    source_urls: tuple[str, ...]
    notes: str | None
    claims: tuple[SourceClaim, ...]
    roles: tuple[RoleInfo, ...]
    statements: tuple[StatementInfo, ...]
    themes: tuple[ThemeCount, ...]
    quotes: tuple[QuoteInfo, ...]
    sources: tuple[SourceRef, ...]

    def claims_for(self, field_name: str) -> tuple[SourceClaim, ...]:
        return tuple(c for c in self.claims if c.field == field_name)

    @property
    def speakers_stated(self) -> int | None:
        """The most speakers any one source counts (member states, regional organisations, civil society)."""
        totals: dict[SourceRef, int] = {}
        for c in self.claims_for("participation"):
            if c.measure in SPEAKER_MEASURES and c.value_int is not None:
                totals[c.source] = totals.get(c.source, 0) + c.value_int
        return max(totals.values(), default=None)

    @property
    def statements_partial(self) -> bool:
        """Whether the sources count more speakers than the statement list holds."""
        stated = self.speakers_stated
        return stated is not None and len({s.actor for s in self.statements}) < stated


@dataclass(frozen=True, slots=True)
class ThemeDialogueGroup:
    year: int
    positions: tuple[PositionInfo, ...]
    unnamed: tuple[UnnamedInfo, ...]

    @property
    def partial(self) -> bool:
        return any(p.partial for p in self.positions)


@dataclass(frozen=True, slots=True)
class ThemeStates:
    theme: ThemeInfo
    groups: tuple[ThemeDialogueGroup, ...]

    @property
    def actors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.actor for g in self.groups for p in g.positions))

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        refs = [p.source for g in self.groups for p in g.positions] + [
            u.source for g in self.groups for u in g.unnamed
        ]
        return tuple(dict.fromkeys(refs))


@dataclass(frozen=True, slots=True)
class ActorProfile:
    name: str
    kind: str
    iso3: str | None
    aliases: tuple[str, ...]
    statements: tuple[StatementInfo, ...]
    spoken_for: tuple[StatementInfo, ...]  # statements others delivered on this actor's behalf
    roles: tuple[RoleInfo, ...]
    positions: tuple[PositionInfo, ...]
    quotes: tuple[QuoteInfo, ...]
    mentions: tuple[ReportFactInfo, ...] = ()  # what documents (the 2011 report …) say about this actor

    @property
    def empty(self) -> bool:
        return not (self.statements or self.spoken_for or self.roles or self.positions or self.quotes or self.mentions)

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        groups = (self.statements, self.spoken_for, self.roles, self.positions, self.quotes, self.mentions)
        refs = [x.source for group in groups for x in group]
        return tuple(dict.fromkeys(refs))


@dataclass(frozen=True, slots=True)
class ReportFactInfo:
    """One point a document makes (a report's mechanism, body, recommendation or finding), with its evidence."""

    year: int | None
    document: str  # report | concept_note | commentary
    pillar: int | None
    section: str | None
    kind: str  # finding | mechanism | body | recommendation | question | commentary
    subject: str
    summary: str
    excerpt: str
    actor: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Contribution:
    heading: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class PillarExplainer:
    number: int
    name: str
    definition: str
    explainer: str
    contributions: tuple[Contribution, ...]
    source: SourceRef
    themes: tuple[ThemeInfo, ...]
    report_facts: tuple[ReportFactInfo, ...] = ()  # what the 2011 report names under this pillar


@dataclass(frozen=True, slots=True)
class SearchHit:
    source: SourceRef
    ordinal: int
    passages_in_source: int
    char_offset: int
    text: str
    rank: float
    terms: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PositionCompany:
    """One position of an actor and who else its source names on the same theme at the same dialogue."""

    position: PositionInfo
    alongside: tuple[PositionInfo, ...]  # the other actors' positions: same theme, dialogue and source
    unnamed: tuple[UnnamedInfo, ...]  # groups the same source counts there without names: never the actor's


@dataclass(frozen=True, slots=True)
class StateBrief:
    """An actor's whole record, each position with the company its source names (a briefing note's input)."""

    profile: ActorProfile
    positions: tuple[PositionCompany, ...]
