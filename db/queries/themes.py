from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.names import NameEntry, NameIndex
from db.queries.convert import position_info, theme_info, unnamed_info
from db.results import ThemeCount, ThemeDialogueGroup, ThemeStates

_STANCE_ORDER = {"supports": 0, "concerned": 1, "neutral": 2, "opposes": 3}


def _position_query():  # type: ignore[no-untyped-def]
    return select(m.Position).options(
        selectinload(m.Position.actor),
        selectinload(m.Position.theme),
        selectinload(m.Position.dialogue),
        selectinload(m.Position.source),
    )


def _unnamed_query():  # type: ignore[no-untyped-def]
    return select(m.UnnamedClaim).options(
        selectinload(m.UnnamedClaim.theme),
        selectinload(m.UnnamedClaim.dialogue),
        selectinload(m.UnnamedClaim.source),
    )


async def load_theme_index(session: AsyncSession) -> NameIndex:
    themes = await session.scalars(select(m.Theme))
    return NameIndex(NameEntry(t.id, t.name, "theme", tuple(t.keywords or ()), t.slug) for t in themes)


async def list_themes(session: AsyncSession, year: int | None = None) -> list[ThemeCount]:
    """Themes with the number of named actors and the unnamed counts, most-raised first.

    With a year, only themes raised at that dialogue; without, every theme.
    """
    positions = _position_query()
    unnamed = _unnamed_query()
    if year is not None:
        positions = positions.join(m.Position.dialogue).where(m.Dialogue.year == year)
        unnamed = unnamed.join(m.UnnamedClaim.dialogue).where(m.Dialogue.year == year)
    actors: dict[int, set[int]] = defaultdict(set)
    years: dict[int, set[int]] = defaultdict(set)
    partial: dict[int, bool] = defaultdict(bool)
    for p in await session.scalars(positions):
        actors[p.theme_id].add(p.actor_id)
        years[p.theme_id].add(p.dialogue.year)
        partial[p.theme_id] |= p.partial
    claims = defaultdict(list)
    for u in await session.scalars(unnamed):
        claims[u.theme_id].append(unnamed_info(u))
        years[u.theme_id].add(u.dialogue.year)
    themes = await session.scalars(select(m.Theme))
    result = [
        ThemeCount(
            theme=theme_info(t),
            years=tuple(sorted(years[t.id])),
            named_actors=len(actors[t.id]),
            unnamed=tuple(sorted(claims[t.id], key=lambda u: (u.year, u.quantity))),
            partial=partial[t.id],
        )
        for t in themes
        if year is None or years[t.id]
    ]
    result.sort(key=lambda c: (-c.named_actors, -len(c.unnamed), c.theme.name))
    return result


async def theme_states(session: AsyncSession, slug: str, year: int | None = None) -> ThemeStates | None:
    """The actors that raised a theme, grouped by dialogue, with unnamed counts."""
    theme = await session.scalar(select(m.Theme).where(m.Theme.slug == slug))
    if theme is None:
        return None
    positions = _position_query().where(m.Position.theme_id == theme.id)
    unnamed = _unnamed_query().where(m.UnnamedClaim.theme_id == theme.id)
    if year is not None:
        positions = positions.join(m.Position.dialogue).where(m.Dialogue.year == year)
        unnamed = unnamed.join(m.UnnamedClaim.dialogue).where(m.Dialogue.year == year)
    by_year_pos = defaultdict(list)
    for p in await session.scalars(positions.order_by(m.Position.id)):
        by_year_pos[p.dialogue.year].append(position_info(p))
    by_year_unnamed = defaultdict(list)
    for u in await session.scalars(unnamed.order_by(m.UnnamedClaim.id)):
        by_year_unnamed[u.dialogue.year].append(unnamed_info(u))
    groups = tuple(
        ThemeDialogueGroup(
            y,
            tuple(sorted(by_year_pos[y], key=lambda p: _STANCE_ORDER.get(p.stance, 9))),
            tuple(by_year_unnamed[y]),
        )
        for y in sorted(set(by_year_pos) | set(by_year_unnamed))
    )
    return ThemeStates(theme_info(theme), groups)
