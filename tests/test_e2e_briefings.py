"""Scheduled briefings end to end: the real bot posts through the double on a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.discord_double.harness import ADMIN, FakeClock, Polls, db_settings, running_bot, until

START = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)  # a Wednesday, 08:00 in Paris
CHANNEL = 1002


async def schedule_daily(running) -> None:
    interaction = await running.double.invoke(ADMIN, "briefing schedule", {
        "channel": CHANNEL, "cadence": "daily", "time": "09:00", "timezone": "Europe/Paris", "content": "pillar"})
    await interaction.answered()
    assert "Scheduled **#1**" in interaction.final.text(), interaction.final.text()


async def test_a_due_briefing_posts_once_and_a_restart_posts_nothing_twice(double, db_url, tmp_path):
    settings = db_settings(db_url, tmp_path)
    clock = FakeClock(START)
    async with running_bot(double, settings, clock=clock) as running:
        polls = Polls(running)
        await schedule_daily(running)
        await polls.settled()
        assert double.channel_messages(CHANNEL) == []  # not due yet
        clock.now = START + timedelta(hours=1, minutes=1)  # 09:01 in Paris
        await until(lambda: len(double.channel_messages(CHANNEL)) == 1, what="the post")
        await polls.settled()
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 1 and "Pillar 1" in posts[0].text()
        assert posts[0].data["flags"] == 0

    async with running_bot(double, settings, sync=False, clock=clock) as restarted:  # same database, same moment
        polls = Polls(restarted)
        await polls.settled()
        assert len(double.channel_messages(CHANNEL)) == 1
        clock.now += timedelta(days=1)  # the next day's run
        await until(lambda: len(double.channel_messages(CHANNEL)) == 2, what="the next day's post")
        await polls.settled()
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 2 and "Pillar 2" in posts[1].text()
    assert double.identifies == 2


async def test_a_429_on_a_post_is_obeyed_and_the_post_arrives_once(double, db_url, tmp_path):
    clock = FakeClock(START)
    async with running_bot(double, db_settings(db_url, tmp_path), clock=clock) as running:
        polls = Polls(running)
        await schedule_daily(running)
        double.rate_limit_next("POST", rf"/channels/{CHANNEL}/messages", retry_after=0.3)
        clock.now = START + timedelta(hours=1, minutes=1)
        await until(lambda: len(double.channel_messages(CHANNEL)) == 1, what="the post after the 429")
        await polls.settled()
        assert len(double.channel_messages(CHANNEL)) == 1
        limited = [r for r in double.requests if r[0] == "POST" and r[1].endswith(f"/channels/{CHANNEL}/messages")]
        assert [status for _, _, status in limited] == [429, 200]


async def test_a_channel_answering_403_pauses_its_schedule(double, db_url, tmp_path):
    clock = FakeClock(START)
    async with running_bot(double, db_settings(db_url, tmp_path), clock=clock) as running:
        polls = Polls(running)
        await schedule_daily(running)
        double.forbidden.add(CHANNEL)  # someone removed the bot's permission in the channel
        clock.now = START + timedelta(hours=1, minutes=1)
        await polls.settled()  # the due run was tried, refused and recorded
        listing = await double.invoke(ADMIN, "briefing list", {})
        await listing.answered()
        text = listing.final.text()
        assert "paused" in text.casefold() and "403" in text
        assert double.channel_messages(CHANNEL) == []


async def test_the_briefing_cog_starts_the_scheduler_and_stops_it_when_unloaded(double, db_url, tmp_path):
    async with running_bot(double, db_settings(db_url, tmp_path), clock=FakeClock(START)) as running:
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
    clock = FakeClock(START)
    stored_first = killed.startswith("after")
    async with running_bot(double, settings, clock=clock) as running:
        Polls(running)
        await schedule_daily(running)
        double.stall_posts = "after" if stored_first else "before"
        clock.now = START + timedelta(hours=1, minutes=1)
        await asyncio.wait_for(double.stalled.wait(), 10)
        # the bot stops here, between its claim and its record of the post
    double.release_posts(drop=not stored_first)
    assert len(double.channel_messages(CHANNEL)) == (1 if stored_first else 0)

    clock.now += timedelta(minutes=10)  # back within the grace window
    async with running_bot(double, settings, sync=False, clock=clock) as restarted:
        polls = Polls(restarted)
        await polls.settled()  # it took the orphaned run over and resolved it
        runs = await _runs(restarted)
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 1 and "Pillar 1" in posts[0].text()
        assert runs[0].status is RunStatus.posted and runs[0].message_id == posts[0].id
        history = [r for r in double.requests if r[0] == "GET" and r[1].endswith(f"/channels/{CHANNEL}/messages")]
        assert history, "the restarted bot did not look in the channel"

        clock.now += timedelta(days=1)  # the rotation moved on exactly once
        await until(lambda: len(double.channel_messages(CHANNEL)) == 2, what="the next day's post")
        await polls.settled()
        posts = double.channel_messages(CHANNEL)
        assert len(posts) == 2 and "Pillar 2" in posts[1].text()
