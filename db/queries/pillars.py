from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.queries.convert import source_ref, theme_info
from db.results import Contribution, PillarExplainer


async def pillar_explainer(session: AsyncSession, number: int) -> PillarExplainer | None:
    pillar = await session.scalar(
        select(m.Pillar)
        .where(m.Pillar.number == number)
        .options(selectinload(m.Pillar.contributions), selectinload(m.Pillar.source))
    )
    if pillar is None:
        return None
    themes = await session.scalars(select(m.Theme).where(m.Theme.pillar == number).order_by(m.Theme.name))
    return PillarExplainer(
        number=pillar.number,
        name=pillar.name,
        definition=pillar.definition,
        explainer=pillar.explainer,
        contributions=tuple(Contribution(c.heading, c.excerpt) for c in pillar.contributions),
        source=source_ref(pillar.source),
        themes=tuple(theme_info(t) for t in themes),
    )
