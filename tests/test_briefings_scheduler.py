"""The scheduler on a real SQLite store with a controllable clock: posts once, survives restarts, handles failures."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import discord
import pytest
from sqlalchemy import select

from bot.render.layout import Reply
from bot.scheduler import Scheduler, owner_gone, release
from db.briefing_models import BriefingSchedule, Cadence, ContentKind, RunStatus, ScheduleStatus
from db.briefings import Timing, create_schedule, get_schedule, list_runs, set_status
from db.store import Store, open_store
from tests.discord_double.harness import FakeClock
from tests.payloads import message_problems

GUILD = 1_000_000_000_000_002
CHANNEL = 1_000_000_000_000_020
PARIS = "Europe/Paris"


# -- test doubles: a poster that records (the clock is the harness's FakeClock) -----------------------


class FakeResponse:
    """What discord.HTTPException reads from an aiohttp response."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason


def not_found() -> discord.NotFound:
    return discord.NotFound(FakeResponse(404, "Not Found"), {"code": 10003, "message": "Unknown Channel"})


def forbidden() -> discord.Forbidden:
    return discord.Forbidden(FakeResponse(403, "Forbidden"), {"code": 50013, "message": "Missing Permissions"})


def server_error(status: int = 503) -> discord.DiscordServerError:
    return discord.DiscordServerError(FakeResponse(status, "Service Unavailable"), {"code": 0, "message": "upstream"})


@dataclass
class Sent:
    channel_id: int
    reply: Reply
    nonce: str
    message_id: int
    at: datetime | None


@dataclass
class RecordingPoster:
    """Records every post; `failures` are raised, one per attempt, before posts start succeeding."""

    failures: list[BaseException | None] = field(default_factory=list)
    always_fail: BaseException | None = None
    clock: FakeClock | None = None
    sent: list[Sent] = field(default_factory=list)
    attempts: list[tuple[int, str]] = field(default_factory=list)
    next_id: int = 5_000_000_000_000_000

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int:
        self.attempts.append((channel_id, nonce))
        if self.always_fail is not None:
            raise self.always_fail
        if self.failures:
            error = self.failures.pop(0)
            if error is not None:
                raise error
        assert reply.content and message_problems(reply.content, reply.first) == []
        self.next_id += 1
        self.sent.append(Sent(channel_id, reply, nonce, self.next_id, self.clock() if self.clock else None))
        return self.next_id

    async def find(self, channel_id: int, reply: Reply, *, after: int | None, exclude: set[int]) -> int | None:
        """As the channel's history would show it: the posts made, newer than `after`."""
        for sent in self.sent:
            if (sent.channel_id == channel_id and (after is None or sent.message_id > after)
                    and sent.message_id not in exclude and sent.reply.content == reply.content
                    and [e.title for e in sent.reply.first] == [e.title for e in reply.first]):
                return sent.message_id
        return None

    @property
    def titles(self) -> list[str]:
        return [s.reply.first[0].title or "" for s in self.sent]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def add_schedule(
    store: Store, now: datetime, *, content: ContentKind = ContentKind.pillar, timing: Timing | None = None,
    channel_id: int = CHANNEL,
) -> int:
    info = await store.write(
        None,
        create_schedule,
        guild_id=GUILD,
        channel_id=channel_id,
        timing=timing or Timing(Cadence.daily, 9, 0, PARIS),
        content=content,
        created_by=1,
        created_by_name="tester",
        now=now,
    )
    return info.id


async def schedule(store: Store, schedule_id: int):
    async with store.sessions() as session:
        return await get_schedule(session, schedule_id)


async def runs(store: Store, schedule_id: int):
    async with store.sessions() as session:
        return await list_runs(session, schedule_id)


def scheduler(store: Store, clock: FakeClock, poster: RecordingPoster, **kwargs) -> Scheduler:
    return Scheduler(store, poster, clock=clock, sleep=clock.sleep, **kwargs)


# Monday 6 May 2024; the daily 09:00 Paris run is at 07:00 UTC (CEST).
MONDAY = utc(2024, 5, 6, 6)
NINE = utc(2024, 5, 6, 7)


# -- posting once ------------------------------------------------------------------------------------


async def test_a_due_run_posts_once_and_records_the_message(store):
    clock = FakeClock(MONDAY)
    poster = RecordingPoster(clock=clock)
    sid = await add_schedule(store, clock())
    sched = scheduler(store, clock, poster)

    assert await sched.tick() == []  # 08:00 local: not due
    clock.set(NINE + timedelta(seconds=20))
    [result] = await sched.tick()
    assert result.status == "posted" and result.attempts == 1
    assert await sched.tick() == []  # the same run never posts twice
    assert len(poster.sent) == 1 and poster.sent[0].channel_id == CHANNEL
    assert poster.sent[0].reply.content.startswith("📣 **Daily RtoP briefing · Pillar explainer**")
    assert "Sources:" in poster.sent[0].reply.first[0].footer.text

    info = await schedule(store, sid)
    assert info.last_message_id == poster.sent[0].message_id and info.last_posted_at == clock()
    assert info.rotation_key == "1" and info.posts_count == 1
    assert info.next_run_at == utc(2024, 5, 7, 7)
    [run] = await runs(store, sid)
    assert (run.status, run.due_at, run.message_id, run.attempts) == (RunStatus.posted, NINE, poster.sent[0].message_id, 1)


async def test_restart_mid_schedule_posts_nothing_twice(db_url):
    clock = FakeClock(NINE + timedelta(seconds=5))
    first = await open_store(db_url)
    sid = await add_schedule(first, MONDAY)
    poster = RecordingPoster(clock=clock)
    assert [r.status for r in await scheduler(first, clock, poster).tick()] == ["posted"]
    await first.close()  # the bot restarts

    clock.advance(minutes=2)
    second = await open_store(db_url)
    restarted = scheduler(second, clock, poster)
    assert await restarted.tick() == []
    clock.set(utc(2024, 5, 7, 7, 0, 30))
    assert [r.status for r in await restarted.tick()] == ["posted"]
    assert await restarted.tick() == []
    assert [(r.status, r.due_at) for r in await runs(second, sid)] == [
        (RunStatus.posted, NINE), (RunStatus.posted, utc(2024, 5, 7, 7))
    ]
    await second.close()
    assert poster.titles == ["Pillar 1: The protection responsibilities of the State",
                             "Pillar 2: International assistance and capacity-building"]
    assert len({s.nonce for s in poster.sent}) == 2


class DyingPoster(RecordingPoster):
    """Discord accepts the post, then the process dies before it hears back (or, with `before`, before it sends)."""

    before: bool = False

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int:
        if not self.before:
            await super().post(channel_id, reply, nonce=nonce)
        raise asyncio.CancelledError  # what a kill looks like from inside: nothing after this line runs


async def _die_mid_post(store: Store, clock: FakeClock, poster: RecordingPoster) -> Scheduler:
    first = scheduler(store, clock, poster)
    [claim] = await first.claim_due()
    with pytest.raises(asyncio.CancelledError):
        await first.deliver(claim)
    return first


async def test_a_run_left_claimed_by_a_stopped_process_posts_once_within_the_grace_window(db_url, caplog):
    clock = FakeClock(NINE + timedelta(seconds=5))
    first_store = await open_store(db_url)
    sid = await add_schedule(first_store, MONDAY)
    dying = DyingPoster(clock=clock)
    dying.before = True
    first = await _die_mid_post(first_store, clock, dying)
    await first_store.close()

    second = await open_store(db_url)
    poster = RecordingPoster(clock=clock)
    restarted = scheduler(second, clock, poster)
    clock.advance(minutes=1)
    assert await restarted.tick() == []  # its owner may still be at it (same process, still live, lease running)
    release(first.owner)  # the first scheduler's process is gone
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        [result] = await restarted.tick()
    assert result.status == "posted" and any("which has stopped" in r.getMessage() for r in caplog.records)
    assert await restarted.tick() == []
    [sent] = poster.sent
    assert sent.nonce == "rtop-run-1" and sent.reply.first[0].title.startswith("Pillar 1")
    info = await schedule(second, sid)
    assert (info.rotation_key, info.posts_count, info.last_message_id) == ("1", 1, sent.message_id)
    [run] = await runs(second, sid)
    assert run.status is RunStatus.posted and run.message_id == sent.message_id
    await second.close()


async def test_a_run_posted_before_the_process_stopped_is_recorded_not_posted_again(db_url):
    clock = FakeClock(NINE + timedelta(seconds=5))
    first_store = await open_store(db_url)
    sid = await add_schedule(first_store, MONDAY)
    channel = DyingPoster(clock=clock)  # its `sent` is the channel's history
    await _die_mid_post(first_store, clock, channel)
    await first_store.close()
    assert len(channel.sent) == 1

    second = await open_store(db_url)
    alive = RecordingPoster(clock=clock, sent=channel.sent, next_id=channel.next_id)
    restarted = scheduler(second, clock, alive)
    clock.advance(minutes=6)  # past the lease: found gone even without a process check
    [result] = await restarted.tick()
    assert result.status == "posted" and result.message_id == channel.sent[0].message_id
    assert len(alive.sent) == 1  # not posted again
    info = await schedule(second, sid)
    assert (info.rotation_key, info.posts_count) == ("1", 1)  # the rotation moved on exactly once
    clock.set(utc(2024, 5, 7, 7, 0, 30))
    assert [r.status for r in await restarted.tick()] == ["posted"]
    assert alive.titles[1].startswith("Pillar 2")
    await second.close()


async def test_a_run_left_claimed_past_the_grace_window_is_abandoned_unless_it_went_out(db_url):
    clock = FakeClock(NINE + timedelta(seconds=5))
    first_store = await open_store(db_url)
    sid = await add_schedule(first_store, MONDAY)
    dying = DyingPoster(clock=clock)
    dying.before = True
    first = await _die_mid_post(first_store, clock, dying)
    release(first.owner)
    await first_store.close()

    second = await open_store(db_url)
    poster = RecordingPoster(clock=clock)
    clock.advance(hours=2)  # longer than the hour of grace
    [result] = await scheduler(second, clock, poster).tick()
    assert result.status == "failed" and poster.sent == []
    [run] = await runs(second, sid)
    assert run.status is RunStatus.abandoned and "grace window" in run.detail
    info = await schedule(second, sid)
    assert (info.rotation_key, info.posts_count) == (None, 0)
    await second.close()


def test_a_claim_owner_is_gone_when_its_process_no_longer_runs_or_its_lease_ran_out():
    import os
    import socket
    import subprocess
    import sys

    from db.briefings import RunInfo
    from db.briefing_models import RunTrigger

    def claimed(owner: str | None, lease_until: datetime | None) -> RunInfo:
        return RunInfo(1, 1, RunTrigger.scheduled, NINE, NINE, RunStatus.claimed, None, None, None, 0, None,
                       owner, lease_until)

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process of this host that has ended
    host, lease = socket.gethostname(), NINE + timedelta(minutes=5)
    now = NINE + timedelta(minutes=1)
    assert owner_gone(claimed(f"{host}:{child.pid}:ab12", lease), now)
    assert not owner_gone(claimed(f"{host}:{os.getppid()}:ab12", lease), now)  # still running
    assert not owner_gone(claimed(f"elsewhere:{child.pid}:ab12", lease), now)  # another host: only the lease tells
    assert owner_gone(claimed(f"elsewhere:{child.pid}:ab12", lease), lease + timedelta(seconds=1))
    assert not owner_gone(claimed(None, None), now) and owner_gone(claimed(None, None), now + timedelta(minutes=5))


async def test_two_processes_on_one_database_post_each_run_once(db_url):
    clock = FakeClock(MONDAY)
    one = await open_store(db_url)
    two = await open_store(db_url)
    ids = [await add_schedule(one, MONDAY, content=kind) for kind in
           (ContentKind.pillar, ContentKind.dialogue, ContentKind.theme, ContentKind.state)]
    poster_one, poster_two = RecordingPoster(clock=clock), RecordingPoster(clock=clock)
    a, b = scheduler(one, clock, poster_one), scheduler(two, clock, poster_two)
    for day in range(3):
        clock.set(NINE + timedelta(days=day, seconds=1))
        await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    sent = poster_one.sent + poster_two.sent
    assert len(sent) == 12 and len({s.nonce for s in sent}) == 12
    for sid in ids:
        assert [r.status for r in await runs(one, sid)] == [RunStatus.posted] * 3
    await one.close()
    await two.close()


# -- downtime -------------------------------------------------------------------------------------


async def test_a_run_missed_by_less_than_the_grace_window_posts_once_on_recovery(store):
    clock = FakeClock(MONDAY)
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(clock=clock)
    clock.set(NINE + timedelta(minutes=40))  # the bot was down at 09:00 and is back at 09:40
    results = await scheduler(store, clock, poster, grace=timedelta(hours=1)).tick()
    assert [r.status for r in results] == ["posted"] and len(poster.sent) == 1
    [run] = await runs(store, sid)
    assert run.due_at == NINE and run.status is RunStatus.posted


async def test_missed_runs_older_than_the_grace_window_are_skipped_and_logged(store, caplog):
    clock = FakeClock(MONDAY)
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(clock=clock)
    clock.set(utc(2024, 5, 9, 9))  # back on Thursday at 11:00 local: Mon–Thu runs are all too old
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert await scheduler(store, clock, poster).tick() == []
    assert poster.sent == []
    assert any("skipped 4 missed run(s)" in r.getMessage() for r in caplog.records)
    [run] = await runs(store, sid)
    assert run.status is RunStatus.missed and run.due_at == NINE and "4 run(s) missed" in run.detail
    info = await schedule(store, sid)
    assert info.next_run_at == utc(2024, 5, 10, 7) and info.rotation_key is None


async def test_after_a_long_outage_only_the_newest_run_within_grace_posts(store):
    clock = FakeClock(MONDAY)
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(clock=clock)
    clock.set(utc(2024, 5, 9, 7, 30))  # Thursday 09:30 local
    results = await scheduler(store, clock, poster).tick()
    assert [r.status for r in results] == ["posted"] and len(poster.sent) == 1  # no burst
    statuses = [(r.status, r.due_at) for r in await runs(store, sid)]
    assert statuses == [(RunStatus.missed, NINE), (RunStatus.posted, utc(2024, 5, 9, 7))]


# -- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, words",
    [(not_found, ["channel was not found", "404", "Unknown Channel"]), (forbidden, ["may not post", "403", "Missing Permissions"])],
    ids=["deleted-channel", "no-permission"],
)
async def test_a_lost_channel_pauses_the_schedule_with_the_reason(store, caplog, error, words):
    clock = FakeClock(NINE + timedelta(seconds=3))
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(always_fail=error(), clock=clock)
    sched = scheduler(store, clock, poster)
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        [result] = await sched.tick()
    assert result.status == "failed" and result.paused and len(poster.attempts) == 1  # not retried
    info = await schedule(store, sid)
    assert info.status is ScheduleStatus.paused and info.paused_at == clock()
    assert all(w in info.pause_reason for w in words)
    assert info.rotation_key is None and info.posts_count == 0
    assert any(f"Briefing #{sid} paused" in r.getMessage() for r in caplog.records)
    [run] = await runs(store, sid)
    assert run.status is RunStatus.failed and run.detail == info.pause_reason

    clock.advance(days=3)  # paused schedules never run
    assert await sched.tick() == [] and len(poster.attempts) == 1


async def test_transient_failures_are_retried_with_backoff_and_the_same_nonce(store):
    clock = FakeClock(NINE + timedelta(seconds=3))
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(failures=[server_error(503), asyncio.TimeoutError()], clock=clock)
    [result] = await scheduler(store, clock, poster, retry_delays=(5.0, 30.0, 120.0)).tick()
    assert result.status == "posted" and result.attempts == 3
    assert clock.slept == [5.0, 30.0]
    assert len(poster.sent) == 1 and len({nonce for _, nonce in poster.attempts}) == 1  # Discord dedupes on it
    [run] = await runs(store, sid)
    assert run.status is RunStatus.posted and run.attempts == 3
    assert (await schedule(store, sid)).rotation_key == "1"


async def test_exhausted_retries_fail_the_run_but_keep_the_schedule_and_rotation(store):
    clock = FakeClock(NINE + timedelta(seconds=3))
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(always_fail=server_error(502), clock=clock)
    sched = scheduler(store, clock, poster, retry_delays=(1.0, 2.0))
    [result] = await sched.tick()
    assert result.status == "failed" and "Gave up after 3 attempts" in result.detail
    info = await schedule(store, sid)
    assert info.status is ScheduleStatus.active and info.rotation_key is None
    assert info.next_run_at == utc(2024, 5, 7, 7)


async def test_the_rotation_advances_only_when_a_post_succeeds(store):
    clock = FakeClock(MONDAY)
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(clock=clock)
    sched = scheduler(store, clock, poster, retry_delays=())
    outcomes = []
    for day, fail in enumerate([False, True, False, True, False, False]):
        clock.set(NINE + timedelta(days=day, seconds=1))
        poster.always_fail = server_error() if fail else None
        [result] = await sched.tick()
        outcomes.append(result.status)
        if fail:
            poster.always_fail = None
    assert outcomes == ["posted", "failed", "posted", "failed", "posted", "posted"]
    assert [t.split(":")[0] for t in poster.titles] == ["Pillar 1", "Pillar 2", "Pillar 3", "Pillar 1"]
    assert (await schedule(store, sid)).rotation_key == "1"


async def test_pausing_during_a_retry_stops_the_retries(store):
    clock = FakeClock(NINE + timedelta(seconds=3))
    sid = await add_schedule(store, MONDAY)
    poster = RecordingPoster(always_fail=server_error(), clock=clock)

    async def sleep_then_pause(seconds: float) -> None:
        await clock.sleep(seconds)
        await store.write(None, set_status, sid, ScheduleStatus.paused, now=clock(), reason="Paused by an admin.")

    sched = Scheduler(store, poster, clock=clock, sleep=sleep_then_pause, retry_delays=(5.0, 30.0))
    [result] = await sched.tick()
    assert result.status == "failed" and "Not retried: the schedule was paused" in result.detail
    assert len(poster.attempts) == 1


async def test_a_rejected_post_fails_without_retrying_or_pausing(store):
    clock = FakeClock(NINE + timedelta(seconds=3))
    sid = await add_schedule(store, MONDAY)
    bad_request = discord.HTTPException(FakeResponse(400, "Bad Request"), {"code": 50035, "message": "Invalid Form Body"})
    poster = RecordingPoster(always_fail=bad_request, clock=clock)
    [result] = await scheduler(store, clock, poster).tick()
    assert result.status == "failed" and "400" in result.detail and len(poster.attempts) == 1
    assert (await schedule(store, sid)).status is ScheduleStatus.active


# -- content over time -----------------------------------------------------------------------------


async def test_on_this_day_posts_on_anniversaries_and_stays_silent_otherwise(store):
    start = utc(2024, 9, 5, 12)
    clock = FakeClock(start)
    sid = await add_schedule(store, start, content=ContentKind.on_this_day, timing=Timing(Cadence.daily, 8, 0, PARIS))
    poster = RecordingPoster(clock=clock)
    sched = scheduler(store, clock, poster)
    statuses = []
    for day in (6, 7, 8):  # 6 Sep: 2016 and 2017 dialogues; 7 Sep: nothing; 8 Sep: 2014 and 2015 dialogues
        clock.set(utc(2024, 9, day, 6, 0, 10))
        statuses += [r.status for r in await sched.tick()]
    assert statuses == ["posted", "skipped", "posted"]
    assert poster.titles == ["On this day — 6 September", "On this day — 8 September"]
    text = "\n".join(f.value for f in poster.sent[1].reply.first[0].fields)
    assert "2014" in text and "2015" in text and "10 years ago" in text
    skipped = [r for r in await runs(store, sid) if r.status is RunStatus.skipped]
    assert len(skipped) == 1 and "7 September" in skipped[0].detail


async def test_run_forever_drives_a_week_of_schedules_with_fake_time(store):
    start = utc(2024, 3, 27, 12)  # Wednesday; Paris moves to summer time on Sunday 31 March
    clock = FakeClock(start)
    daily = await add_schedule(store, start, content=ContentKind.pillar, timing=Timing(Cadence.daily, 9, 0, PARIS))
    weekly = await add_schedule(
        store, start, content=ContentKind.theme, timing=Timing(Cadence.weekly, 18, 30, "Australia/Sydney", weekday=0)
    )
    poster = RecordingPoster(clock=clock)
    stop_at = start + timedelta(days=7)

    async def sleep(seconds: float) -> None:
        # posts take milliseconds in real life: let the ones under way finish before time moves on
        await asyncio.gather(*sched._posting)
        if clock() >= stop_at:
            raise asyncio.CancelledError
        await clock.sleep(seconds)

    sched = Scheduler(store, poster, clock=clock, sleep=sleep, poll_seconds=6 * 3600)
    with pytest.raises(asyncio.CancelledError):
        await sched.run_forever()

    daily_posts = [s.at for s in poster.sent if s.reply.content.startswith("📣 **Daily")]
    weekly_posts = [s.at for s in poster.sent if s.reply.content.startswith("📣 **Weekly")]
    assert len(daily_posts) + len(weekly_posts) == len(poster.sent)
    paris = [at.astimezone(Timing(Cadence.daily, 9, 0, PARIS).zone) for at in daily_posts]
    assert [p.day for p in paris] == [28, 29, 30, 31, 1, 2, 3]
    assert all((p.hour, p.minute) == (9, 0) for p in paris)  # on time, before and after the change
    assert weekly_posts == [utc(2024, 4, 1, 7, 30)]  # Monday 18:30 in Sydney (AEDT)
    assert max(clock.slept) <= 6 * 3600
    assert (await schedule(store, daily)).posts_count == 7
    assert (await schedule(store, weekly)).posts_count == 1


async def test_resuming_skips_what_fell_while_paused(store):
    clock = FakeClock(MONDAY)
    sid = await add_schedule(store, MONDAY)
    await store.write(None, set_status, sid, ScheduleStatus.paused, now=clock(), reason="Paused by an admin.")
    clock.set(utc(2024, 5, 8, 12))
    poster = RecordingPoster(clock=clock)
    assert await scheduler(store, clock, poster).tick() == []
    resumed = await store.write(None, set_status, sid, ScheduleStatus.active, now=clock(), only_from=(ScheduleStatus.paused,))
    assert resumed.next_run_at == utc(2024, 5, 9, 7) and resumed.pause_reason is None
    async with store.sessions() as session:
        row = await session.scalar(select(BriefingSchedule).where(BriefingSchedule.id == sid))
        assert row.status is ScheduleStatus.active
    assert await scheduler(store, clock, poster).tick() == [] and poster.sent == []
