from __future__ import annotations

from typing import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SourceDocument
from db.queries.convert import source_ref
from db.results import SourceRef


async def list_sources(session: AsyncSession, years: Collection[int] | None = None) -> list[SourceRef]:
    """Source documents, those about a dialogue first; with `years`, only those about these dialogues."""
    query = select(SourceDocument).order_by(
        SourceDocument.dialogue_year.is_(None), SourceDocument.dialogue_year, SourceDocument.key
    )
    if years is not None:
        query = query.where(SourceDocument.dialogue_year.in_(list(years)))
    return [source_ref(s) for s in await session.scalars(query)]
