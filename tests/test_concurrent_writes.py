"""Admin writes that arrive at the same moment wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import PROJECT_ROOT
from bot.console import GUILD_ID
from db import models as m
from db.admin.service import Admin, ChangeAuthor
from db.store import open_store

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)
REPO = Path(__file__).resolve().parent.parent


def _theme(n: int) -> dict:
    return {"slug": f"concurrent-theme-{n}", "name": f"Concurrent theme {n}",
            "description": "A theme added while other admins add theirs."}


async def test_twenty_admin_adds_at_once_in_one_process_all_succeed(store):
    admin = Admin(store)
    reads = [store.refresh_indexes() for _ in range(5)]  # readers in between do not get in the way either
    results = await asyncio.gather(*(admin.add("theme", _theme(n), ALICE) for n in range(20)), *reads,
                                   return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    async with store.sessions() as s:
        count = await s.scalar(select(func.count()).select_from(m.Theme).where(m.Theme.slug.like("concurrent-%")))
    assert count == 20


async def test_two_stores_on_one_file_write_in_turn(db_url):
    """Two processes' worth of engines: a read-then-write transaction must not lose the race."""
    first, second = await open_store(db_url), await open_store(db_url)
    try:
        results = await asyncio.gather(
            *(Admin(store).add("theme", _theme(n), ALICE) for n, store in enumerate([first, second] * 6)),
            return_exceptions=True,
        )
        assert not [r for r in results if isinstance(r, BaseException)]
    finally:
        await first.close()
        await second.close()


@pytest.mark.processes
def test_four_console_processes_adding_two_themes_each_all_succeed(db_url, tmp_path):
    """Four processes at once, each writing twice: the writes of different processes meet at the store's lock.

    (Each console costs about 2.5 s of CPU to start, so more processes would add time, not contention.)"""
    env = {**os.environ, "DATABASE_URL": db_url, "CONSOLE_OUTPUT_DIR": str(tmp_path / "out"),
           "DISCORD_TOKEN": "", "PYTHONPATH": str(PROJECT_ROOT)}  # this tree's code, not the installed copy's

    def add(n: int) -> str:
        return (f"/admin theme add slug:console-theme-{n} name:Console theme {n}"
                " || description:A theme added by one of four consoles at once.")

    processes = [
        subprocess.Popen([sys.executable, "-m", "bot", "console", "-c", add(2 * p), "-c", add(2 * p + 1)],
                         cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for p in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    failed = [(p.returncode, out[-500:]) for p, out in zip(processes, outputs) if p.returncode != 0]
    assert not failed, failed

    async def count() -> int:
        store = await open_store(db_url, seed_data=False)
        try:
            async with store.reading(GUILD_ID) as s:  # the consoles' server
                return await s.scalar(
                    select(func.count()).select_from(m.Theme).where(m.Theme.slug.like("console-theme-%")))
        finally:
            await store.close()

    assert asyncio.run(count()) == 8
