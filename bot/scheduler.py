"""The briefing scheduler: finds due schedules, claims each run once, posts it, and records what happened.

* Claim first, post second: a run is claimed atomically in the database
  (compare-and-set on `next_run_at`, see `db.briefings.schedules`) before
  anything is sent, so it posts at most once across restarts and processes.
* Downtime: the newest due run posts once if it is no older than the grace
  window; older ones are skipped and logged, never posted in a burst.
* Channel gone or no permission (404 / 403): the schedule is paused with the
  reason, which `/briefing list` shows.
* Discord or network trouble (5xx, timeouts, connection errors): retried with
  backoff. Every attempt of a run sends the same nonce with `enforce_nonce`,
  so if an attempt that seemed to fail did reach Discord, the retry returns
  that message instead of posting a second one. The delays keep all retries
  within Discord's few-minute nonce window.
* The rotation advances only when a post succeeds.
* Shards across processes: a scheduler given `shards` (`BriefingBot.shard_set`) claims,
  and takes over, only the runs of the servers on its process's shards. That process
  has each of those servers cached, so it can check the bot's permissions in the channel
  before posting (Discord would silently drop the embeds of a post without Embed Links),
  which a process without the server cached could not; the claim stays a compare-and-set,
  so even two processes given the same shard never post a run twice.
* A process that dies between claim and record leaves its run "claimed". Each
  claim names its process (host, pid, token) and holds a lease the process
  renews before every attempt; the next scheduler to see the owner gone (its
  pid no longer running on this host, or the lease run out) takes the run over
  and looks for the post in the channel's recent messages: found, it is
  recorded and the rotation moves on; not found, it is posted (same nonce)
  if still within the grace window, and closed as abandoned otherwise.

Time and waiting are injected (`clock`, `sleep`) so tests run a week of
schedules in milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Awaitable, Callable, Protocol

import aiohttp
import discord

from bot.briefing_content import NothingToPost, post_for_schedule
from bot.render.layout import Reply
from db.briefing_models import RunStatus, RunTrigger, ScheduleStatus
from db.briefings import (
    RunClaim,
    RunInfo,
    ShardSet,
    claim_due,
    claimed_runs,
    due_schedules,
    earliest_next_run,
    finish_run,
    pause_for_failure,
    plan_due,
    record_posted,
    recorded_message_ids,
    release_claims,
    renew_lease,
    schedule_status,
    take_over,
)
from db.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_GRACE = timedelta(hours=1)
DEFAULT_POLL_SECONDS = 30.0
RETRY_DELAYS = (5.0, 30.0, 120.0)  # backoff after the 1st, 2nd and 3rd failed attempt; ~2.6 minutes in all
LEASE = timedelta(minutes=5)  # renewed before each attempt: longer than the longest wait between attempts
SEND_TIMEOUT = 30.0
HISTORY_LIMIT = 100  # recent messages searched for a post a stopped process may have made

# What the bot needs in a briefing channel (no kind sends files, so Attach Files is not required).
REQUIRED_PERMISSIONS = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Checking, after a restart, whether a post went out before the bot stopped.
HISTORY_PERMISSION = {"read_message_history": "Read Message History"}


def missing_permissions(permissions: discord.Permissions, needs: dict[str, str] = REQUIRED_PERMISSIONS) -> list[str]:
    """The names of the permissions in `needs` (by default what posting needs) that `permissions` lacks."""
    return [label for name, label in needs.items() if not getattr(permissions, name)]


# -- which process holds a claim ---------------------------------------------------------------------------

_live_owners: set[str] = set()


def new_owner() -> str:
    """A claim owner for this process: "host:pid:token", live until `release`."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    _live_owners.add(owner)
    return owner


def release(owner: str) -> None:
    _live_owners.discard(owner)


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def owner_gone(run: RunInfo, now: datetime, lease: timedelta = LEASE) -> bool:
    """Whether the process that claimed `run` has stopped: its lease ran out, or it no longer runs here."""
    if (run.lease_until or run.claimed_at + lease) < now:
        return True
    host, _, rest = (run.claimed_by or "").partition(":")
    pid, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only its lease tells
    if int(pid) == os.getpid():
        return run.claimed_by not in _live_owners
    return not _pid_running(int(pid))


PROCESS_OWNER = new_owner()  # for runs started outside a scheduler (/briefing post-now)


class PostRefused(Exception):
    """The bot cannot post in the channel, found out before asking Discord (e.g. a permission is missing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Poster(Protocol):
    """Sends one briefing message and returns its id; finds a post made before a restart."""

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int: ...

    async def find(self, channel_id: int, reply: Reply, *, after: int | None, exclude: set[int]) -> int | None:
        """The id of the bot's message `reply` among the channel's recent messages (after `after`), not in `exclude`."""
        ...


def same_post(message: discord.Message, reply: Reply) -> bool:
    return (message.content or "") == (reply.content or "") and [e.title for e in message.embeds] == [
        e.title for e in reply.first
    ]


class DiscordPoster:
    """Posts through the bot's connection: cached channel or a REST fetch, no pings, same nonce per run."""

    def __init__(self, client: discord.Client, *, timeout: float = SEND_TIMEOUT) -> None:
        self.client = client
        self.timeout = timeout

    async def _channel(self, channel_id: int, needs: dict[str, str]) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)  # NotFound / Forbidden when it is gone or hidden
        if not isinstance(channel, discord.abc.Messageable):
            raise PostRefused(f"Channel {channel_id} is not a text channel.")
        me = getattr(getattr(channel, "guild", None), "me", None)  # None when the guild is not cached
        if isinstance(me, discord.Member) and isinstance(channel, discord.abc.GuildChannel):
            missing = missing_permissions(channel.permissions_for(me), needs)
            if missing:
                raise PostRefused(f"The bot lacks {', '.join(missing)} in #{channel.name}.")
        return channel

    async def find(self, channel_id: int, reply: Reply, *, after: int | None, exclude: set[int]) -> int | None:
        channel = await self._channel(channel_id, {**REQUIRED_PERMISSIONS, **HISTORY_PERMISSION})
        me = self.client.user

        async def search() -> int | None:
            start = discord.Object(after) if after else None
            async for message in channel.history(limit=HISTORY_LIMIT, after=start):
                if me is not None and message.author.id == me.id and message.id not in exclude and same_post(message, reply):
                    return message.id
            return None

        return await asyncio.wait_for(search(), timeout=self.timeout)

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int:
        channel = await self._channel(channel_id, REQUIRED_PERMISSIONS)
        message = await asyncio.wait_for(
            channel.send(
                content=reply.content,
                embeds=reply.first,
                files=[a.to_file() for a in reply.files],
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=nonce,
            ),
            timeout=self.timeout,
        )
        return message.id


def is_permanent(error: BaseException) -> bool:
    return isinstance(error, (discord.Forbidden, discord.NotFound, PostRefused))


def is_transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, (asyncio.TimeoutError, aiohttp.ClientError))


def failure_reason(error: BaseException) -> str:
    """Why a schedule was paused, in words an admin can act on."""
    if isinstance(error, PostRefused):
        return error.reason
    if isinstance(error, discord.NotFound):
        said = f"{error.status} {error.text or 'Not Found'}"
        return f"The channel was not found: it was deleted, or the bot can no longer see it (Discord: {said})."
    if isinstance(error, discord.Forbidden):
        said = f"{error.status} {error.text or 'Forbidden'}"
        return (
            "The bot may not post in the channel: it needs View Channel, Send Messages and Embed Links there "
            f"(Discord: {said})."
        )
    return f"{type(error).__name__}: {error}"


def _brief(error: BaseException) -> str:
    if isinstance(error, discord.HTTPException):
        return f"{error.status} {error.text or type(error).__name__}"
    return type(error).__name__ + (f": {error}" if str(error) else "")


@dataclass(frozen=True)
class RunResult:
    run_id: int
    schedule_id: int
    status: RunStatus  # posted, failed or skipped: what the run's row records
    message_id: int | None = None
    label: str = ""
    detail: str = ""
    attempts: int = 0
    paused: bool = False  # it failed for good, and its schedule is paused until an admin resumes it


async def deliver(
    store: Store,
    poster: Poster,
    claim: RunClaim,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = asyncio.sleep,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
    owner: str = PROCESS_OWNER,
    grace: timedelta = DEFAULT_GRACE,
    lease: timedelta = LEASE,
) -> RunResult:
    """Builds and posts a claimed run, retrying transient failures; records the outcome. Never raises for a failed post.

    A run taken over from a stopped process (`claim.recovering`) is first looked for in the
    channel: found, it is recorded as posted; not found, it posts within `grace` of its due time.
    """
    schedule = claim.schedule
    sid, rid = schedule.id, claim.run_id
    on = claim.due_at.astimezone(schedule.timing.zone).date()
    try:
        post = await post_for_schedule(store, schedule, on, manual=claim.trigger is RunTrigger.manual)
    except NothingToPost as error:
        await store.write(schedule.guild_id, finish_run, rid, RunStatus.skipped, f"Nothing to post: {error}.", attempts=0)
        log.warning("Briefing #%d run %d: nothing to post (%s)", sid, rid, error)
        return RunResult(rid, sid, RunStatus.skipped, detail=str(error))
    except Exception as error:
        log.exception("Briefing #%d run %d: could not prepare the post", sid, rid)
        await store.write(schedule.guild_id, finish_run, rid, RunStatus.failed, f"Could not prepare the post ({_brief(error)}).", attempts=0)
        return RunResult(rid, sid, RunStatus.failed, detail=_brief(error))
    if post is None:
        detail = f"Nothing on record for {on.day} {on:%B}; nothing posted."
        await store.write(schedule.guild_id, finish_run, rid, RunStatus.skipped, detail, attempts=0)
        log.info("Briefing #%d run %d: %s", sid, rid, detail)
        return RunResult(rid, sid, RunStatus.skipped, detail=detail)

    delays = iter(retry_delays)
    attempts = 0
    look_first = claim.recovering
    while True:
        attempts += 1
        try:
            await store.write(schedule.guild_id, renew_lease, rid, owner=owner, lease_until=clock() + lease)
            if look_first:
                found = await _find_earlier_post(store, poster, claim, post.reply)
                look_first = False
                if found is not None:
                    await store.write(schedule.guild_id, record_posted, rid, message_id=found, posted_at=clock(), item_key=post.item_key,
                                        attempts=attempts)
                    log.warning("Briefing #%d run %d had been posted (message %d) by a process that stopped before "
                                "recording it; recorded now", sid, rid, found)
                    return RunResult(rid, sid, RunStatus.posted, message_id=found, label=post.label, attempts=attempts)
                unposted = _why_not_post_now(claim, clock(), grace)
                if unposted is not None:
                    status, detail = unposted
                    await store.write(schedule.guild_id, finish_run, rid, status, detail, attempts=attempts)
                    log.warning("Briefing #%d run %d: %s", sid, rid, detail)
                    return RunResult(rid, sid, RunStatus.failed, label=post.label, detail=detail, attempts=attempts)
            message_id = await poster.post(schedule.channel_id, post.reply, nonce=claim.nonce)
        except Exception as error:
            if is_permanent(error):
                reason = failure_reason(error)
                paused = await store.write(schedule.guild_id, pause_for_failure, rid, reason, now=clock(), attempts=attempts)
                if paused:
                    log.warning("Briefing #%d paused: %s", sid, reason)
                else:
                    log.warning("Briefing #%d run %d failed (schedule not active): %s", sid, rid, reason)
                return RunResult(rid, sid, RunStatus.failed, label=post.label, detail=reason, attempts=attempts,
                                 paused=paused)
            if not is_transient(error):
                log.error("Briefing #%d run %d failed: %s", sid, rid, _brief(error), exc_info=error)
                detail = f"Discord rejected the post ({_brief(error)})."
                await store.write(schedule.guild_id, finish_run, rid, RunStatus.failed, detail, attempts=attempts)
                return RunResult(rid, sid, RunStatus.failed, label=post.label, detail=detail, attempts=attempts)
            delay = next(delays, None)
            if delay is None:
                detail = f"Gave up after {attempts} attempt{'s' if attempts > 1 else ''}: {_brief(error)}."
                log.error("Briefing #%d run %d: %s", sid, rid, detail)
                await store.write(schedule.guild_id, finish_run, rid, RunStatus.failed, detail, attempts=attempts)
                return RunResult(rid, sid, RunStatus.failed, label=post.label, detail=detail, attempts=attempts)
            log.warning("Briefing #%d run %d: attempt %d failed (%s); retrying in %.0f s", sid, rid, attempts, _brief(error), delay)
            await sleep(delay)
            if claim.trigger is RunTrigger.scheduled:
                now_status = await store.read(schedule.guild_id, schedule_status, sid)
                if now_status is not ScheduleStatus.active:
                    detail = (f"Not retried: the schedule was {now_status.value if now_status else 'deleted'} "
                              f"after a failed attempt ({_brief(error)}).")
                    await store.write(schedule.guild_id, finish_run, rid, RunStatus.failed, detail, attempts=attempts)
                    return RunResult(rid, sid, RunStatus.failed, label=post.label, detail=detail, attempts=attempts)
            continue
        try:
            await store.write(
                schedule.guild_id, record_posted, rid, message_id=message_id, posted_at=clock(), item_key=post.item_key, attempts=attempts
            )
        except Exception:
            # the post is out; the run stays "claimed" and is closed as interrupted later, never re-posted
            log.exception("Briefing #%d run %d posted as message %d but could not be recorded", sid, rid, message_id)
        log.info("Briefing #%d run %d posted %s to channel %d as message %d", sid, rid, post.label, schedule.channel_id, message_id)
        return RunResult(rid, sid, RunStatus.posted, message_id=message_id, label=post.label, attempts=attempts)


async def _find_earlier_post(store: Store, poster: Poster, claim: RunClaim, reply: Reply) -> int | None:
    """The post a stopped process made for `claim`: the bot's message with this content in the channel,
    newer than the schedule's last recorded post and recorded for no other run."""
    after = claim.schedule.last_message_id
    exclude = await store.read(claim.schedule.guild_id, recorded_message_ids, claim.schedule.channel_id, after)
    return await poster.find(claim.schedule.channel_id, reply, after=after, exclude=exclude)


def _why_not_post_now(claim: RunClaim, now: datetime, grace: timedelta) -> tuple[RunStatus, str] | None:
    """Why a taken-over run that is not in the channel must not be posted now, or None to post it."""
    if now - claim.due_at > grace:
        return RunStatus.abandoned, (
            f"The bot stopped before this post went out; it was due at {claim.due_at:%Y-%m-%d %H:%M} UTC, longer ago "
            "than the grace window, so it was not posted late."
        )
    if claim.trigger is RunTrigger.scheduled and claim.schedule.status is not ScheduleStatus.active:
        return RunStatus.failed, f"The bot stopped before this post went out, and the schedule is now {claim.schedule.status.value}."
    return None


class Scheduler:
    """One task for the whole bot: every poll, claim what is due and post it; each post runs in its own task."""

    def __init__(
        self,
        store: Store,
        poster: Poster,
        *,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
        grace: timedelta = DEFAULT_GRACE,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        lease: timedelta = LEASE,
        shards: ShardSet | None = None,
    ) -> None:
        self.store = store
        self.shards = shards  # None: every server's briefings
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.grace = grace
        self.poll_seconds = poll_seconds
        self.retry_delays = retry_delays
        self.lease = lease
        self.owner = new_owner()
        self.accepting = True  # False once the process is stopping: nothing more is claimed
        self._posting: set[asyncio.Task[RunResult]] = set()

    async def claim_due(self) -> list[RunClaim]:
        """Claims every due run this process wins; skips (and logs) runs older than the grace window."""
        now = self.clock()
        claims = await self.take_over_orphans(now)
        due = await self.store.read(None, due_schedules, now, self.shards)
        for schedule in due:
            plan = plan_due(schedule.timing, schedule.next_run_at, now, self.grace)
            if plan is None:
                continue
            result = await self.store.write(
                schedule.guild_id, claim_due, schedule.id, plan, now=now, owner=self.owner, lease_until=now + self.lease
            )
            if not result.won:
                log.debug("Briefing #%d: run already claimed elsewhere", schedule.id)
                continue
            if plan.missed:
                log.warning(
                    "Briefing #%d: skipped %d missed run(s) from %s to %s (older than the %s grace window)",
                    schedule.id, plan.missed, plan.first_missed, plan.last_missed, self.grace,
                )
            if result.claim is not None:
                claims.append(result.claim)
        return claims

    async def take_over_orphans(self, now: datetime) -> list[RunClaim]:
        """Runs left claimed by a process that is gone, now this scheduler's to resolve."""
        claimed = await self.store.read(None, claimed_runs, self.shards)
        orphans = [r for r in claimed if r.claimed_by != self.owner and owner_gone(r, now, self.lease)]
        claims = []
        for run in orphans:
            claim = await self.store.write(None, take_over, run, owner=self.owner, lease_until=now + self.lease)
            if claim is not None:
                log.warning("Briefing #%d run %d was left claimed by %s, which has stopped; resolving it",
                            run.schedule_id, run.id, run.claimed_by or "an earlier version of the bot")
                claims.append(claim)
        return claims

    async def deliver(self, claim: RunClaim) -> RunResult:
        try:
            return await deliver(
                self.store, self.poster, claim, clock=self.clock, sleep=self.sleep, retry_delays=self.retry_delays,
                owner=self.owner, grace=self.grace, lease=self.lease,
            )
        except Exception as error:  # the database failed while recording an outcome: log it, keep the scheduler going
            log.exception("Briefing #%d run %d: could not record the outcome", claim.schedule.id, claim.run_id)
            return RunResult(claim.run_id, claim.schedule.id, RunStatus.failed, detail=_brief(error))

    async def tick(self) -> list[RunResult]:
        """Claims what is due and posts it, waiting for every post (retries included) to finish."""
        claims = await self.claim_due()
        return list(await asyncio.gather(*(self.deliver(c) for c in claims)))

    async def _seconds_to_next(self) -> float:
        earliest = await self.store.read(None, earliest_next_run, self.shards)
        if earliest is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(1.0, (earliest - self.clock()).total_seconds()))

    async def run_forever(self) -> None:
        """Polls until cancelled; a failing poll is logged and retried, never fatal."""
        log.info("Briefing scheduler running (grace %s, poll %.0f s)", self.grace, self.poll_seconds)
        while True:
            delay = self.poll_seconds
            try:
                claims = await self.claim_due() if self.accepting else []
                if not self.accepting:  # the process began stopping during this poll: `stop` releases them
                    claims = []
                for claim in claims:
                    task = asyncio.create_task(self.deliver(claim), name=f"briefing-run-{claim.run_id}")
                    self._posting.add(task)
                    task.add_done_callback(self._posting.discard)
                delay = await self._seconds_to_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Briefing scheduler poll failed; trying again in %.0f s", delay)
            await self.sleep(delay)

    def posts_under_way(self) -> set[asyncio.Task[RunResult]]:
        return {t for t in self._posting if not t.done()}

    def stop_claiming(self) -> None:
        """The process is stopping: `run_forever` claims nothing more (the posts under way go on)."""
        self.accepting = False

    async def stop(self) -> None:
        """Stops any post under way (whoever runs `run_forever` cancels it) and releases this scheduler's claims.

        A cancelled post may or may not have reached Discord, so its run stays claimed, with its
        lease ended: the next scheduler (in another process at once) takes it over, looks for the
        post in the channel and posts it only if it is not there; a run is never posted twice.
        """
        self.accepting = False
        tasks = self.posts_under_way()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        release(self.owner)
        try:
            released = await self.store.write(None, release_claims, [self.owner], now=self.clock())
        except Exception:  # stopping goes on: the lease runs out by itself
            log.exception("Could not release the briefing runs this process had claimed")
            return
        if released:
            log.info("Released %d briefing run(s) this process had claimed, for another process to take over", released)
