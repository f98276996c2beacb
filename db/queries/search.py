"""Full-text search over source passages: SQLite FTS5 with BM25 ranking, or PostgreSQL tsvector with ts_rank."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.models import FTS_TABLE, PG_SEARCH_COLUMN, Passage
from db.queries.cache import cached
from db.queries.convert import SOURCE_COLUMNS, Refs
from db.results import SearchHit

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or said say says the "
    "to was were what when where which who whom why with about any all many much this that these those "
    "their there they he she his her them we you your i me my".split()
)


def fts_terms(query: str) -> list[str]:
    """Words worth matching, each quoted so user input can never be FTS5 or websearch syntax."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return [w for w in words if w not in STOPWORDS and len(w) > 1][:12]


async def search_passages(session: AsyncSession, query: str, limit: int = 5) -> list[SearchHit]:
    """The best matching passages (BM25); kept, per search terms, until the records change."""
    terms = fts_terms(query)
    if not terms:
        return []
    return list(await cached(session, ("search", tuple(terms), limit), lambda: _search(session, terms, limit), len))


# Both return (passage id, rank), best (lowest) rank first, for any of the quoted words.
_SQLITE_SEARCH = text(
    f"SELECT rowid AS id, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY rank LIMIT :n"
)
_POSTGRESQL_SEARCH = text(
    f"SELECT id, -ts_rank({PG_SEARCH_COLUMN}, query) AS rank FROM passages, "
    "websearch_to_tsquery('english'::regconfig, public.unaccent('public.unaccent'::regdictionary, :q)) AS query "
    f"WHERE {PG_SEARCH_COLUMN} @@ query ORDER BY rank, id LIMIT :n"
)


async def _search(session: AsyncSession, terms: list[str], limit: int) -> tuple[SearchHit, ...]:
    match = " OR ".join(f'"{t}"' for t in terms)
    postgresql = session.get_bind().dialect.name == "postgresql"
    query = _POSTGRESQL_SEARCH if postgresql else _SQLITE_SEARCH
    rows = (await session.execute(query, {"q": match, "n": limit})).all()
    if not rows:
        return ()
    ranks = {row.id: row.rank for row in rows}
    others = Passage.__table__.alias("others")
    in_source = select(func.count()).where(others.c.source_id == Passage.source_id).scalar_subquery()
    passages = {
        p.id: p
        for p in await session.execute(
            select(Passage.id, Passage.ordinal, Passage.char_offset, Passage.text, in_source.label("total"),
                   *SOURCE_COLUMNS)
            .join(m.SourceDocument, m.SourceDocument.id == Passage.source_id)
            .where(Passage.id.in_(ranks))
        )
    }
    refs = Refs()
    return tuple(
        SearchHit(
            source=refs.source(p),
            ordinal=p.ordinal,
            passages_in_source=p.total,
            char_offset=p.char_offset,
            text=p.text,
            rank=ranks[pid],
            terms=tuple(terms),
        )
        for pid in ranks
        if (p := passages.get(pid)) is not None
    )
