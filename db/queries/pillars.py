from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Pillar, PillarContribution, SourceDocument, Theme
from db.queries.cache import cached
from db.queries.convert import SOURCE_COLUMNS, THEME_COLUMNS, Refs, rows
from db.queries.reports import report_facts
from db.results import Contribution, PillarExplainer


async def pillar_explainer(session: AsyncSession, number: int) -> PillarExplainer | None:
    """A pillar with what regional arrangements can do and its themes (kept until the records change)."""
    return await cached(session, ("pillar", number), lambda: _pillar_explainer(session, number))


async def _pillar_explainer(session: AsyncSession, number: int) -> PillarExplainer | None:
    found = await rows(
        session,
        select(Pillar.id, Pillar.number, Pillar.name, Pillar.definition, Pillar.explainer, *SOURCE_COLUMNS)
        .join(SourceDocument, SourceDocument.id == Pillar.source_id)
        .where(Pillar.number == number),
    )
    if not found:
        return None
    pillar = found[0]
    refs = Refs()
    contributions = await rows(
        session,
        select(PillarContribution.heading, PillarContribution.excerpt)
        .where(PillarContribution.pillar_id == pillar.id)
        .order_by(PillarContribution.ordinal),
    )
    themes = await rows(session, select(*THEME_COLUMNS).where(Theme.pillar == number).order_by(Theme.name))
    return PillarExplainer(
        number=pillar.number,
        name=pillar.name,
        definition=pillar.definition,
        explainer=pillar.explainer,
        contributions=tuple(Contribution(heading, excerpt) for heading, excerpt in contributions),
        source=refs.source(pillar),
        themes=tuple(refs.theme(t) for t in themes),
        report_facts=tuple(f for f in await report_facts(session, pillar=number) if f.document == "report"),
    )
