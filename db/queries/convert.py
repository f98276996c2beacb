"""Database rows to result types, and the small tables every answer refers to."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, Unpack

from sqlalchemy import Row, func, select
from sqlalchemy.sql import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Actor, ActorAlias, Dialogue, SourceDocument, Theme
from db.queries.cache import cached
from db.results import SourceRef, ThemeInfo


AnyRow: TypeAlias = Row[Unpack[tuple[Any, ...]]]  # a row of a column query, read by column name or position
Rows: TypeAlias = Sequence[AnyRow]


def source_ref(s: SourceDocument) -> SourceRef:
    return SourceRef(s.key, s.title, s.publisher, s.date, s.date_note, s.kind, s.dialogue_year, s.url, s.address_note,
                     bool(s.text))


# -- rows of column queries (no ORM objects, no eager loads) ----------------------------------
#
# The read queries select only the columns they need. Most read one table and
# find names, years, sources and themes in the cached `Reference`; a few small
# ones join them (`Refs`). Source documents are never loaded whole: their texts
# are large and no answer needs them. Equal references are made once and shared.

SOURCE_COLUMNS = (
    SourceDocument.id.label("s_id"), SourceDocument.key.label("s_key"), SourceDocument.title.label("s_title"),
    SourceDocument.publisher.label("s_publisher"), SourceDocument.date.label("s_date"),
    SourceDocument.date_note.label("s_date_note"), SourceDocument.kind.label("s_kind"),
    SourceDocument.dialogue_year.label("s_dialogue_year"), SourceDocument.url.label("s_url"),
    SourceDocument.address_note.label("s_address_note"), (func.length(SourceDocument.text) > 0).label("s_verified"),
)
THEME_COLUMNS = (
    Theme.id.label("t_id"), Theme.slug.label("t_slug"), Theme.name.label("t_name"),
    Theme.description.label("t_description"),
    Theme.pillar.label("t_pillar"), Theme.keywords.label("t_keywords"),
)


class Refs:
    """Source references and theme descriptions made from joined columns, once per id."""

    def __init__(self) -> None:
        self._sources: dict[int, SourceRef] = {}
        self._themes: dict[int, ThemeInfo] = {}

    def source(self, row: AnyRow) -> SourceRef:
        ref = self._sources.get(row.s_id)
        if ref is None:
            ref = self._sources[row.s_id] = SourceRef(
                row.s_key, row.s_title, row.s_publisher, row.s_date, row.s_date_note, row.s_kind, row.s_dialogue_year,
                row.s_url, row.s_address_note, bool(row.s_verified),
            )
        return ref

    def theme(self, row: AnyRow) -> ThemeInfo:
        info = self._themes.get(row.t_id)
        if info is None:
            info = self._themes[row.t_id] = ThemeInfo(
                row.t_slug, row.t_name, row.t_description, row.t_pillar, tuple(row.t_keywords or ())
            )
        return info


@dataclass(frozen=True)
class Reference:
    """The small tables every answer refers to, by id: kept per knowledge generation (db.queries.cache).

    With them, the queries that return many rows select only the columns of their
    own table, and every name, year, source and theme is made once, not per row.
    """

    actors: dict[int, tuple[str, str, str | None]]  # id -> (name, kind, ISO code)
    aliases: dict[int, tuple[str, ...]]  # actor id -> its aliases, in the order they were recorded
    actor_ids: dict[str, int]  # canonical name -> id
    years: dict[int, int]  # dialogue id -> year
    dialogue_ids: dict[int, int]  # year -> dialogue id
    sources: dict[int, SourceRef]  # in id order
    themes: dict[int, ThemeInfo]  # in id order
    theme_ids: dict[str, int]  # slug -> id


async def reference(session: AsyncSession) -> Reference:
    return await cached(session, "reference", lambda: _load_reference(session),
                        lambda r: len(r.actors) + len(r.aliases) + len(r.sources))


async def _load_reference(session: AsyncSession) -> Reference:
    found = await rows(session, select(Actor.id, Actor.name, Actor.kind, Actor.iso3).order_by(Actor.id))
    actors = {i: (name, kind.value, iso3) for i, name, kind, iso3 in found}
    aliases: dict[int, list[str]] = {}
    for actor_id, alias in await rows(session, select(ActorAlias.actor_id, ActorAlias.alias).order_by(ActorAlias.id)):
        aliases.setdefault(actor_id, []).append(alias)
    years: dict[int, int] = dict(await rows(session, select(Dialogue.id, Dialogue.year).order_by(Dialogue.id)))
    refs = Refs()
    sources = {s.s_id: refs.source(s) for s in await rows(session, select(*SOURCE_COLUMNS).order_by(SourceDocument.id))}
    themes = {t.t_id: refs.theme(t) for t in await rows(session, select(*THEME_COLUMNS).order_by(Theme.id))}
    return Reference(
        actors=actors,
        aliases={i: tuple(names) for i, names in aliases.items()},
        actor_ids={name: i for i, (name, _, _) in actors.items()},
        years=years,
        dialogue_ids={year: i for i, year in years.items()},
        sources=sources,
        themes=themes,
        theme_ids={info.slug: i for i, info in themes.items()},
    )


async def rows(session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """All rows of a column query, limited to the layers the session reads (`db.layers`)."""
    return (await session.execute(statement, params)).all()

