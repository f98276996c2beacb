"""Passage search: the split ranking is the one query's exactly, and a server gets its full count of hits."""

from __future__ import annotations

import logging
import random
import re
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from db import models as m
from db.queries import search
from db.queries.search import fts_match, _sqlite_best, search_passages
from db.search_lists import STAMP_KEY, refresh_search_lists
from db.store import open_store
from tests.conftest import ON_POSTGRESQL, sqlite_url

SERVER, OTHER = 1_000_000_000_000_201, 1_000_000_000_000_202


@pytest.mark.skipif(ON_POSTGRESQL, reason="the split is SQLite's (FTS5's bm25)")
async def test_the_split_ranks_passages_exactly_as_one_query_over_every_word(store, monkeypatch):
    monkeypatch.setattr(search, "SPLIT_FROM", 0)  # split wherever it can, however few passages match
    statements: list[str] = []
    sync_engine = store.engine.sync_engine

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append(str(parameters))

    async with store.reading(None) as session:
        texts = (await session.scalars(select(m.Passage.text))).all()
        words = [set(re.findall(r"\b[a-z]{4,}\b", t.casefold())) for t in texts]
        vocabulary = sorted(set().union(*words))
        common = [w for w in vocabulary if sum(w in ws for ws in words) > len(texts) * search.RARE_SHARE
                  and w not in search.STOPWORDS]
        rng = random.Random(12)
        proven = 0
        event.listen(sync_engine, "before_cursor_execute", seen)
        try:
            for _ in range(250):
                picked = rng.sample(common, rng.choice((1, 2))) + rng.sample(vocabulary, rng.choice((1, 2)))
                terms = search.fts_terms(" ".join(picked))
                n = rng.choice((3, 6, 10))
                statements.clear()
                best = await _sqlite_best(session, terms, n)
                split_only = any(" NOT (" in s for s in statements) and not any(
                    f"'{fts_match(terms)}'" in s for s in statements)
                proven += split_only
                one_query = (await session.execute(search.SQLITE_SEARCH, {"q": fts_match(terms), "n": n})).all()
                assert [r.id for r in best] == [r.id for r in one_query], terms
                # the same scores, summed in another order: equal to the last bit or two
                assert [r.rank for r in best] == pytest.approx([r.rank for r in one_query], rel=1e-12), terms
        finally:
            event.remove(sync_engine, "before_cursor_execute", seen)
    assert proven >= 15, f"the split answered alone only {proven} times of 250"


async def test_a_server_gets_its_full_count_of_hits_when_the_best_are_hidden_there_or_another_servers(store):
    query = "veto restraint prevention"
    async with store.reading(None) as session:
        shared = await search_passages(session, query, limit=3)
        assert len(await search_passages(session, query, limit=10)) == 10  # enough to hide one of
    async with store.sessions.begin() as session:
        source_id = (await session.execute(text("SELECT min(id) FROM source_documents"))).scalar_one()
        ordinal = (await session.execute(select(func.max(m.Passage.ordinal)))).scalar_one() + 1
        for i in range(4):  # another server's passages, each a better match than any shared one
            session.add(m.Passage(layer=OTHER, source_id=source_id, ordinal=ordinal + i, char_offset=0,
                                  text="Veto restraint, veto restraint: restraint in the use of the veto."))
        hidden = (await session.execute(
            select(m.Passage.id).where(m.Passage.text == shared[0].text, m.Passage.layer == m.BASE_LAYER))).scalars()
        for row_id in hidden:  # and the best shared passage hidden in this server
            session.add(m.HiddenRecord(layer=SERVER, table_name="passages", row_id=row_id))

    async with store.reading(SERVER) as session:
        here = await search_passages(session, query, limit=3)
    async with store.reading(None) as session:
        everywhere = await search_passages(session, query, limit=3)
    async with store.reading(OTHER) as session:
        there = await search_passages(session, query, limit=3)
    assert [h.text for h in everywhere] == [h.text for h in shared]
    assert len(here) == 3 and shared[0].text not in [h.text for h in here]
    assert [h.text for h in here][:2] == [h.text for h in shared][1:]
    assert [h.text for h in there] == ["Veto restraint, veto restraint: restraint in the use of the veto."] * 3


async def _common_and_rare(session: Any, list_from: int) -> tuple[list[str], list[str]]:
    """Words of the passages that a list is kept for at `list_from`, and the others."""
    texts = (await session.scalars(select(m.Passage.text))).all()
    words = [set(re.findall(r"\b[a-z]{4,}\b", t.casefold())) - search.STOPWORDS for t in texts]
    vocabulary = sorted(set().union(*words))
    listed = set((await session.execute(text(f"SELECT word FROM {m.FTS_WORDS_TABLE}"))).scalars())
    return [w for w in vocabulary if w in listed], [w for w in vocabulary if sum(w in ws for ws in words) < list_from]


@pytest.mark.skipif(ON_POSTGRESQL, reason="the lists are SQLite's (FTS5's bm25)")
async def test_the_common_words_lists_rank_passages_exactly_as_one_query_over_every_word(store, monkeypatch):
    monkeypatch.setattr(search, "SPLIT_FROM", 0)  # use the lists wherever they apply, however few passages match
    built = await refresh_search_lists(store.engine, list_from=12, length=10)
    assert built is not None and built.stems >= 10 and built.words >= built.stems
    assert await refresh_search_lists(store.engine, list_from=12, length=10) is None  # current: kept
    answered: list[bool] = []
    real = search._from_lists

    async def watched(*args: Any) -> Any:
        found = await real(*args)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(search, "_from_lists", watched)
    async with store.reading(None) as session:
        common, rare = await _common_and_rare(session, 12)
        rng = random.Random(7)
        for _ in range(300):
            picked = rng.sample(common, rng.choice((1, 1, 2, 3))) + rng.sample(rare, rng.choice((0, 0, 1, 2)))
            terms = search.fts_terms(" ".join(picked))
            n = rng.choice((3, 6, 10))
            best = await _sqlite_best(session, terms, n)
            one_query = (await session.execute(search.SQLITE_SEARCH, {"q": fts_match(terms), "n": n})).all()
            assert [r.id for r in best] == [r.id for r in one_query], terms
            assert [r.rank for r in best] == pytest.approx([r.rank for r in one_query], rel=1e-12), terms
    assert sum(answered) >= 200, f"the lists answered alone {sum(answered)} times of {len(answered)}"


@pytest.mark.skipif(ON_POSTGRESQL, reason="the lists are SQLite's (FTS5's bm25)")
async def test_lists_built_from_other_passages_are_not_used_and_are_rebuilt_at_the_next_start(store, monkeypatch):
    monkeypatch.setattr(search, "SPLIT_FROM", 0)
    await refresh_search_lists(store.engine, list_from=12, length=10)
    async with store.reading(None) as session:
        common, _ = await _common_and_rare(session, 12)
        word = common[0]
    async with store.sessions.begin() as session:  # a passage the lists were not built from, the word's best
        source_id = (await session.execute(text("SELECT min(id) FROM source_documents"))).scalar_one()
        ordinal = (await session.execute(select(func.max(m.Passage.ordinal)))).scalar_one() + 1
        added = m.Passage(layer=m.BASE_LAYER, source_id=source_id, ordinal=ordinal, char_offset=0,
                          text=f"{word} {word} {word}.")
        session.add(added)
    async with store.reading(None) as session:
        best = await _sqlite_best(session, [word], 3)
        assert best[0].id == added.id
    assert await refresh_search_lists(store.engine, list_from=12, length=10) is not None
    async with store.reading(None) as session:
        listed = (await session.execute(text(f"SELECT passage_id FROM {m.FTS_BEST_TABLE} AS b JOIN "
                                             f"{m.FTS_WORDS_TABLE} AS w ON w.stem = b.stem WHERE w.word = :w "
                                             "ORDER BY place LIMIT 1"), {"w": word})).scalar_one()
        assert listed == added.id


async def test_a_read_only_store_whose_lists_are_out_of_date_starts_and_searches(db_path, caplog):
    """The lists cannot be rebuilt in a store that cannot be written: a warning, and the same answers."""
    store = await open_store(sqlite_url(db_path))
    async with store.reading(None) as session:
        before = await search_passages(session, "veto restraint prevention", limit=5)
    await store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM store_meta WHERE key = ?", (STAMP_KEY,))
    with caplog.at_level(logging.WARNING, logger="db.search_lists"):
        read_only = await open_store(f"sqlite+aiosqlite:///file:{db_path}?mode=ro&uri=true")
    try:
        assert any("Could not rebuild the search lists" in r.getMessage() for r in caplog.records)
        async with read_only.reading(None) as session:
            after = await search_passages(session, "veto restraint prevention", limit=5)
        assert [h.text for h in after] == [h.text for h in before]
    finally:
        await read_only.close()


async def test_a_store_at_the_seeds_scale_keeps_no_lists(store):
    """101 passages: FTS5 scores any word's in well under a millisecond, so no word has a list."""
    async with store.reading(None) as session:
        if not ON_POSTGRESQL:
            assert (await session.execute(text(f"SELECT count(*) FROM {m.FTS_BEST_TABLE}"))).scalar_one() == 0
    assert await refresh_search_lists(store.engine) is None


def test_words_are_searched_once_each_and_quoted() -> None:
    assert search.fts_terms('Veto, VETO and "veto" restraint') == ["veto", "restraint"]
    assert fts_match(["veto", "p5"]) == '"veto" OR "p5"'
