"""Each common word's best passages, kept beside SQLite's full-text index (the tables `passages_fts_words`
and `passages_fts_best`), so that a search for common words does not score every passage they match.

FTS5 ranks by scoring every passage a word matches, about a microsecond each: "prevention", in two
fifths of 50,000 passages, costs 27 ms however few passages are wanted. A word's score in a passage is
the same in any query, and a query's score is the sum of its words' scores, so the best passages of
each common word, with their scores, bound what every other passage can score (`db.queries.search`
reads them). They are FTS5's own rows and scores, taken when the passages last changed: the seed
writes passages, and `refresh_search_lists` rebuilds the lists at each start where the passages, the
index's totals or the dataset differ from those the lists were built from.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import FTS_BEST_TABLE as BEST_TABLE
from db.models import FTS_TABLE
from db.models import FTS_WORDS_TABLE as WORDS_TABLE
from db.queries.search import SQLITE_SEARCH, STOPWORDS, WORD

log = logging.getLogger(__name__)

LIST_FROM = 1_000  # passages a stem matches from which it has a list: below, FTS5 scores them in a millisecond
LIST_LENGTH = 200  # passages per list: a search wants 10 (more where a server hides some)
STAMP_KEY = "search_lists"  # store_meta: what the lists were built from
_TOKENIZE = re.compile(r"tokenize\s*=\s*'([^']*)'", re.IGNORECASE)


@dataclass(frozen=True)
class Built:
    stems: int
    words: int
    seconds: float


async def refresh_search_lists(engine: AsyncEngine, *, list_from: int = LIST_FROM,
                               length: int = LIST_LENGTH) -> Built | None:
    """Rebuilds the lists where they were built from other passages (or never); None where they are current
    or the store is not SQLite."""
    if engine.dialect.name != "sqlite":
        return None
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(lambda c: _refresh(c, list_from, length))
    except DBAPIError as error:  # a store that cannot be written: searches check the lists' counts, and work
        log.warning("Could not rebuild the search lists (%s); searches work, maybe slower", error.orig)
        return None


def _refresh(conn: Connection, list_from: int, length: int) -> Built | None:
    stamp = f"{_index_stamp(conn)}|{list_from}|{length}"
    held = conn.execute(text("SELECT value FROM store_meta WHERE key = :k"), {"k": STAMP_KEY}).scalar()
    if held == stamp:
        return None
    started = time.perf_counter()
    stems, words = _build(conn, list_from, length)
    conn.execute(text("DELETE FROM store_meta WHERE key = :k"), {"k": STAMP_KEY})
    conn.execute(text("INSERT INTO store_meta (key, value) VALUES (:k, :v)"), {"k": STAMP_KEY, "v": stamp})
    built = Built(stems, words, time.perf_counter() - started)
    log.info("Built the search lists: %d common stems, %d words, in %.1f s", stems, words, built.seconds)
    return built


def _index_stamp(conn: Connection) -> str:
    """What the index's scores depend on: its rows and words (FTS5's totals: passages and tokens, the
    `averages` record), the highest passage id, and the dataset they were seeded from."""
    totals = conn.execute(text(f"SELECT hex(block) FROM {FTS_TABLE}_data WHERE id = 1")).scalar() or ""
    highest = conn.execute(text("SELECT coalesce(max(id), 0) FROM passages")).scalar()
    dataset = conn.execute(text("SELECT value FROM store_meta WHERE key = 'seed_checksum'")).scalar()
    return f"{totals}|{highest}|{dataset}"


def _build(conn: Connection, list_from: int, length: int) -> tuple[int, int]:
    conn.execute(text(f"DELETE FROM {WORDS_TABLE}"))
    conn.execute(text(f"DELETE FROM {BEST_TABLE}"))
    passages = conn.execute(text("SELECT count(*) FROM passages")).scalar_one()
    matched = _stem_counts(conn)
    common = {stem for stem, count in matched.items() if count >= list_from}
    if not common:
        return 0, 0
    stem_of = {word: stem for word, stem in _stems(conn, _passage_words(conn)).items() if stem in common}
    words_of: dict[str, list[str]] = {}
    for word, stem in sorted(stem_of.items()):
        words_of.setdefault(stem, []).append(word)
    best_rows = []
    for stem, words in words_of.items():
        ranked = conn.execute(SQLITE_SEARCH, {"q": f'"{words[0]}"', "n": length}).all()
        best_rows += [{"stem": stem, "place": i, "passage_id": r.id, "score": r.rank} for i, r in enumerate(ranked)]
    conn.execute(text(f"INSERT INTO {BEST_TABLE} (stem, place, passage_id, score) "
                      "VALUES (:stem, :place, :passage_id, :score)"), best_rows)
    conn.execute(text(f"INSERT INTO {WORDS_TABLE} (word, stem, matched, passages) "
                      "VALUES (:word, :stem, :matched, :passages)"),
                 [{"word": w, "stem": s, "matched": matched[s], "passages": passages} for w, s in stem_of.items()])
    return len(words_of), len(stem_of)


def _stem_counts(conn: Connection) -> dict[str, int]:
    """Each stem in the index and how many passages have it (FTS5's own vocabulary)."""
    conn.execute(text(f"CREATE VIRTUAL TABLE temp.{FTS_TABLE}_vocab USING fts5vocab(main, {FTS_TABLE}, row)"))
    try:
        return {term: doc for term, doc in conn.execute(text(f"SELECT term, doc FROM temp.{FTS_TABLE}_vocab"))}
    finally:
        conn.execute(text(f"DROP TABLE temp.{FTS_TABLE}_vocab"))


def _passage_words(conn: Connection) -> set[str]:
    """Every word of the passages a search could ask for (as `fts_terms` reads a question)."""
    found: set[str] = set()
    for (passage,) in conn.execute(text("SELECT text FROM passages")):
        found.update(WORD.findall(passage.casefold()))
    return {w for w in found if w not in STOPWORDS and len(w) > 1}


def _stems(conn: Connection, words: set[str]) -> dict[str, str]:
    """Each word's stem, as the index's own tokenizer makes it: the words are put in a scratch FTS5 table
    made with the index's tokenizer, whose vocabulary says which row (word) each stem came from."""
    declared = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}).scalar_one()
    tokenizer = _TOKENIZE.search(declared)
    scratch, vocab = f"temp.{FTS_TABLE}_scratch", f"temp.{FTS_TABLE}_scratch_vocab"
    conn.execute(text(f"CREATE VIRTUAL TABLE {scratch} USING fts5(word"
                      + (f", tokenize='{tokenizer.group(1)}')" if tokenizer else ")")))
    conn.execute(text(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(temp, {FTS_TABLE}_scratch, instance)"))
    try:
        ordered = sorted(words)
        conn.execute(text(f"INSERT INTO {scratch} (rowid, word) VALUES (:id, :word)"),
                     [{"id": i, "word": w} for i, w in enumerate(ordered)])
        tokens: dict[int, list[str]] = {}
        for term, doc in conn.execute(text(f"SELECT term, doc FROM {vocab}")):
            tokens.setdefault(doc, []).append(term)
        return {ordered[doc]: stems[0] for doc, stems in tokens.items() if len(stems) == 1}
    finally:
        conn.execute(text(f"DROP TABLE {vocab}"))
        conn.execute(text(f"DROP TABLE {scratch}"))
