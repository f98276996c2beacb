"""What the store promises on either backend: one snapshot per answer, NULs kept out, start-ups in turn."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from db import models as m
from db.admin.service import Admin, ChangeAuthor
from db.store import open_store
from tests.conftest import ON_POSTGRESQL

ALICE = ChangeAuthor(user_id=1, user_name="alice", guild_id=777)


async def test_a_read_sees_one_state_of_the_records_while_others_change_them(store):
    async with store.reading(None) as reading:
        before = await reading.scalar(select(func.count()).select_from(m.Theme))
        async with store.sessions() as writing:
            writing.add(m.Theme(slug="snapshot-probe", name="Snapshot probe", description="d", keywords=[],
                                origin=m.Origin.admin))
            await writing.commit()
        during = await reading.scalar(select(func.count()).select_from(m.Theme))
        if ON_POSTGRESQL:
            level = await reading.scalar(text("SHOW transaction_isolation"))
            assert level == "repeatable read"
    async with store.reading(None) as later:
        after = await later.scalar(select(func.count()).select_from(m.Theme))
    assert during == before and after == before + 1


async def test_nul_characters_never_reach_the_database(store):
    admin = Admin(store)
    await admin.add("actor", {"name": "Atlantis\x00 Watch", "kind": "civil_society", "aliases": ["A\x00W"]}, ALICE)
    async with store.reading(None) as session:
        names = set(await session.scalars(select(m.Actor.name).where(m.Actor.name.like("Atlantis%"))))
        found = await session.scalar(select(m.Actor.id).where(m.Actor.name == "Atlantis\x00 Watch"))
    assert names == {"Atlantis Watch"} and found is not None


async def test_start_ups_at_once_on_an_empty_database_take_turns(databases):
    url = databases.empty()
    stores = await asyncio.gather(*(open_store(url) for _ in range(3)))
    try:
        reports = [s.seed_report for s in stores]
        assert sum(1 for r in reports if r is not None and not r.skipped) == 1  # seeded once, by whoever came first
        assert all(len(s.actors) == len(stores[0].actors) > 0 for s in stores)
    finally:
        for s in stores:
            await s.close()


async def test_a_result_read_between_two_changes_of_one_transaction_is_not_served_after_it(store):
    from db import queries as q

    async with store.sessions.begin() as session:
        await session.execute(text("UPDATE positions SET summary = 'First change.'"))
        await q.theme_states(session, "veto-restraint", 2014)  # read between the changes
        await session.execute(text("UPDATE positions SET summary = 'Second change.'"))
    async with store.reading(None) as session:
        after = await q.theme_states(session, "veto-restraint", 2014)
    assert {p.summary for g in after.groups for p in g.positions} == {"Second change."}


@pytest.mark.sqlite_only("SQLite's planner statistics (PostgreSQL's autovacuum keeps its own)")
async def test_every_start_gives_sqlite_s_planner_statistics_of_the_records(db_url):
    store = await open_store(db_url)
    try:
        async with store.engine.connect() as conn:
            stats = (await conn.exec_driver_sql("SELECT tbl, idx FROM sqlite_stat1")).all()
            plan = (await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT * FROM positions WHERE layer = 0 AND theme_id = 1")).all()
    finally:
        await store.close()
    assert {"positions", "actors", "themes"} <= {table for table, _ in stats}
    assert any("USING" in str(row[-1]) and "INDEX" in str(row[-1]) for row in plan), plan  # not a scan of them all
