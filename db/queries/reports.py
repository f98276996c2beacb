"""What documents say, point by point: the 2011 report's mechanisms, bodies, recommendations and findings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ReportFact
from db.queries.cache import cached
from db.queries.cache import shared
from db.queries.convert import Reference, Rows, reference, rows
from db.results import ReportFactInfo

REPORT_FACT_COLUMNS = (
    ReportFact.id, ReportFact.source_id, ReportFact.dialogue_id, ReportFact.actor_id, ReportFact.document,
    ReportFact.pillar, ReportFact.section, ReportFact.kind, ReportFact.subject, ReportFact.summary, ReportFact.excerpt,
)


def report_fact_infos(found: Rows, ref: Reference) -> list[ReportFactInfo]:
    infos = []
    for _, source_id, dialogue_id, actor_id, document, pillar, section, kind, subject, summary, excerpt in found:
        infos.append(ReportFactInfo(
            year=ref.years.get(dialogue_id) if dialogue_id is not None else None,
            document=document,
            pillar=pillar,
            section=section,
            kind=kind,
            subject=subject,
            summary=summary,
            excerpt=shared(excerpt),
            actor=ref.actors[actor_id][0] if actor_id is not None else None,
            source=ref.sources[source_id],
        ))
    return infos


async def report_facts(
    session: AsyncSession, *, year: int | None = None, pillar: int | None = None, kind: str | None = None
) -> tuple[ReportFactInfo, ...]:
    """The points documents make, in the documents' order; narrowed by dialogue year, pillar and kind
    (kept until the records change)."""
    return await cached(session, ("report_facts", year, pillar, kind),
                        lambda: _report_facts(session, year, pillar, kind), len)


async def _report_facts(
    session: AsyncSession, year: int | None, pillar: int | None, kind: str | None
) -> tuple[ReportFactInfo, ...]:
    ref = await reference(session)
    statement = select(*REPORT_FACT_COLUMNS).order_by(ReportFact.source_id, ReportFact.ordinal)
    if year is not None:
        statement = statement.where(ReportFact.dialogue_id == ref.dialogue_ids.get(year, -1))
    if pillar is not None:
        statement = statement.where(ReportFact.pillar == pillar)
    if kind is not None:
        statement = statement.where(ReportFact.kind == kind)
    return tuple(report_fact_infos(await rows(session, statement), ref))
