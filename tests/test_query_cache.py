"""Cached answers are reused only while the records are unchanged, whoever changes them."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import queries as q
from db.admin.service import Admin, ChangeAuthor
from db.queries import cache
from db.queries.cache import MAX_SHARED_TEXTS, shared
from db.results import ThemeStates

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)
VETO = "veto-restraint"


async def _veto_2014(store) -> ThemeStates:  # type: ignore[no-untyped-def]
    async with store.sessions() as session:
        result = await q.theme_states(session, VETO, 2014)
    assert result is not None
    return result


async def test_an_unchanged_store_answers_from_the_cache(store):
    first = await _veto_2014(store)
    assert await _veto_2014(store) is first


async def test_a_change_through_the_bot_is_seen_at_once(store):
    before = await _veto_2014(store)
    await Admin(store).add("position", {
        "actor": "Ivory Coast", "theme": VETO, "dialogue": 2014, "stance": "supports",
        "summary": "Backed the initiative on veto restraint.",
        "excerpt": "Fourteen states identified the use of the veto by Permanent Members of the Security Council as a major hurdle in implementation of RtoP.",
        "source": "2014-dialogue-summary",
    }, ALICE)
    after = await _veto_2014(store)
    assert "Côte d'Ivoire" in after.actors and "Côte d'Ivoire" not in before.actors


async def _as_another_program(db_url: str, sql: str) -> None:
    """Runs SQL through the database's own driver, not through the bot: a second process, or by hand."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as other:
            other.execute(sql)
        return
    import asyncpg

    other = await asyncpg.connect(user=url.username, host=url.host, port=url.port, database=url.database)
    try:
        await other.execute(sql)
    finally:
        await other.close()


async def test_a_change_made_by_another_program_is_seen_at_once(store, db_url):
    before = await _veto_2014(store)
    await _as_another_program(db_url, "UPDATE positions SET summary = 'Changed elsewhere.' "
                                      f"WHERE theme_id = (SELECT id FROM themes WHERE slug = '{VETO}')")
    after = await _veto_2014(store)
    assert after is not before
    assert {p.summary for g in after.groups for p in g.positions} == {"Changed elsewhere."}


async def test_an_uncommitted_change_is_not_left_behind_in_the_cache(store):
    before = await _veto_2014(store)
    async with store.sessions() as session:
        await session.execute(text("UPDATE positions SET summary = 'Never committed.'"))
        inside = await q.theme_states(session, VETO, 2014)  # this transaction sees its own change
        await session.rollback()
    assert {p.summary for g in inside.groups for p in g.positions} == {"Never committed."}
    after = await _veto_2014(store)
    assert "Never committed." not in {p.summary for g in after.groups for p in g.positions}
    assert {p.summary for g in after.groups for p in g.positions} == {p.summary for g in before.groups for p in g.positions}


def test_the_cache_holds_no_more_rows_than_its_budget(monkeypatch):
    monkeypatch.setattr(cache, "BUDGET", 100)
    held = cache._Cache("generation")
    for i in range(50):
        held.put(("answer", i), object(), size=10, seconds=0.001 * (i % 7 + 1))
    assert held.size <= 100 and len(held.entries) == 10
    held.put(("too large",), object(), size=101, seconds=1.0)
    assert ("too large",) not in held.entries


def test_equal_texts_are_kept_once_and_the_table_is_bounded():
    a = "".join(["Prevention ", "is the cornerstone."])
    b = "".join(["Prevention is ", "the cornerstone."])
    assert a == b and a is not b
    assert shared(a) is shared(b)
    assert shared(None) is None
    for i in range(MAX_SHARED_TEXTS + 1):
        shared(f"text {i}")
    assert shared(b) == a  # still equal, though the table started afresh
