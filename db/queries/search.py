"""Full-text search over source passages (SQLite FTS5, BM25 ranking)."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.models import Passage
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
    """Words worth matching, each quoted so user input can never be FTS5 syntax."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return [w for w in words if w not in STOPWORDS and len(w) > 1][:12]


async def search_passages(session: AsyncSession, query: str, limit: int = 5) -> list[SearchHit]:
    """The best matching passages (BM25); kept, per search terms, until the records change."""
    terms = fts_terms(query)
    if not terms:
        return []
    return list(await cached(session, ("search", tuple(terms), limit), lambda: _search(session, terms, limit), len))


async def _search(session: AsyncSession, terms: list[str], limit: int) -> tuple[SearchHit, ...]:
    match = " OR ".join(f'"{t}"' for t in terms)
    rows = (
        await session.execute(
            text("SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts WHERE passages_fts MATCH :q ORDER BY rank LIMIT :n"),
            {"q": match, "n": limit},
        )
    ).all()
    if not rows:
        return ()
    ranks = {row.rowid: row.rank for row in rows}
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
