from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.queries.cache import cached
from db.queries.convert import SOURCE_COLUMNS, THEME_COLUMNS, Refs, rows
from db.results import Contribution, PillarExplainer

P, C, T, S = m.Pillar, m.PillarContribution, m.Theme, m.SourceDocument


async def pillar_explainer(session: AsyncSession, number: int) -> PillarExplainer | None:
    """A pillar with what regional arrangements can do and its themes (kept until the records change)."""
    return await cached(session, ("pillar", number), lambda: _pillar_explainer(session, number))


async def _pillar_explainer(session: AsyncSession, number: int) -> PillarExplainer | None:
    found = await rows(
        session,
        select(P.id, P.number, P.name, P.definition, P.explainer, *SOURCE_COLUMNS)
        .join(S, S.id == P.source_id)
        .where(P.number == number),
    )
    if not found:
        return None
    pillar = found[0]
    refs = Refs()
    contributions = await rows(session, select(C.heading, C.excerpt).where(C.pillar_id == pillar.id).order_by(C.ordinal))
    themes = await rows(session, select(*THEME_COLUMNS).where(T.pillar == number).order_by(T.name))
    return PillarExplainer(
        number=pillar.number,
        name=pillar.name,
        definition=pillar.definition,
        explainer=pillar.explainer,
        contributions=tuple(Contribution(heading, excerpt) for heading, excerpt in contributions),
        source=refs.source(pillar),
        themes=tuple(refs.theme(t) for t in themes),
    )
