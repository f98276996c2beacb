"""The knowledge store's tables.

Every record carries its origin (``seed`` for the curated dataset, ``admin`` for
records added from Discord) and when it was created and last changed. Knowledge
records also carry their layer (`Layered`): the shared base, or one server's own. Facts
point to the source document they come from and keep a verbatim excerpt.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Origin(str, enum.Enum):
    seed = "seed"
    admin = "admin"


class ActorKind(str, enum.Enum):
    member_state = "member_state"
    observer_state = "observer_state"
    regional_organisation = "regional_organisation"
    group_of_states = "group_of_states"
    civil_society = "civil_society"
    un_official = "un_official"


class MeetingKind(str, enum.Enum):
    """What a meeting on the timeline was (a dialogue's `kind`, stored as its value)."""

    informal_interactive_dialogue = "informal_interactive_dialogue"
    plenary_debate = "plenary_debate"
    no_meeting = "no_meeting"


class Stance(str, enum.Enum):
    supports = "supports"
    concerned = "concerned"
    opposes = "opposes"
    neutral = "neutral"


class RoleKind(str, enum.Enum):
    opening_remarks = "opening_remarks"
    moderator = "moderator"
    panelist = "panelist"
    participant = "participant"  # a session "included" them, without saying in what capacity


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings so SQLite files stay readable and migrations simple.
    return Enum(cls, native_enum=False, create_constraint=False, length=32, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """Origin and timestamps shared by every record."""

    origin: Mapped[Origin] = mapped_column(_enum(Origin), default=Origin.seed, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


BASE_LAYER = 0  # the shared knowledge: the seed and what curator servers add; a server's own layer is its guild id


class Layered:
    """Whose knowledge a record is: the shared base (0) or one server's own layer (its guild id).

    A server reads the base and its own layer, minus the shared records it has
    hidden (`HiddenRecord`); natural keys are unique within a layer.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: where a table's unique constraint (or another index) starts with the layer,
    # that one serves every read by layer, and a layer-only index misled SQLite's planner, whose sampled
    # statistics take a column nearly every row shares for a selective one (an actor's positions read through
    # it: 66 ms instead of 5 at 200,000 positions). Tables without such a constraint index it themselves.
    layer: Mapped[int] = mapped_column(BigInteger, default=BASE_LAYER, server_default="0")
    table_name: ClassVar[str] = ""  # how `HiddenRecord` names the table (the filter sees only the class)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.table_name = getattr(cls, "__tablename__", "")


class StoreMeta(Base):
    """Key/value facts about the store itself (e.g. the seed dataset's checksum)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SourceDocument(Layered, Tracked, Base):
    __tablename__ = "source_documents"
    __table_args__ = (UniqueConstraint("layer", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(32))
    date_note: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(500))
    address_note: Mapped[str | None] = mapped_column(String(300))  # where the address comes from, or why there is none
    dialogue_year: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Dialogue(Layered, Tracked, Base):
    """A General Assembly meeting on RtoP (dialogue or plenary debate)."""

    __tablename__ = "dialogues"
    __table_args__ = (UniqueConstraint("layer", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    dates: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # a MeetingKind value
    meeting: Mapped[str] = mapped_column(String(200))
    ordinal: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(300))
    focus_pillars: Mapped[list[int]] = mapped_column(JSON, default=list)
    report_title: Mapped[str | None] = mapped_column(String(300))
    report_symbol: Mapped[str | None] = mapped_column(String(80))
    report_date: Mapped[str | None] = mapped_column(String(120))
    participation_as_reported: Mapped[str | None] = mapped_column(Text)
    source_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    detailed: Mapped[bool] = mapped_column(Boolean, default=False)

    claims: Mapped[list[DialogueClaim]] = relationship(back_populates="dialogue", cascade="all, delete-orphan")


class DialogueClaim(Layered, Tracked, Base):
    """One source's claim about a dialogue: report title/symbol/date, a count, an ordinal.

    Sources disagree (the 2011 report date, the 2012 count), so every claim is kept
    with its source instead of a single value.
    """

    __tablename__ = "dialogue_claims"
    __table_args__ = (Index("ix_dialogue_claims_layer", "layer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str | None] = mapped_column(String(40))
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))
    excerpt: Mapped[str] = mapped_column(Text)

    dialogue: Mapped[Dialogue] = relationship(back_populates="claims")
    source: Mapped[SourceDocument] = relationship()


class Actor(Layered, Tracked, Base):
    __tablename__ = "actors"
    __table_args__ = (UniqueConstraint("layer", "name"), UniqueConstraint("layer", "iso3"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind))
    iso3: Mapped[str | None] = mapped_column(String(3))

    aliases: Mapped[list[ActorAlias]] = relationship(back_populates="actor", cascade="all, delete-orphan")


class ActorAlias(Layered, Tracked, Base):
    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("layer", "folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    folded: Mapped[str] = mapped_column(String(200))

    actor: Mapped[Actor] = relationship(back_populates="aliases")


class Theme(Layered, Tracked, Base):
    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("layer", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    pillar: Mapped[int | None] = mapped_column(Integer)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)


class Statement(Layered, Tracked, Base):
    """An actor's statement at a dialogue, as a source's statement list records it."""

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("layer", "dialogue_id", "actor_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))
    excerpt: Mapped[str] = mapped_column(Text)

    actor: Mapped[Actor] = relationship()
    dialogue: Mapped[Dialogue] = relationship()
    source: Mapped[SourceDocument] = relationship()
    on_behalf_of: Mapped[list[StatementBehalf]] = relationship(
        back_populates="statement", cascade="all, delete-orphan"
    )


class StatementBehalf(Layered, Tracked, Base):
    """An actor on whose behalf a statement was delivered."""

    __tablename__ = "statement_behalf"
    __table_args__ = (UniqueConstraint("statement_id", "actor_id"), Index("ix_statement_behalf_layer", "layer"))

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)

    statement: Mapped[Statement] = relationship(back_populates="on_behalf_of")
    actor: Mapped[Actor] = relationship()


class Role(Layered, Tracked, Base):
    """Opening remarks, moderation or a panel seat at a dialogue."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("layer", "dialogue_id", "actor_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    role: Mapped[RoleKind] = mapped_column(_enum(RoleKind))
    title: Mapped[str | None] = mapped_column(String(300))
    session: Mapped[str | None] = mapped_column(String(40))  # e.g. morning, afternoon, when the source says
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))
    excerpt: Mapped[str] = mapped_column(Text)

    actor: Mapped[Actor] = relationship()
    dialogue: Mapped[Dialogue] = relationship()
    source: Mapped[SourceDocument] = relationship()


class Position(Layered, Tracked, Base):
    """A named actor raised a theme at a dialogue; one row per piece of evidence."""

    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("layer", "actor_id", "theme_id", "dialogue_id", "excerpt"),
        # covering indexes for counting who raised which theme, per meeting and per theme (see db.queries.themes)
        # layer first: a server's reads seek the base's entries and its own, never scan other servers'
        Index("ix_positions_layer_dialogue_theme_actor_partial", "layer", "dialogue_id", "theme_id", "actor_id", "partial"),
        Index("ix_positions_layer_theme_dialogue_actor_partial", "layer", "theme_id", "dialogue_id", "actor_id", "partial"),
        # what one actor raised, at one meeting or at all (an actor's profile, "what did X say in Y")
        Index("ix_positions_actor_dialogue", "actor_id", "dialogue_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    stance: Mapped[Stance] = mapped_column(_enum(Stance))
    summary: Mapped[str] = mapped_column(String(300))
    excerpt: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)

    actor: Mapped[Actor] = relationship()
    theme: Mapped[Theme] = relationship()
    dialogue: Mapped[Dialogue] = relationship()
    source: Mapped[SourceDocument] = relationship()


class UnnamedClaim(Layered, Tracked, Base):
    """A counted or vaguely quantified group the source does not name."""

    __tablename__ = "unnamed_claims"
    __table_args__ = (Index("ix_unnamed_claims_layer", "layer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    count: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[str] = mapped_column(String(120))
    stance: Mapped[Stance] = mapped_column(_enum(Stance))
    summary: Mapped[str] = mapped_column(String(300))
    excerpt: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))

    theme: Mapped[Theme] = relationship()
    dialogue: Mapped[Dialogue] = relationship()
    source: Mapped[SourceDocument] = relationship()


class Pillar(Layered, Tracked, Base):
    __tablename__ = "pillars"
    __table_args__ = (UniqueConstraint("layer", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    explainer: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))

    source: Mapped[SourceDocument] = relationship()
    contributions: Mapped[list[PillarContribution]] = relationship(
        back_populates="pillar", cascade="all, delete-orphan", order_by="PillarContribution.ordinal"
    )


class PillarContribution(Layered, Tracked, Base):
    """What regional and sub-regional arrangements can do under a pillar (2011 report)."""

    __tablename__ = "pillar_contributions"
    __table_args__ = (UniqueConstraint("layer", "pillar_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(300))
    excerpt: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))

    pillar: Mapped[Pillar] = relationship(back_populates="contributions")
    source: Mapped[SourceDocument] = relationship()


class Quote(Layered, Tracked, Base):
    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_layer", "layer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"))

    speaker: Mapped[Actor] = relationship()
    dialogue: Mapped[Dialogue] = relationship()
    source: Mapped[SourceDocument] = relationship()


class Passage(Layered, Tracked, Base):
    """A paragraph-sized piece of a source text, indexed for full-text search."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("source_id", "ordinal"), Index("ix_passages_layer", "layer"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    char_offset: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    source: Mapped[SourceDocument] = relationship()


class AuditEntry(Base):
    """One change made from Discord: who, when, where, what, and the record before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    user_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # add | edit | remove | undo | import
    entity: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))  # the record as people name it
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))


class SeedSuppression(Tracked, Base):
    """A seed record an admin removed or corrected: re-seeding must not bring the old version back.

    A correction that changed the record's natural key (a rename, a new slug) names the
    admin record that replaced it, so the seeder keeps what hangs off it.
    """

    __tablename__ = "seed_suppressions"
    __table_args__ = (UniqueConstraint("entity", "natural_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    natural_key: Mapped[str] = mapped_column(Text)  # JSON of the seeder's key (ids and values)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the removed record in portable form, for export
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)  # same table as `entity`; tables vary, so no FK


class HiddenRecord(Base):
    """A shared record one server removed or replaced by its own version: hidden in that server only."""

    __tablename__ = "hidden_records"

    layer: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    replaced_by: Mapped[int | None] = mapped_column(Integer)  # the server's own version, if it made one


class ReportFact(Layered, Tracked, Base):
    """One thing a document says: a mechanism, body, recommendation or finding of a report (per pillar),
    a question of a concept note, an entry of a list of commentary.

    `summary` is the project's plain words; `excerpt` is verbatim from the source and proves it.
    """

    __tablename__ = "report_facts"
    __table_args__ = (UniqueConstraint("layer", "source_id", "kind", "subject"),)

    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"), index=True)
    dialogue_id: Mapped[int | None] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    document: Mapped[str] = mapped_column(String(40))  # report | concept_note | commentary
    pillar: Mapped[int | None] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # see REPORT_FACT_KINDS
    ordinal: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400))
    excerpt: Mapped[str] = mapped_column(Text)

    source: Mapped[SourceDocument] = relationship()
    dialogue: Mapped[Dialogue | None] = relationship()
    actor: Mapped[Actor | None] = relationship()


REPORT_DOCUMENTS = ("report", "concept_note", "commentary")
REPORT_FACT_KINDS = ("finding", "mechanism", "body", "recommendation", "question", "commentary")


LAYERED_TABLES = tuple(
    mapper.class_.table_name for mapper in Base.registry.mappers if issubclass(mapper.class_, Layered)
)


# The FTS5 index over passages is created by the migrations (SQLAlchemy has no
# model for virtual tables); autogenerate comparisons skip these names.
FTS_TABLE = "passages_fts"
# Beside it, on SQLite, each common word's best passages (db.search_lists builds them, db.queries.search reads them)
FTS_WORDS_TABLE = f"{FTS_TABLE}_words"  # word -> its stem in the index, for every word of a common stem
FTS_BEST_TABLE = f"{FTS_TABLE}_best"  # stem -> its best passages and their scores, best first
# On PostgreSQL the migrations give passages a generated tsvector column of this name, with
# a GIN index (db.queries.search reads it); the ORM never writes it.
PG_SEARCH_COLUMN = "words"
