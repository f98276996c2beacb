from __future__ import annotations

from typing import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.convert import reference
from db.results import SourceRef


async def list_sources(session: AsyncSession, years: Collection[int] | None = None) -> list[SourceRef]:
    """Source documents, those about a dialogue first; with `years`, only those about these dialogues."""
    sources: Collection[SourceRef] = (await reference(session)).sources.values()
    if years is not None:
        wanted = set(years)
        sources = [s for s in sources if s.dialogue_year in wanted]
    return sorted(sources, key=lambda s: (s.dialogue_year is None, s.dialogue_year or 0, s.key))
