from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar, Unpack

from sqlalchemy import BindParameter, ColumnElement, Integer, Select, String, bindparam, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db import models as m
from db.models import Quote, ReportFact, Role, Statement, StatementBehalf
from db.names import NameEntry, NameIndex
from db.queries.cache import cached
from db.queries.cache import shared
from db.queries.convert import Reference, Rows, reference, rows
from db.queries.reports import REPORT_FACT_COLUMNS, report_fact_infos
from db.queries.themes import POSITION_COLUMNS, position_infos
from db.results import ActorProfile, PositionInfo, QuoteInfo, RoleInfo, StatementInfo

Dated = TypeVar("Dated", StatementInfo, RoleInfo, PositionInfo, QuoteInfo)


# Each query reads its own table; names, years and sources come from the cached `Reference`.
STATEMENT_COLUMNS = (
    Statement.id, Statement.actor_id, Statement.dialogue_id, Statement.languages,
    type_coerce(Statement.delivered, Integer).label("delivered"), Statement.note, Statement.source_id, Statement.excerpt,
)
ROLE_COLUMNS = (
    Role.id, Role.actor_id, Role.dialogue_id, type_coerce(Role.role, String).label("role"), Role.title, Role.source_id, Role.excerpt,
    Role.session,
)
QUOTE_COLUMNS = (Quote.id, Quote.speaker_id, Quote.dialogue_id, Quote.text, Quote.source_id)
ACTOR: BindParameter[int] = bindparam("actor_id")
MEETING: BindParameter[int] = bindparam("dialogue_id")
SPOKEN_FOR = select(StatementBehalf.statement_id).where(StatementBehalf.actor_id == ACTOR)


def _profile_statements(at_meeting: bool) -> dict[str, Select[Unpack[tuple[Any, ...]]]]:
    """The statements of a profile, built once: across the meetings, or at one (`dialogue_id`)."""

    def at(column: InstrumentedAttribute[Any]) -> tuple[ColumnElement[bool], ...]:
        return (column == MEETING,) if at_meeting else ()

    return {
        "behalf": select(StatementBehalf.statement_id, StatementBehalf.actor_id)
        .join(Statement, Statement.id == StatementBehalf.statement_id)
        .where(or_(Statement.actor_id == ACTOR, Statement.id.in_(SPOKEN_FOR)), *at(Statement.dialogue_id))
        .order_by(StatementBehalf.statement_id, StatementBehalf.actor_id),
        # its own statements and those delivered on its behalf, in one query, each row saying which it is
        "statements": select(*STATEMENT_COLUMNS, type_coerce(Statement.actor_id == ACTOR, Integer).label("own"),
                             type_coerce(Statement.id.in_(SPOKEN_FOR), Integer).label("for_actor"))
        .where(or_(Statement.actor_id == ACTOR, Statement.id.in_(SPOKEN_FOR)), *at(Statement.dialogue_id))
        .order_by(Statement.id),
        "roles": select(*ROLE_COLUMNS).where(Role.actor_id == ACTOR, *at(Role.dialogue_id)).order_by(Role.id),
        "positions": select(*POSITION_COLUMNS)
        .where(m.Position.actor_id == ACTOR, *at(m.Position.dialogue_id))
        .order_by(m.Position.id),
        "quotes": select(*QUOTE_COLUMNS).where(Quote.speaker_id == ACTOR, *at(Quote.dialogue_id)).order_by(Quote.id),
        "mentions": select(*REPORT_FACT_COLUMNS)
        .where(ReportFact.actor_id == ACTOR, *at(ReportFact.dialogue_id))
        .order_by(ReportFact.source_id, ReportFact.ordinal),
    }


PROFILE, PROFILE_AT = _profile_statements(False), _profile_statements(True)
EVERYTHING = tuple(PROFILE)
STATEMENTS_ONLY = ("behalf", "statements")


async def load_actor_index(session: AsyncSession) -> NameIndex:
    """Every actor's names, from the names and aliases every answer refers to (`reference`)."""
    ref = await reference(session)
    return NameIndex(NameEntry(i, name, kind, ref.aliases.get(i, ()), iso3) for i, (name, kind, iso3) in ref.actors.items())


def behalf_names(found: Rows, ref: Reference) -> dict[int, tuple[str, ...]]:
    """(statement id, actor id) rows to the actors each statement was delivered on behalf of, by statement id."""
    names: dict[int, list[str]] = defaultdict(list)
    for statement_id, actor_id in found:
        names[statement_id].append(ref.actors[actor_id][0])
    return {k: tuple(v) for k, v in names.items()}


def statement_infos(found: Rows, behalf: dict[int, tuple[str, ...]], ref: Reference) -> list[StatementInfo]:
    """Rows of STATEMENT_COLUMNS, read by column name."""
    infos = []
    for row in found:
        name, kind, _ = ref.actors[row.actor_id]
        infos.append(StatementInfo(
            ref.years[row.dialogue_id], name, kind, tuple(row.languages or ()), behalf.get(row.id, ()),
            bool(row.delivered), row.note, ref.sources[row.source_id], shared(row.excerpt),
        ))
    return infos


def role_infos(found: Rows, ref: Reference) -> list[RoleInfo]:
    """Rows of ROLE_COLUMNS, read by column name."""
    infos = []
    for row in found:
        name, kind, _ = ref.actors[row.actor_id]
        infos.append(RoleInfo(ref.years[row.dialogue_id], name, kind, shared(row.role), row.title,
                              ref.sources[row.source_id], shared(row.excerpt), row.session))
    return infos


def quote_infos(found: Rows, ref: Reference) -> list[QuoteInfo]:
    """Rows of QUOTE_COLUMNS, read by column name."""
    return [
        QuoteInfo(ref.years[row.dialogue_id], ref.actors[row.speaker_id][0], row.text, ref.sources[row.source_id])
        for row in found
    ]


async def actor_profile(session: AsyncSession, name: str) -> ActorProfile | None:
    """Everything one actor did across the dialogues, by its canonical name (kept until the records change)."""
    return await cached(session, ("actor_profile", name), lambda: _actor_profile(session, name), _profile_size)


async def actor_profile_in(session: AsyncSession, name: str, year: int) -> ActorProfile | None:
    """An actor's profile with only what it did at the `year` meeting: the profile filtered by year."""
    return await cached(
        session, ("actor_profile_in", name, year), lambda: _actor_profile(session, name, year), _profile_size
    )


async def actor_statements(session: AsyncSession, name: str) -> ActorProfile | None:
    """An actor's profile with only its statements and those delivered on its behalf (no roles, positions, quotes)."""
    return await cached(
        session, ("actor_statements", name), lambda: _actor_profile(session, name, parts=STATEMENTS_ONLY), _profile_size
    )


def _profile_size(profile: ActorProfile | None) -> int:
    if profile is None:
        return 1
    return (len(profile.statements) + len(profile.spoken_for) + len(profile.roles) + len(profile.positions)
            + len(profile.quotes) + len(profile.mentions))


async def _actor_profile(
    session: AsyncSession, name: str, year: int | None = None, parts: tuple[str, ...] = EVERYTHING
) -> ActorProfile | None:
    ref = await reference(session)
    actor_id = ref.actor_ids.get(name)
    if actor_id is None:
        return None
    actor_name, kind, iso3 = ref.actors[actor_id]
    statements_of, params = PROFILE, {"actor_id": actor_id}
    if year is not None:
        statements_of, params = PROFILE_AT, {"actor_id": actor_id, "dialogue_id": ref.dialogue_ids.get(year, -1)}
    found = {part: await rows(session, statements_of[part], params) for part in parts}
    behalf = behalf_names(found["behalf"], ref)

    def by_year(items: Iterable[Dated]) -> tuple[Dated, ...]:
        return tuple(sorted(items, key=lambda x: x.year))

    return ActorProfile(
        name=actor_name,
        kind=kind,
        iso3=iso3,
        aliases=ref.aliases.get(actor_id, ()),
        statements=by_year(statement_infos([r for r in found["statements"] if r.own], behalf, ref)),
        spoken_for=by_year(statement_infos([r for r in found["statements"] if r.for_actor], behalf, ref)),
        roles=by_year(role_infos(found.get("roles", ()), ref)),
        positions=by_year(position_infos(found.get("positions", ()), ref)),
        quotes=by_year(quote_infos(found.get("quotes", ()), ref)),
        mentions=tuple(report_fact_infos(found.get("mentions", ()), ref)),
    )
