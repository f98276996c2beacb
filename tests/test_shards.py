"""Shards across processes: two `python -m bot` processes, SHARD_COUNT=2 and SHARD_IDS 0 and 1, on one store.

Runs on the suite's database: SQLite by default, PostgreSQL with TEST_DATABASE_URL (the
deployment "Running at scale" in the README describes). Each process receives only the
events of the servers on its shard (the double routes them as Discord does), posts only
those servers' briefings, and sees the changes the other makes through the store.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import AsyncIterator

import pytest

from db.briefing_models import Cadence, ContentKind, RunStatus
from db.briefings import ShardSet, Timing, create_schedule, due_schedules, earliest_next_run
from tests.discord_double.harness import ADMIN, MEMBER
from tests.discord_double.processes import START_TIMEOUT, BotProcess, start_bot, sync_commands
from tests.discord_double.server import DiscordDouble
from tests.test_operations import TOKEN, double_running, due_schedule, runs_of

# Two servers, one on each of two shards: (guild_id >> 22) % 2 is 0 for the first, 1 for the second.
ON_SHARD = {0: 777, 1: 1 << 22 | 777}
CHANNELS = {777: (1001, 1002), 1 << 22 | 777: (2001, 2002)}


@contextlib.asynccontextmanager
async def two_shards(double: DiscordDouble, tmp_path, db_url: str) -> AsyncIterator[dict[int, BotProcess]]:  # type: ignore[no-untyped-def]
    bots: dict[int, BotProcess] = {}
    try:
        for shard in (0, 1):
            work = tmp_path / f"shard-{shard}"
            work.mkdir()
            bots[shard] = await start_bot(double.port, work, DATABASE_URL=db_url, DISCORD_TOKEN=TOKEN, SHARD_COUNT="2",
                                          SHARD_IDS=str(shard), CURATOR_GUILD_IDS=str(ON_SHARD[0]))
        await asyncio.gather(*(bot.wait_for_log("Connected as") for bot in bots.values()))
        yield bots
    finally:
        for bot in bots.values():
            await bot.stop()


async def posted(double: DiscordDouble, channels: list[int], timeout: float = START_TIMEOUT) -> None:
    async def every_channel() -> None:
        while not all(double.channel_messages(c) for c in channels):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(every_channel(), timeout)


@pytest.mark.processes
async def test_two_shard_processes_post_each_briefing_once_and_see_each_others_changes(db_url, tmp_path):
    """Slow for a test (about 10 s on two busy cores): two bot processes start, each as `python -m bot`."""
    async with double_running(guilds=CHANNELS) as double:
        await sync_commands(double)
        schedules = {c: await due_schedule(db_url, guild, c) for guild, channels in CHANNELS.items() for c in channels}
        async with two_shards(double, tmp_path, db_url) as bots:
            assert double.recommended_shards == 1  # the settings, not Discord's recommendation, decide
            assert sorted(double.shard_of.values()) == [(0, 2), (1, 2)]
            for bot in bots.values():
                assert any("Connected as RtoP Briefings to 1 servers" in line for line in bot.lines)

            # a change made through shard 0's process is seen by shard 1's on its next command
            on_shard_1 = CHANNELS[ON_SHARD[1]][0]
            before = await (await double.invoke(MEMBER, "state profile", {"state": "Republic of Cuba"},
                                                channel_id=on_shard_1)).answered()
            assert "Unknown" in before.final.text()  # shard 1's name index is loaded, without the alias
            change = await (await double.invoke(ADMIN, "admin actor alias", {"actor": "Cuba", "alias": "Republic of Cuba"},
                                                channel_id=CHANNELS[ON_SHARD[0]][0])).answered()
            assert "Added alias" in change.final.text() and "every server" in change.final.text()
            after = await (await double.invoke(MEMBER, "state profile", {"state": "Republic of Cuba"},
                                               channel_id=on_shard_1)).answered()
            assert after.final.text().splitlines()[0] == "Cuba" and "Unknown" not in after.final.text()

            await posted(double, list(schedules))
            pids = {shard: bot.process.pid for shard, bot in bots.items()}
            for shard in (0, 1):
                assert await bots[shard].terminate() == 0
        for channel, schedule in schedules.items():
            [run] = await runs_of(db_url, schedule)
            [message] = double.channel_messages(channel)  # exactly once, in its own channel
            assert run.status is RunStatus.posted and run.message_id == message.id
            shard = 0 if channel in CHANNELS[ON_SHARD[0]] else 1
            assert run.claimed_by is not None and run.claimed_by.split(":")[1] == str(pids[shard])


async def test_the_shard_filter_in_sql_agrees_with_discords_rule(store):
    """`ShardSet.clause` (SQL, for due schedules, the next due time and runs to take over) picks the servers
    `ShardSet.holds` (Discord's `(guild_id >> 22) % count`) does, on this backend, for real-sized server ids."""
    now = datetime.now(UTC)
    guilds = [777, 1 << 22, 3 << 22 | 5, 1_100_000_000_000_000_000 + 12_345, 2**62 + 7]
    for guild in guilds:
        await due_schedule_in(store, guild)
    for count in (1, 2, 3, 5):
        for ids in ({0}, {count - 1}, set(range(0, count, 2))):
            shards = ShardSet(count, frozenset(ids))
            async with store.sessions() as session:
                chosen = sorted(s.guild_id for s in await due_schedules(session, now + timedelta(days=2), shards))
                earliest = await earliest_next_run(session, shards)
            assert chosen == sorted(g for g in guilds if shards.holds(g)), (count, ids)
            assert (earliest is None) == (not chosen)


async def due_schedule_in(store, guild_id: int) -> None:  # type: ignore[no-untyped-def]
    await store.write(None, create_schedule, guild_id=guild_id, channel_id=guild_id + 1,
                      timing=Timing(Cadence.daily, 9, 0, "UTC"), content=ContentKind.pillar, created_by=1,
                      created_by_name="test", now=datetime.now(UTC))
