from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SourceDocument
from db.queries.convert import source_ref
from db.results import SourceRef


async def list_sources(session: AsyncSession) -> list[SourceRef]:
    rows = await session.scalars(select(SourceDocument).order_by(SourceDocument.dialogue_year.is_(None), SourceDocument.dialogue_year, SourceDocument.key))
    return [source_ref(s) for s in rows]
