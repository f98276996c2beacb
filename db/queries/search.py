"""Full-text search over source passages: SQLite FTS5 with BM25 ranking, or PostgreSQL tsvector with ts_rank.

SQLite scores every passage a word matches, about a microsecond each: a question
with a word found in half of 50,000 passages costs 30 ms however few passages it
wants. `_sqlite_best` gets the very same ranking from the passages its rarer
words match (see `_Split`), and the one query over all words only where that
cannot be proven to give the same passages.

BM25's word weights come from every passage in the index, not only those a
server reads. Passages are the shared base's alone (the seed writes them; no
command adds any to a server's layer), so they change only with a new base
generation, which clears every layer's cached searches (`db.queries.cache`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import Row, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FTS_TABLE, PG_SEARCH_COLUMN, Passage
from db.queries.cache import cached
from db.queries.convert import reference
from db.results import SearchHit

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or said say says the "
    "to was were what when where which who whom why with about any all many much this that these those "
    "their there they he she his her them we you your i me my".split()
)
# FTS5's bm25(): k1 = 1.2, b = 0.75, and a word's weight (idf) floored at 1e-6 (sqlite3 ext/fts5/fts5_aux.c)
K1 = 1.2
IDF_FLOOR = 1e-6
SPLIT_FROM = 5_000  # passages matched in all, below which one query costs less than the split's three
RARE_SHARE = 0.1  # the rarer words: together in at most this share of the passages (at least the rarest one)


def fts_terms(query: str) -> list[str]:
    """Words worth matching, once each, quoted so user input can never be FTS5 or websearch syntax."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS and len(w) > 1))[:12]


async def search_passages(session: AsyncSession, query: str, limit: int = 5) -> list[SearchHit]:
    """The best matching passages (BM25) the session's server reads; kept, per search terms, until the records
    change."""
    terms = fts_terms(query)
    if not terms:
        return []
    return list(await cached(session, ("search", tuple(terms), limit), lambda: _search(session, terms, limit), len))


def fts_match(terms: Sequence[str]) -> str:
    """An FTS5 query for any of the (quoted) words."""
    return " OR ".join(f'"{t}"' for t in terms)


# Both return (passage id, rank), best (lowest) rank first, then by id, in every layer.
_SQLITE_SEARCH = text(
    f"SELECT rowid AS id, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q "
    "ORDER BY rank, rowid LIMIT :n"
)
_POSTGRESQL_SEARCH = text(
    f"SELECT id, -ts_rank({PG_SEARCH_COLUMN}, query) AS rank FROM passages, "
    "websearch_to_tsquery('english'::regconfig, public.unaccent('public.unaccent'::regdictionary, :q)) AS query "
    f"WHERE {PG_SEARCH_COLUMN} @@ query ORDER BY rank, id LIMIT :n"
)


async def _search(session: AsyncSession, terms: list[str], limit: int) -> tuple[SearchHit, ...]:
    """The best `limit` passages the session reads. The index holds every server's, so it is asked for more
    than `limit` (and more again while too many of them are another server's or hidden here)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    wanted = limit * 2
    while True:
        if postgresql:
            ranked = (await session.execute(_POSTGRESQL_SEARCH, {"q": fts_match(terms), "n": wanted})).all()
        else:
            ranked = await _sqlite_best(session, terms, wanted)
        hits = await _visible_hits(session, ranked, terms)
        if len(hits) >= limit or len(ranked) < wanted:
            return tuple(hits[:limit])
        wanted *= 4


async def _sqlite_best(session: AsyncSession, terms: list[str], n: int) -> Sequence[Row[tuple[int, float]]]:
    """The `n` best passages for any of `terms`, as the one query over all of them ranks them (the split adds
    the same words' scores in another order: the same to the last bit or two)."""
    counts = ", ".join(f"(SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :t{i})" for i in range(len(terms)))
    row = (await session.execute(
        text(f"SELECT (SELECT count(*) FROM passages), {counts}"), {f"t{i}": f'"{t}"' for i, t in enumerate(terms)}
    )).one()
    split = _Split.of(terms, row[1:], row[0], n)
    if split is not None:
        found = [r for clause in split.clauses() for r in (await session.execute(_SQLITE_SEARCH, {"q": clause, "n": n}))]
        best = sorted(found, key=lambda r: (r.rank, r.id))[:n]
        if split.proves(best, n):
            return best
    return (await session.execute(_SQLITE_SEARCH, {"q": fts_match(terms), "n": n})).all()


@dataclass(frozen=True)
class _Split:
    """The words split in two: the rare ones, whose passages are few, and the common ones.

    BM25 adds one score per word, each below the word's weight (idf) × (k1 + 1). So a
    passage with none of the rare words scores below `bound`, and when the `n` best of
    the passages with a rare word all score above it, they are the `n` best of all.
    Those are the passages with a rare word and a common one ("rare AND common") and
    with a rare word only ("rare NOT common"), each query scoring every word as the
    query over all of them does (a word a passage lacks adds nothing) while scoring
    only the rare words' passages.
    """

    rare: tuple[str, ...]
    common: tuple[str, ...]
    bound: float  # the best score a passage with common words only can have

    @classmethod
    def of(cls, terms: Sequence[str], matched: Sequence[int], passages: int, n: int) -> _Split | None:
        """The split of `terms` (`matched[i]` passages have `terms[i]`), or None where one query is as quick."""
        if sum(matched) < SPLIT_FROM:
            return None
        rare: list[str] = []
        held = 0
        for term, count in sorted(zip(terms, matched), key=lambda tc: tc[1]):
            if rare and held + count > passages * RARE_SHARE:
                break
            rare.append(term)
            held += count
        weight = {t: _idf(passages, c) * (K1 + 1) for t, c in zip(terms, matched)}
        common = tuple(t for t in terms if t not in rare)
        bound = sum(weight[t] for t in common)
        if not common or held < n or sum(weight[t] for t in rare) <= bound:
            return None  # nothing to split off, fewer rare passages than wanted, or they cannot outscore the rest
        return cls(tuple(t for t in terms if t in rare), common, bound)

    def clauses(self) -> tuple[str, str]:
        rare, common = fts_match(self.rare), fts_match(self.common)
        return f"({rare}) AND ({common})", f"({rare}) NOT ({common})"

    def proves(self, best: Sequence[Row[tuple[int, float]]], n: int) -> bool:
        """Whether `best` (the rare words' passages, best first) are the `n` best of all."""
        return len(best) == n and -best[-1].rank > self.bound


def _idf(passages: int, matched: int) -> float:
    """A word's weight in FTS5's bm25()."""
    idf = math.log((passages - matched + 0.5) / (matched + 0.5))
    return idf if idf > 0 else IDF_FLOOR


_OTHERS = Passage.__table__.alias("others")
_PASSAGES = select(  # built once: building it for each search took as long as running it
    Passage.id, Passage.source_id, Passage.ordinal, Passage.char_offset, Passage.text,
    select(func.count()).where(_OTHERS.c.source_id == Passage.source_id).scalar_subquery().label("total"),
).where(Passage.id.in_(bindparam("ids", expanding=True)))


async def _visible_hits(session: AsyncSession, ranked: Sequence[Row[tuple[int, float]]],
                        terms: list[str]) -> list[SearchHit]:
    """The ranked passages the session reads (the ORM query is limited to its layer), best first.

    Sources come from the cached `reference` (which holds the sources the session reads): joining them here
    read each one's whole text, to tell a verified source, and took longer than the search itself."""
    if not ranked:
        return []
    ranks = {row.id: row.rank for row in ranked}
    sources = (await reference(session)).sources
    passages = {p.id: p for p in await session.execute(_PASSAGES, {"ids": list(ranks)})}
    return [
        SearchHit(
            source=sources[p.source_id],
            ordinal=p.ordinal,
            passages_in_source=p.total,
            char_offset=p.char_offset,
            text=p.text,
            rank=ranks[pid],
            terms=tuple(terms),
        )
        for pid in ranks
        if (p := passages.get(pid)) is not None and p.source_id in sources
    ]
