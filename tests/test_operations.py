"""Operating the bot: SIGTERM stops it cleanly, logs can be JSON, and Discord saying no ends it with one line.

Each test runs `python -m bot` as a process of its own (`tests.discord_double.launch`)
against the local Discord double, with the real discord.py client and a real store.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import AsyncIterator

import pytest
from sqlalchemy import update

from bot.lifecycle import EXIT_DISCORD_UNREACHABLE, EXIT_TOKEN_REJECTED, TOKEN_REJECTED
from db.briefing_models import BriefingSchedule, Cadence, ContentKind, RunStatus
from db.briefings import RunInfo, Timing, create_schedule, list_runs
from db.store import open_store
from tests.discord_double.processes import START_TIMEOUT, BotProcess, start_bot
from tests.discord_double.server import DiscordDouble

pytestmark = pytest.mark.processes  # each test starts `python -m bot` (pyproject.toml)

TOKEN = "double-token"
CHANNEL = 1001


async def due_schedule(db_url: str, guild_id: int, channel_id: int) -> int:
    """A daily schedule whose next run fell due a second ago."""
    store = await open_store(db_url)
    try:
        info = await store.write(None, create_schedule, guild_id=guild_id, channel_id=channel_id,
                                 timing=Timing(Cadence.daily, 9, 0, "UTC"), content=ContentKind.pillar,
                                 created_by=1, created_by_name="test", now=datetime.now(UTC))
        async with store.sessions.begin() as session:
            await session.execute(update(BriefingSchedule).where(BriefingSchedule.id == info.id)
                                  .values(next_run_at=datetime.now(UTC) - timedelta(seconds=1)))
        return info.id
    finally:
        await store.close()


async def runs_of(db_url: str, schedule_id: int) -> list[RunInfo]:
    store = await open_store(db_url)
    try:
        async with store.sessions() as session:
            return await list_runs(session, schedule_id)
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def double_running(**options) -> AsyncIterator[DiscordDouble]:  # type: ignore[no-untyped-def]
    double = DiscordDouble(**options)
    await double.start()
    try:
        yield double
    finally:
        await double.stop()


@contextlib.asynccontextmanager
async def bot_process(double: DiscordDouble, tmp_path: Path, db_url: str, **settings: str) -> AsyncIterator[BotProcess]:
    bot = await start_bot(double.port, tmp_path, DATABASE_URL=db_url, **{"discord_token": TOKEN, **settings})
    try:
        yield bot
    finally:
        await bot.stop()


async def test_sigterm_releases_a_post_under_way_and_exits_0_with_json_logs(db_url, tmp_path):
    async with double_running() as double:
        schedule = await due_schedule(db_url, double.guild_id, CHANNEL)
        double.stall_posts = "before"  # Discord never answers the post: it is under way when SIGTERM comes
        async with bot_process(double, tmp_path, db_url, log_format="json", shutdown_grace_seconds="0.5") as bot:
            await asyncio.wait_for(double.stalled.wait(), START_TIMEOUT)
            [run] = await runs_of(db_url, schedule)
            assert run.status is RunStatus.claimed and run.lease_until is not None
            assert run.lease_until > datetime.now(UTC) + timedelta(minutes=1)  # held by the running process
            stopped_at = datetime.now(UTC)
            assert await bot.terminate() == 0
        double.release_posts(drop=True)
    [run] = await runs_of(db_url, schedule)
    assert run.status is RunStatus.claimed  # the post may have reached Discord: the next process looks first
    assert run.lease_until is not None and run.lease_until <= datetime.now(UTC)  # released: taken over at once
    assert run.lease_until >= stopped_at - timedelta(seconds=1)
    entries = bot.json_lines()  # every line is one JSON object
    assert entries and all({"timestamp", "level", "logger", "message"} <= e.keys() for e in entries)
    messages = [e["message"] for e in entries]
    assert any("did not finish within" in m for m in messages)
    assert any(m.startswith("Released 1 briefing run") for m in messages)
    assert messages[-1] == "Stopped"


async def test_sigterm_lets_a_post_under_way_finish(db_url, tmp_path):
    async with double_running() as double:
        schedule = await due_schedule(db_url, double.guild_id, CHANNEL)
        double.stall_posts = "after"  # stored by Discord, the answer held back until SIGTERM has come
        async with bot_process(double, tmp_path, db_url, shutdown_grace_seconds="10") as bot:
            await asyncio.wait_for(double.stalled.wait(), START_TIMEOUT)
            bot.process.terminate()
            await bot.wait_for_log("Stopping on a signal")
            double.release_posts()
            assert await bot.wait() == 0
    [run] = await runs_of(db_url, schedule)
    assert run.status is RunStatus.posted and run.message_id is not None
    assert [m.id for m in double.channel_messages(CHANNEL)] == [run.message_id]
    assert not any("Traceback" in line for line in bot.lines)
    logged = [line for line in bot.lines if line.strip()]  # LOG_FORMAT=text, the default: readable lines
    assert not any(line.startswith("{") for line in logged) and any(" INFO    bot.client: " in line for line in logged)


async def test_a_rejected_token_ends_the_bot_with_one_line_and_its_own_exit_code(db_url, tmp_path):
    async with double_running() as double:
        double.rejected_tokens.add("revoked-token")
        async with bot_process(double, tmp_path, db_url, discord_token="revoked-token") as bot:
            assert await bot.wait() == EXIT_TOKEN_REJECTED
    assert bot.lines[-1] == TOKEN_REJECTED
    assert not any("Traceback" in line for line in bot.lines)


async def test_discord_out_of_reach_ends_the_bot_with_one_line_and_its_own_exit_code(db_url, tmp_path):
    async with double_running() as double:
        port = double.port
    bot = await start_bot(port, tmp_path, DATABASE_URL=db_url, DISCORD_TOKEN=TOKEN)  # nothing listens there now
    try:
        assert await bot.wait() == EXIT_DISCORD_UNREACHABLE
    finally:
        await bot.stop()
    assert bot.lines[-1].startswith("Cannot reach Discord (") and "check this machine's network" in bot.lines[-1]
    assert not any("Traceback" in line for line in bot.lines)
