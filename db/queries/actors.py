from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.names import NameEntry, NameIndex
from db.queries.convert import position_info, quote_info, role_info, statement_info
from db.queries.themes import _position_query
from db.results import ActorProfile


async def load_actor_index(session: AsyncSession) -> NameIndex:
    actors = await session.scalars(select(m.Actor).options(selectinload(m.Actor.aliases)))
    return NameIndex(
        NameEntry(a.id, a.name, a.kind.value, tuple(x.alias for x in a.aliases), a.iso3) for a in actors
    )


def _statement_query():  # type: ignore[no-untyped-def]
    return select(m.Statement).options(
        selectinload(m.Statement.actor),
        selectinload(m.Statement.source),
        selectinload(m.Statement.dialogue),
        selectinload(m.Statement.on_behalf_of).selectinload(m.StatementBehalf.actor),
    )


async def actor_profile(session: AsyncSession, name: str) -> ActorProfile | None:
    """Everything one actor did across the dialogues, by its canonical name."""
    actor = await session.scalar(select(m.Actor).where(m.Actor.name == name).options(selectinload(m.Actor.aliases)))
    if actor is None:
        return None
    statements = await session.scalars(_statement_query().where(m.Statement.actor_id == actor.id))
    spoken_for = await session.scalars(
        _statement_query().join(m.Statement.on_behalf_of).where(m.StatementBehalf.actor_id == actor.id)
    )
    roles = await session.scalars(
        select(m.Role)
        .where(m.Role.actor_id == actor.id)
        .options(selectinload(m.Role.actor), selectinload(m.Role.source), selectinload(m.Role.dialogue))
    )
    positions = await session.scalars(_position_query().where(m.Position.actor_id == actor.id))
    quotes = await session.scalars(
        select(m.Quote)
        .where(m.Quote.speaker_id == actor.id)
        .options(selectinload(m.Quote.speaker), selectinload(m.Quote.source), selectinload(m.Quote.dialogue))
    )

    def by_year(items):  # type: ignore[no-untyped-def]
        return tuple(sorted(items, key=lambda x: x.year))

    return ActorProfile(
        name=actor.name,
        kind=actor.kind.value,
        iso3=actor.iso3,
        aliases=tuple(a.alias for a in actor.aliases),
        statements=by_year(statement_info(s) for s in statements),
        spoken_for=by_year(statement_info(s) for s in spoken_for),
        roles=by_year(role_info(r) for r in roles),
        positions=by_year(position_info(p) for p in positions),
        quotes=by_year(quote_info(q) for q in quotes),
    )
