"""Full-text search over source passages (SQLite FTS5, BM25 ranking)."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.queries.convert import source_ref
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
    terms = fts_terms(query)
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    rows = (
        await session.execute(
            text("SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts WHERE passages_fts MATCH :q ORDER BY rank LIMIT :n"),
            {"q": match, "n": limit},
        )
    ).all()
    if not rows:
        return []
    ranks = {row.rowid: row.rank for row in rows}
    passages = {
        p.id: p
        for p in await session.scalars(
            select(m.Passage).where(m.Passage.id.in_(ranks)).options(selectinload(m.Passage.source))
        )
    }
    totals = dict(
        (
            await session.execute(
                select(m.Passage.source_id, func.count()).group_by(m.Passage.source_id)
            )
        ).all()
    )
    return [
        SearchHit(
            source=source_ref(p.source),
            ordinal=p.ordinal,
            passages_in_source=totals.get(p.source_id, 0),
            char_offset=p.char_offset,
            text=p.text,
            rank=ranks[pid],
            terms=tuple(terms),
        )
        for pid in ranks
        if (p := passages.get(pid)) is not None
    ]
