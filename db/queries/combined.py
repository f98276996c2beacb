"""Answers built from several queries. Each runs on one session, so `Store.read` gives it one snapshot:
the counts and the sources they cite come from the same state of the records."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.dialogues import list_dialogues
from db.queries.sources import list_sources
from db.queries.themes import list_themes
from db.results import DialogueSummary, SourceRef, ThemeCount


async def dialogues_with_sources(session: AsyncSession) -> tuple[list[DialogueSummary], list[SourceRef]]:
    """Every meeting, and every source (the list cites the timeline's)."""
    return await list_dialogues(session), await list_sources(session)


async def themes_with_sources(
    session: AsyncSession, year: int | None, years: Collection[int]
) -> tuple[list[ThemeCount], list[SourceRef]]:
    """The themes (of `year`, or of every dialogue) with the sources of `years`."""
    return await list_themes(session, year), await list_sources(session, years)


async def themes_by_year(
    session: AsyncSession, years: Collection[int]
) -> tuple[dict[int, list[ThemeCount]], list[SourceRef]]:
    """Each year's themes, for the chart, with the sources of those years."""
    return {year: await list_themes(session, year) for year in years}, await list_sources(session, years)
