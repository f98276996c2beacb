"""Scheduled briefings end to end: the real bot posts through the double on a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.discord_double.harness import ADMIN, db_settings, running_bot, started_double

START = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)  # a Wednesday, 08:00 in Paris
CHANNEL = 1002


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def control_time(running) -> None:
    """Polls wait milliseconds instead of seconds (the bot was started with the test's clock)."""
    running.bot.scheduler.sleep = lambda seconds: asyncio.sleep(min(seconds, 0.02))


async def until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


@pytest.fixture
async def double(monkeypatch):
    async with started_double(monkeypatch) as double:
        yield double
    assert double.rejections == [], double.rejections


async def schedule_daily(running, clock: Clock) -> None:
    interaction = await running.double.invoke(ADMIN, "briefing schedule", {
        "channel": CHANNEL, "cadence": "daily", "time": "09:00", "timezone": "Europe/Paris", "content": "pillar"})
    await interaction.answered()
    assert "Scheduled **#1**" in interaction.final.text(), interaction.final.text()


async def test_a_due_briefing_posts_once_and_a_restart_posts_nothing_twice(double, db_url, tmp_path):
    settings = db_settings(db_url, tmp_path)
    clock = Clock(START)
    async with running_bot(double, settings, clock=clock) as running:
        control_time(running)
        await schedule_daily(running, clock)
        await asyncio.sleep(0.1)
        assert double.channel_messages(CHANNEL) == []  # not due yet
        clock.now = START + timedelta(hours=1, minutes=1)  # 09:01 in Paris
        await until(lambda: len(double.channel_messages(CHANNEL)) == 1)
        await asyncio.sleep(0.2)
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 1 and "Pillar 1" in posts[0].text()
        assert posts[0].data["flags"] == 0

    async with running_bot(double, settings, sync=False, clock=clock) as restarted:  # same database, same moment
        control_time(restarted)
        await asyncio.sleep(0.3)
        assert len(double.channel_messages(CHANNEL)) == 1
        clock.now += timedelta(days=1)  # the next day's run
        await until(lambda: len(double.channel_messages(CHANNEL)) == 2)
        await asyncio.sleep(0.2)
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 2 and "Pillar 2" in posts[1].text()
    assert double.identifies == 2


async def test_a_429_on_a_post_is_obeyed_and_the_post_arrives_once(double, db_url, tmp_path):
    clock = Clock(START)
    async with running_bot(double, db_settings(db_url, tmp_path), clock=clock) as running:
        control_time(running)
        await schedule_daily(running, clock)
        double.rate_limit_next("POST", rf"/channels/{CHANNEL}/messages", retry_after=0.3)
        clock.now = START + timedelta(hours=1, minutes=1)
        await until(lambda: len(double.channel_messages(CHANNEL)) == 1)
        await asyncio.sleep(0.5)
        assert len(double.channel_messages(CHANNEL)) == 1
        limited = [r for r in double.requests if r[0] == "POST" and r[1].endswith(f"/channels/{CHANNEL}/messages")]
        assert [status for _, _, status in limited] == [429, 200]


async def test_a_channel_answering_403_pauses_its_schedule(double, db_url, tmp_path):
    clock = Clock(START)
    async with running_bot(double, db_settings(db_url, tmp_path), clock=clock) as running:
        control_time(running)
        await schedule_daily(running, clock)
        double.forbidden.add(CHANNEL)  # someone removed the bot's permission in the channel
        clock.now = START + timedelta(hours=1, minutes=1)

        async def paused() -> str:
            listing = await double.invoke(ADMIN, "briefing list", {})
            await listing.answered()
            return listing.final.text()

        for _ in range(100):
            text = await paused()
            if "paused" in text.casefold():
                break
            await asyncio.sleep(0.05)
        assert "paused" in text.casefold() and "403" in text
        assert double.channel_messages(CHANNEL) == []


async def test_the_briefing_cog_starts_the_scheduler_and_stops_it_when_unloaded(double, db_url, tmp_path):
    async with running_bot(double, db_settings(db_url, tmp_path), clock=Clock(START)) as running:
        cog = running.bot.get_cog("Briefing")
        task = cog._scheduler_task
        assert running.bot.scheduler is not None and task is not None and not task.done()
        await running.bot.remove_cog("Briefing")
        assert task.cancelled() and running.bot.scheduler is None


async def _runs(running) -> list:
    from db.briefings import list_runs

    async with running.bot.store.sessions() as session:
        return await list_runs(session, 1)


@pytest.mark.parametrize("killed", ["after Discord stored the post", "before the post reached Discord"])
async def test_a_bot_killed_mid_post_resolves_the_run_on_restart_and_posts_it_exactly_once(
    double, db_url, tmp_path, killed
):
    from db.briefing_models import RunStatus

    settings = db_settings(db_url, tmp_path)
    clock = Clock(START)
    stored_first = killed.startswith("after")
    async with running_bot(double, settings, clock=clock) as running:
        control_time(running)
        await schedule_daily(running, clock)
        double.stall_posts = "after" if stored_first else "before"
        clock.now = START + timedelta(hours=1, minutes=1)
        await asyncio.wait_for(double.stalled.wait(), 10)
        # the bot stops here, between its claim and its record of the post
    double.release_posts(drop=not stored_first)
    assert len(double.channel_messages(CHANNEL)) == (1 if stored_first else 0)

    clock.now += timedelta(minutes=10)  # back within the grace window
    async with running_bot(double, settings, sync=False, clock=clock) as restarted:
        control_time(restarted)
        runs = []

        async def resolved() -> bool:
            runs[:] = await _runs(restarted)
            return bool(runs) and runs[0].status is not RunStatus.claimed

        for _ in range(250):
            if await resolved():
                break
            await asyncio.sleep(0.02)
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 1 and "Pillar 1" in posts[0].text()
        assert runs[0].status is RunStatus.posted and runs[0].message_id == posts[0].id
        history = [r for r in double.requests if r[0] == "GET" and r[1].endswith(f"/channels/{CHANNEL}/messages")]
        assert history, "the restarted bot did not look in the channel"

        clock.now += timedelta(days=1)  # the rotation moved on exactly once
        await until(lambda: len(double.channel_messages(CHANNEL)) == 2)
        await asyncio.sleep(0.2)
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 2 and "Pillar 2" in posts[1].text()
