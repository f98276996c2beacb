"""Full-text search over source passages: SQLite FTS5 with BM25 ranking, or PostgreSQL tsvector with ts_rank.

SQLite scores every passage a word matches, about a microsecond each: a question
with a word found in half of 50,000 passages costs 30 ms however few passages it
wants. `_sqlite_best` gets the very same ranking from each common word's best
passages, kept beside the index (db.search_lists; see `_from_lists`), or from the
passages its rarer words match (see `_Split`), and runs the one query over all
words only where neither can be proven to give the same passages.

BM25's word weights come from every passage in the index, not only those a
server reads. Passages are the shared base's alone (the seed writes them; no
command adds any to a server's layer), so they change only with a new base
generation, which clears every layer's cached searches (`db.queries.cache`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

from sqlalchemy import Row, TextClause, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FTS_BEST_TABLE, FTS_TABLE, FTS_WORDS_TABLE, PG_SEARCH_COLUMN, Passage
from db.queries.cache import cached
from db.queries.convert import reference
from db.results import SearchHit

WORD = re.compile(r"[^\W_]+", re.UNICODE)
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
    words = [w.casefold() for w in WORD.findall(query)]
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


class _Ranked(NamedTuple):
    id: int
    rank: float  # FTS5's bm25(): lower is better


async def _ranked(session: AsyncSession, query: TextClause, params: dict[str, Any]) -> list[_Ranked]:
    return [_Ranked(*r) for r in await session.execute(query, params)]


# Both return (passage id, rank), best (lowest) rank first, then by id, in every layer.
SQLITE_SEARCH = text(
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
            ranked = await _ranked(session, _POSTGRESQL_SEARCH, {"q": fts_match(terms), "n": wanted})
        else:
            ranked = await _sqlite_best(session, terms, wanted)
        hits = await _visible_hits(session, ranked, terms)
        if len(hits) >= limit or len(ranked) < wanted:
            return tuple(hits[:limit])
        wanted *= 4


async def _sqlite_best(session: AsyncSession, terms: list[str], n: int) -> list[_Ranked]:
    """The `n` best passages for any of `terms`, as the one query over all of them ranks them (the ways
    around it add the same words' scores in another order: the same to the last bit or two)."""
    counts = ", ".join(f"(SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :t{i})" for i in range(len(terms)))
    row = (await session.execute(
        text(f"SELECT (SELECT count(*) FROM passages), {counts}"), {f"t{i}": f'"{t}"' for i, t in enumerate(terms)}
    )).one()
    passages, matched = row[0], dict(zip(terms, row[1:]))
    if sum(matched.values()) >= SPLIT_FROM:
        lists = await _best_lists(session, terms, matched, passages)
        if lists:
            best = await _from_lists(session, terms, lists, matched, n)
            if best is not None:
                return best
        split = _Split.of(terms, row[1:], passages, n)
        if split is not None:
            found = [r for clause in split.clauses() for r in await _ranked(session, SQLITE_SEARCH, {"q": clause, "n": n})]
            best = sorted(found, key=lambda r: (r.rank, r.id))[:n]
            if split.proves(best, n):
                return best
    return await _ranked(session, SQLITE_SEARCH, {"q": fts_match(terms), "n": n})


@dataclass(frozen=True)
class _BestList:
    """A word's best passages (FTS5's rows and scores for the word alone, best first), as db.search_lists
    stored them."""

    best: tuple[_Ranked, ...]
    complete: bool  # every passage with the word is here

    @property
    def bound(self) -> float:
        """The best score (lowest rank) a passage not in the list can have for this word."""
        return 0.0 if self.complete else self.best[-1].rank


_LISTS = text(
    f"SELECT w.word, w.matched, w.passages, b.passage_id, b.score FROM {FTS_WORDS_TABLE} AS w "
    f"JOIN {FTS_BEST_TABLE} AS b ON b.stem = w.stem WHERE w.word IN :words ORDER BY w.word, b.place"
).bindparams(bindparam("words", expanding=True))


async def _best_lists(session: AsyncSession, terms: list[str], matched: dict[str, int],
                      passages: int) -> dict[str, _BestList]:
    """The stored lists of those of `terms` that have one, where they were built from the passages as they are
    (each word's passages, and all passages, counted as now)."""
    rows: dict[str, list[Row[Any]]] = {}
    for r in await session.execute(_LISTS, {"words": terms}):
        rows.setdefault(r.word, []).append(r)
    return {
        word: _BestList(tuple(_Ranked(r.passage_id, r.score) for r in held), complete=len(held) >= matched[word])
        for word, held in rows.items()
        if held[0].matched == matched[word] and held[0].passages == passages
    }


async def _from_lists(session: AsyncSession, terms: list[str], lists: dict[str, _BestList],
                      matched: dict[str, int], n: int) -> list[_Ranked] | None:
    """The `n` best passages, found from the common words' lists, or None where the lists cannot prove them.

    A query's score is the sum of its words' scores, and FTS5 ranks exactly, in few passages, the best
    `n` with a rare word (one without a list), and the best `n` with every common word and no rare one
    ("a AND b"): any other passage of either kind ranks below those. The rest have some of the common
    words and no rare one. A passage in a word's list has that word's score from it; one missing from a
    list, when it lacks one of the missing words, scores at best the bounds (`_BestList.bound`) of the
    others, and one in no list at best the sum of all the bounds but the weakest. Of the passages whose
    scores are known, the best `n` are the best of all when they score better than every such bound.
    """
    common = [t for t in terms if t in lists]
    rare = [t for t in terms if t not in lists]
    if n > min(len(lists[t].best) for t in common):
        return None
    if rare and max(matched[t] for t in rare) > min(matched[t] for t in common):
        return None  # a word as common as a listed one has no list (one the passages lack, but its stem)
    if not rare and len(common) == 1:
        return list(lists[common[0]].best[:n])  # the word's own ranking, ties and all
    ranked: dict[int, float] = {}  # passage -> its score over every word
    if rare:
        for clause in _with_rare(rare, common):
            ranked.update(await _ranked(session, SQLITE_SEARCH, {"q": clause, "n": n}))
        ranked = dict(sorted(ranked.items(), key=lambda kv: (kv[1], kv[0]))[:n])
    if len(common) >= 2:  # with every common word (and no rare one)
        every = " AND ".join(f'"{t}"' for t in common)
        ranked.update(await _ranked(session, SQLITE_SEARCH, {"q": f"({every}) NOT ({fts_match(rare)})" if rare else every,
                                                             "n": n}))
    bound = {t: lists[t].bound for t in common}
    listed: dict[int, float] = {}  # passage (outside `ranked`) -> its scores for the words whose lists it is in
    missing: dict[int, list[str]] = {}  # passage -> the words whose lists it is not in
    for t in common:
        for r in lists[t].best:
            if r.id not in ranked:
                listed[r.id] = listed.get(r.id, 0.0) + r.rank
    ids = {t: {r.id for r in lists[t].best} for t in common}
    for pid in listed:
        missing[pid] = [t for t in common if pid not in ids[t]]
    whole = [_Ranked(pid, rank) for pid, rank in ranked.items()]
    whole += [_Ranked(pid, rank) for pid, rank in listed.items() if len(missing[pid]) <= 1]
    best = sorted(whole, key=lambda r: (r.rank, r.id))[:n]
    unsure = [listed[pid] + _at_best([bound[t] for t in missing[pid]]) for pid in listed if len(missing[pid]) > 1]
    unseen = _at_best(list(bound.values())) if len(common) > 1 else bound[common[0]]
    if len(best) < n or best[-1].rank >= min([unseen, *unsure]):
        return None
    return best


def _at_best(bounds: list[float]) -> float:
    """The best a passage can score for some of the words whose bounds these are, but not all of them (with
    all of them, FTS5 has ranked it)."""
    return sum(bounds) - max(bounds)


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
        return _with_rare(self.rare, self.common)

    def proves(self, best: Sequence[_Ranked], n: int) -> bool:
        """Whether `best` (the rare words' passages, best first) are the `n` best of all."""
        return len(best) == n and -best[-1].rank > self.bound


def _with_rare(rare: Sequence[str], common: Sequence[str]) -> tuple[str, str]:
    """FTS5 queries for the passages with a rare word, with a common one and without (see `_Split`)."""
    any_rare, any_common = fts_match(rare), fts_match(common)
    return f"({any_rare}) AND ({any_common})", f"({any_rare}) NOT ({any_common})"


def _idf(passages: int, matched: int) -> float:
    """A word's weight in FTS5's bm25()."""
    idf = math.log((passages - matched + 0.5) / (matched + 0.5))
    return idf if idf > 0 else IDF_FLOOR


_OTHERS = Passage.__table__.alias("others")
_PASSAGES = select(  # built once: building it for each search took as long as running it
    Passage.id, Passage.source_id, Passage.ordinal, Passage.char_offset, Passage.text,
    select(func.count()).where(_OTHERS.c.source_id == Passage.source_id).scalar_subquery().label("total"),
).where(Passage.id.in_(bindparam("ids", expanding=True)))


async def _visible_hits(session: AsyncSession, ranked: Sequence[_Ranked],
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
