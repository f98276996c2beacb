from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Integer, String, bindparam, case, distinct, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Position, Theme, UnnamedClaim
from db.names import NameEntry, NameIndex
from db.queries.cache import cached
from db.queries.cache import shared
from db.queries.convert import Reference, Rows, reference, rows
from db.results import PositionInfo, ThemeCount, ThemeDialogueGroup, ThemeStates, UnnamedInfo

_STANCE_ORDER = {"supports": 0, "concerned": 1, "neutral": 2, "opposes": 3}


# Positions and unnamed claims are read from their own table only; actors, years,
# themes and sources come from the cached `Reference`. Equal texts (actors the
# source names together share one excerpt and one summary) are kept once (`shared`).
# Stances and flags are read as stored (text, 0/1), without per-row conversion to enums and back.
POSITION_COLUMNS = (
    Position.id, Position.actor_id, Position.theme_id, Position.dialogue_id, type_coerce(Position.stance, String).label("stance"),
    Position.summary, Position.excerpt, Position.source_id, type_coerce(Position.partial, Integer).label("partial"),
)
UNNAMED_COLUMNS = (  # `count` is labelled "number": Row.count is a tuple method
    UnnamedClaim.id, UnnamedClaim.theme_id, UnnamedClaim.dialogue_id, UnnamedClaim.count.label("number"),
    UnnamedClaim.quantity,
    type_coerce(UnnamedClaim.stance, String).label("stance"), UnnamedClaim.summary, UnnamedClaim.excerpt, UnnamedClaim.source_id,
)
# the statements of the busiest reads, built once
POSITIONS_OF_THEME = select(*POSITION_COLUMNS).where(Position.theme_id == bindparam("theme_id")).order_by(Position.id)
POSITIONS_OF_THEME_AT = (
    select(*POSITION_COLUMNS)
    .where(Position.theme_id == bindparam("theme_id"), Position.dialogue_id == bindparam("dialogue_id"))
    .order_by(Position.id)
)
UNNAMED_OF_THEME = (
    select(*UNNAMED_COLUMNS).where(UnnamedClaim.theme_id == bindparam("theme_id")).order_by(UnnamedClaim.id)
)
UNNAMED_OF_THEME_AT = (
    select(*UNNAMED_COLUMNS)
    .where(UnnamedClaim.theme_id == bindparam("theme_id"), UnnamedClaim.dialogue_id == bindparam("dialogue_id"))
    .order_by(UnnamedClaim.id)
)


def position_infos(found: Rows, ref: Reference) -> list[PositionInfo]:
    """Rows of POSITION_COLUMNS, read by column name."""
    actors, years, themes, sources = ref.actors, ref.years, ref.themes, ref.sources
    infos = []
    for row in found:
        name, kind, _ = actors[row.actor_id]
        infos.append(PositionInfo(
            years[row.dialogue_id], name, kind, themes[row.theme_id], shared(row.stance), shared(row.summary),
            shared(row.excerpt), sources[row.source_id], bool(row.partial),
        ))
    return infos


def unnamed_infos(found: Rows, ref: Reference) -> list[UnnamedInfo]:
    """Rows of UNNAMED_COLUMNS, read by column name."""
    return [
        UnnamedInfo(ref.years[row.dialogue_id], ref.themes[row.theme_id], row.number, row.quantity, shared(row.stance),
                    shared(row.summary), shared(row.excerpt), ref.sources[row.source_id])
        for row in found
    ]


async def load_theme_index(session: AsyncSession) -> NameIndex:
    themes = await rows(session, select(Theme.id, Theme.name, Theme.keywords, Theme.slug).order_by(Theme.id))
    return NameIndex(NameEntry(i, name, "theme", tuple(keywords or ()), slug) for i, name, keywords, slug in themes)


async def list_themes(session: AsyncSession, year: int | None = None) -> list[ThemeCount]:
    """Themes with the number of named actors and the unnamed counts, most-raised first.

    With a year, only themes raised at that dialogue; without, every theme.
    Counted in SQL and kept until the records change (see `db.queries.cache`).
    """
    return list(await cached(session, ("list_themes", year), lambda: _count_themes(session, year), len))


async def _count_themes(session: AsyncSession, year: int | None) -> tuple[ThemeCount, ...]:
    ref = await reference(session)
    named = (
        select(Position.theme_id, func.count(distinct(Position.actor_id)), func.max(case((Position.partial, 1), else_=0)))
        .group_by(Position.theme_id)
    )
    pairs = select(Position.theme_id, Position.dialogue_id).distinct()
    unnamed = select(*UNNAMED_COLUMNS).order_by(UnnamedClaim.id)
    if year is not None:
        dialogue_id = ref.dialogue_ids.get(year)
        named = named.where(Position.dialogue_id == dialogue_id)
        pairs = pairs.where(Position.dialogue_id == dialogue_id)
        unnamed = unnamed.where(UnnamedClaim.dialogue_id == dialogue_id)
    actors: dict[int, int] = {}
    partial: dict[int, bool] = {}
    for theme_id, count, any_partial in await rows(session, named):
        actors[theme_id] = count
        partial[theme_id] = bool(any_partial)
    years: dict[int, set[int]] = defaultdict(set)
    for theme_id, dialogue_id in await rows(session, pairs):
        years[theme_id].add(ref.years[dialogue_id])
    claims: dict[int, list[UnnamedInfo]] = defaultdict(list)
    found = await rows(session, unnamed)
    for row, info in zip(found, unnamed_infos(found, ref)):
        claims[row.theme_id].append(info)
        years[row.theme_id].add(info.year)
    result = [
        ThemeCount(
            theme=info,
            years=tuple(sorted(years[theme_id])),
            named_actors=actors.get(theme_id, 0),
            unnamed=tuple(sorted(claims[theme_id], key=lambda u: (u.year, u.quantity))),
            partial=partial.get(theme_id, False),
        )
        for theme_id, info in ref.themes.items()
        if year is None or years[theme_id]
    ]
    result.sort(key=lambda c: (-c.named_actors, -len(c.unnamed), c.theme.name))
    return tuple(result)


async def theme_states(session: AsyncSession, slug: str, year: int | None = None) -> ThemeStates | None:
    """The actors that raised a theme, grouped by dialogue, with unnamed counts (kept until the records change)."""
    return await cached(session, ("theme_states", slug, year), lambda: _theme_states(session, slug, year), _states_size)


def _states_size(result: ThemeStates | None) -> int:
    return sum(len(g.positions) + len(g.unnamed) for g in result.groups) if result else 1


async def _theme_states(session: AsyncSession, slug: str, year: int | None) -> ThemeStates | None:
    ref = await reference(session)
    theme_id = ref.theme_ids.get(slug)
    if theme_id is None:
        return None
    if year is None:
        params = {"theme_id": theme_id}
        positions, unnamed = POSITIONS_OF_THEME, UNNAMED_OF_THEME
    else:
        params = {"theme_id": theme_id, "dialogue_id": ref.dialogue_ids.get(year, -1)}
        positions, unnamed = POSITIONS_OF_THEME_AT, UNNAMED_OF_THEME_AT
    by_year_pos: defaultdict[int, list[PositionInfo]] = defaultdict(list)
    for position in position_infos(await rows(session, positions, params), ref):
        by_year_pos[position.year].append(position)
    by_year_unnamed: defaultdict[int, list[UnnamedInfo]] = defaultdict(list)
    for claim in unnamed_infos(await rows(session, unnamed, params), ref):
        by_year_unnamed[claim.year].append(claim)
    groups = tuple(
        ThemeDialogueGroup(
            y,
            tuple(sorted(by_year_pos[y], key=lambda p: _STANCE_ORDER.get(p.stance, 9))),
            tuple(by_year_unnamed[y]),
        )
        for y in sorted(set(by_year_pos) | set(by_year_unnamed))
    )
    return ThemeStates(ref.themes[theme_id], groups)
