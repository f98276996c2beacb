"""What /ask returns: the reading it chose and the facts that answer it, with evidence; no sentences.

`bot/render/ask.py` writes the words. Every part carries the source and the
verbatim excerpt that prove it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from db.names import NameEntry
from db.results import SearchHit, SourceRef

# families of questions, in the order the README shows them
FAMILIES = (
    "theme_actors", "theme_count", "dissent", "dialogue_themes", "actor_said", "compare_actors", "compare_years",
    "speakers", "spoke_check", "behalf", "roles", "report", "participation", "timeline", "definition",
    "regional_role", "search",
)
STATE_KINDS = frozenset({"member_state", "observer_state"})
ORGANISATION_KINDS = frozenset({"regional_organisation", "group_of_states", "civil_society"})


def actor_label(kind: str) -> str:
    """The group an actor is listed under: states, organisations or officials."""
    if kind in STATE_KINDS:
        return "states"
    if kind == "un_official":
        return "officials"
    return "organisations"


@dataclass(frozen=True, slots=True)
class Evidence:
    source: SourceRef
    excerpt: str


PILLAR_TOPIC = "pillar "  # a reading's topic for one pillar: "pillar 1"


def pillar_topic(number: int) -> str:
    return f"{PILLAR_TOPIC}{number}"


@dataclass(frozen=True, slots=True)
class Reading:
    """One way of reading the question: a family of question and what it is about."""

    family: str
    theme: NameEntry | None = None
    actors: tuple[NameEntry, ...] = ()
    years: tuple[int, ...] = ()
    stance: str | None = None  # supports | concerned | opposes, when the question asks for one
    kinds: str | None = None  # states | organisations | officials, when the question asks for one
    topic: str | None = None  # what within the family: a report field, a timeline question, a term …
    detail: tuple[str, ...] = ()  # roles, languages, flags ("behalf", "not_delivered")
    score: float = 0.0

    # the shape older callers (benchmarks) read
    @property
    def intent(self) -> str:
        return self.family

    @property
    def actor(self) -> NameEntry | None:
        return self.actors[0] if self.actors else None

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def pillar(self) -> int | None:
        """The pillar the reading is about (topic "pillar 2"), if one."""
        if self.topic and self.topic.startswith(PILLAR_TOPIC):
            return int(self.topic[len(PILLAR_TOPIC):])
        return None

    @property
    def pillars(self) -> tuple[int, ...]:
        """Every pillar the reading is about: its topic's and those its detail adds ("2", "3")."""
        first = self.pillar
        return (first, *(int(d) for d in self.detail if d.isdigit())) if first else ()

    def same_as(self, other: "Reading") -> bool:
        return (self.family, self.theme, self.actors, self.years, self.topic) == (
            other.family, other.theme, other.actors, other.years, other.topic)


# -- parts of an answer ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """A yes/no the question asked ("did X raise …", "did X speak …", "did any state oppose …")."""

    what: str  # raised | spoke | stance | on_topic | dissent (did this actor oppose or raise concerns) | listed
    yes: bool
    subject: str | None = None  # an actor's name, or a stance
    year: int | None = None
    about: str | None = None  # a theme's name


@dataclass(frozen=True, slots=True)
class NamedGroup:
    """Actors a source names together for one point."""

    year: int
    label: str  # states | organisations | officials
    names: tuple[str, ...]
    stance: str
    summary: str
    partial: bool
    evidence: Evidence
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class CountGroup:
    """A group the source counts or quantifies but does not name."""

    year: int
    quantity: str
    count: int | None
    stance: str
    summary: str
    evidence: Evidence
    refers_to: str | None = None  # the source's sentence before, when the group is "these countries"
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class ActorLine:
    """Something an actor did at a meeting: a position, a statement, a role or a quote."""

    year: int
    actor: str
    what: str  # position | statement | role | quote
    text: str  # the summary, the role's title, the quote
    evidence: Evidence
    theme: str | None = None
    stance: str | None = None
    details: tuple[str, ...] = ()  # a statement's languages, on behalf of whom, not delivered


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str
    languages: tuple[str, ...] = ()
    on_behalf_of: tuple[str, ...] = ()
    delivered: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SpeakerList:
    """Who a source lists as speaking at a meeting, of one kind."""

    year: int
    label: str  # states | organisations | officials
    speakers: tuple[Speaker, ...]
    stated_total: int | None  # how many of this kind the sources say spoke
    partial: bool
    source: SourceRef
    evidence: tuple[Evidence, ...] = ()
    listed: int = 0  # how many of this kind the source's list names (before the question's filters)
    filters: tuple[str, ...] = ()  # what the question kept: languages, "not_delivered", "behalf"


@dataclass(frozen=True, slots=True)
class RoleRow:
    year: int
    role: str  # opening_remarks | moderator | panelist
    actor: str
    title: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Stated:
    """A source's statement of a fact about a meeting (report title, symbol, date, a count)."""

    year: int
    field: str  # report_title | report_symbol | report_date | participation
    value: str
    evidence: Evidence
    measure: str | None = None
    conflict: bool = False  # other sources state another value for the same field


@dataclass(frozen=True, slots=True)
class Meeting:
    """A row of the 2009–2024 timeline."""

    year: int
    meeting: str
    kind: str
    dates: str | None
    report_title: str | None
    report_symbol: str | None
    notes: str | None
    detailed: bool
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class ThemeRow:
    year: int
    theme: str
    slug: str
    named: int
    unnamed: tuple[str, ...]
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    term: str
    text: str
    verbatim: bool  # the source's words (else the project's own plain words)
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    pillar: int
    heading: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ReportPoint:
    """One point of the Secretary-General's report as a `report_facts` record holds it: its summary in the
    project's words, proved by the verbatim excerpt."""

    year: int | None
    pillar: int | None
    kind: str  # finding | mechanism | body | recommendation
    subject: str
    summary: str
    evidence: Evidence
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class UnnamedCount:
    """A count of speakers a source gives without naming them ("three ICRtoP members")."""

    year: int
    quantity: str  # the source's words
    count: int | None
    measure: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Tally:
    """A count the engine made from the records (meetings in the timeline, themes of a meeting)."""

    what: str  # meetings | dialogues | debates | no_meeting | themes | contributions
    count: int
    year: int | None = None
    years: tuple[int, ...] = ()  # the years counted


@dataclass(frozen=True, slots=True)
class Turnout:
    """How many member states spoke at one meeting, as the sources state it, for ranking the meetings: the
    lowest and the highest figure the sources give (they differ where the sources do)."""

    year: int
    meeting: str  # the timeline's name of the meeting
    kind: str  # informal_interactive_dialogue | plenary_debate
    low: int
    high: int
    evidence: tuple[Evidence, ...]

    @property
    def agreed(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True, slots=True)
class Frequency:
    """The meetings whose speaker lists name one actor, for ranking actors by how often they spoke."""

    actor: str
    label: str  # states | organisations | officials
    years: tuple[int, ...]
    evidence: tuple[Evidence, ...]  # the statement or role that names the actor, one per meeting


@dataclass(frozen=True, slots=True)
class ListCoverage:
    """How much of one meeting's speakers of a kind a source lists: what a count of meetings rests on."""

    year: int
    label: str
    listed: int
    stated_total: int | None  # how many of this kind the sources say spoke


SUPPORTS = "supports"  # the stance of a dissent reading that asks who voiced support instead
OFTEN_TOPIC = "most"  # a speakers reading's topic: the actors ranked by the meetings they spoke at
TURNOUT_TOPICS = ("most", "fewest", "trend")  # a participation reading's topic: the meetings ranked, or in year order

Part = (Verdict | NamedGroup | CountGroup | ActorLine | SpeakerList | RoleRow | Stated | Meeting | ThemeRow | Definition
        | Contribution | ReportPoint | UnnamedCount | Tally | Turnout | Frequency | ListCoverage)


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    reading: Reading
    status: str  # answered | no_answer | not_english | unknown_year
    parts: tuple[Part, ...] = ()
    hits: tuple[SearchHit, ...] = ()  # source passages that may help, labelled as passages
    alternatives: tuple[Reading, ...] = ()
    note: str | None = None  # what the records lack, as a key the renderer words (e.g. "no_statement_list")
    years_known: tuple[int, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.status == "answered"

    @property
    def kind(self) -> str:
        if self.status == "answered":
            return self.reading.family
        return "search" if self.hits and self.status == "no_answer" else "nothing"

    @property
    def understood(self) -> Reading:
        return self.reading

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Every excerpt the answer cites, once, in order."""
        out: list[Evidence] = []
        for part in self.parts:
            ev = getattr(part, "evidence", None)
            if isinstance(ev, Evidence):
                out.append(ev)
            elif isinstance(ev, tuple):
                out.extend(ev)
        if not self.parts:
            out.extend(Evidence(h.source, h.text) for h in self.hits)
        return tuple(dict.fromkeys(out))
