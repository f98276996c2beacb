"""The briefing scheduler: finds due schedules, claims each run once, posts it, and records what happened.

* RunClaim first, post second: a run is claimed atomically in the database
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

Time and waiting are injected (`clock`, `sleep`) so tests run a week of
schedules in milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
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
    abandon_stale_claims,
    claim_due,
    due_schedules,
    earliest_next_run,
    finish_run,
    pause_for_failure,
    plan_due,
    record_posted,
    schedule_status,
)
from db.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_GRACE = timedelta(hours=1)
DEFAULT_POLL_SECONDS = 30.0
RETRY_DELAYS = (5.0, 30.0, 120.0)  # backoff after the 1st, 2nd and 3rd failed attempt; ~2.6 minutes in all
STALE_AFTER = timedelta(minutes=30)  # a run still "claimed" this long after its claim was interrupted
SEND_TIMEOUT = 30.0

# What the bot needs in a briefing channel (no kind sends files, so Attach Files is not required).
REQUIRED_PERMISSIONS = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """The names of the permissions briefings need that `permissions` lacks."""
    return [label for name, label in REQUIRED_PERMISSIONS.items() if not getattr(permissions, name)]


class PostRefused(Exception):
    """The bot cannot post in the channel, found out before asking Discord (e.g. a permission is missing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Poster(Protocol):
    """Sends one briefing message; returns its id."""

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int: ...


class DiscordPoster:
    """Posts through the bot's connection: cached channel or a REST fetch, no pings, same nonce per run."""

    def __init__(self, client: discord.Client, *, timeout: float = SEND_TIMEOUT) -> None:
        self.client = client
        self.timeout = timeout

    async def post(self, channel_id: int, reply: Reply, *, nonce: str) -> int:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)  # NotFound / Forbidden when it is gone or hidden
        if not isinstance(channel, discord.abc.Messageable):
            raise PostRefused(f"Channel {channel_id} is not a text channel.")
        me = getattr(getattr(channel, "guild", None), "me", None)  # None when the guild is not cached
        if isinstance(me, discord.Member) and isinstance(channel, discord.abc.GuildChannel):
            missing = missing_permissions(channel.permissions_for(me))
            if missing:
                raise PostRefused(f"The bot lacks {', '.join(missing)} in #{channel.name}.")
        message = await asyncio.wait_for(
            channel.send(
                content=reply.content,
                embeds=reply.first,
                files=[a.to_file() for a in reply.files] or None,
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
    status: str  # posted | paused | failed | skipped
    message_id: int | None = None
    label: str = ""
    detail: str = ""
    attempts: int = 0


async def deliver(
    store: Store,
    poster: Poster,
    claim: RunClaim,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = asyncio.sleep,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
) -> RunResult:
    """Builds and posts a claimed run, retrying transient failures; records the outcome. Never raises for a failed post."""
    schedule = claim.schedule
    sid, rid = schedule.id, claim.run_id
    on = claim.due_at.astimezone(schedule.timing.zone).date()
    try:
        post = await post_for_schedule(store, schedule, on, manual=claim.trigger is RunTrigger.manual)
    except NothingToPost as error:
        await finish_run(store.sessions, rid, RunStatus.skipped, f"Nothing to post: {error}.", attempts=0)
        log.warning("Briefing #%d run %d: nothing to post (%s)", sid, rid, error)
        return RunResult(rid, sid, "skipped", detail=str(error))
    except Exception as error:
        log.exception("Briefing #%d run %d: could not prepare the post", sid, rid)
        await finish_run(store.sessions, rid, RunStatus.failed, f"Could not prepare the post ({_brief(error)}).", attempts=0)
        return RunResult(rid, sid, "failed", detail=_brief(error))
    if post is None:
        detail = f"Nothing on record for {on.day} {on:%B}; nothing posted."
        await finish_run(store.sessions, rid, RunStatus.skipped, detail, attempts=0)
        log.info("Briefing #%d run %d: %s", sid, rid, detail)
        return RunResult(rid, sid, "skipped", detail=detail)

    delays = iter(retry_delays)
    attempts = 0
    while True:
        attempts += 1
        try:
            message_id = await poster.post(schedule.channel_id, post.reply, nonce=claim.nonce)
        except Exception as error:
            if is_permanent(error):
                reason = failure_reason(error)
                paused = await pause_for_failure(store.sessions, rid, reason, now=clock(), attempts=attempts)
                if paused:
                    log.warning("Briefing #%d paused: %s", sid, reason)
                else:
                    log.warning("Briefing #%d run %d failed (schedule not active): %s", sid, rid, reason)
                return RunResult(rid, sid, "paused" if paused else "failed", label=post.label, detail=reason, attempts=attempts)
            if not is_transient(error):
                log.error("Briefing #%d run %d failed: %s", sid, rid, _brief(error), exc_info=error)
                detail = f"Discord rejected the post ({_brief(error)})."
                await finish_run(store.sessions, rid, RunStatus.failed, detail, attempts=attempts)
                return RunResult(rid, sid, "failed", label=post.label, detail=detail, attempts=attempts)
            delay = next(delays, None)
            if delay is None:
                detail = f"Gave up after {attempts} attempt{'s' if attempts > 1 else ''}: {_brief(error)}."
                log.error("Briefing #%d run %d: %s", sid, rid, detail)
                await finish_run(store.sessions, rid, RunStatus.failed, detail, attempts=attempts)
                return RunResult(rid, sid, "failed", label=post.label, detail=detail, attempts=attempts)
            log.warning("Briefing #%d run %d: attempt %d failed (%s); retrying in %.0f s", sid, rid, attempts, _brief(error), delay)
            await sleep(delay)
            if claim.trigger is RunTrigger.scheduled:
                async with store.sessions() as session:
                    status = await schedule_status(session, sid)
                if status is not ScheduleStatus.active:
                    detail = f"Not retried: the schedule was {status.value if status else 'deleted'} after a failed attempt ({_brief(error)})."
                    await finish_run(store.sessions, rid, RunStatus.failed, detail, attempts=attempts)
                    return RunResult(rid, sid, "failed", label=post.label, detail=detail, attempts=attempts)
            continue
        try:
            await record_posted(
                store.sessions, rid, message_id=message_id, posted_at=clock(), item_key=post.item_key, attempts=attempts
            )
        except Exception:
            # the post is out; the run stays "claimed" and is closed as interrupted later, never re-posted
            log.exception("Briefing #%d run %d posted as message %d but could not be recorded", sid, rid, message_id)
        log.info("Briefing #%d run %d posted %s to channel %d as message %d", sid, rid, post.label, schedule.channel_id, message_id)
        return RunResult(rid, sid, "posted", message_id=message_id, label=post.label, attempts=attempts)


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
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        self.store = store
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.grace = grace
        self.poll_seconds = poll_seconds
        self.retry_delays = retry_delays
        self.stale_after = stale_after
        self._posting: set[asyncio.Task[RunResult]] = set()

    async def claim_due(self) -> list[RunClaim]:
        """Claims every due run this process wins; skips (and logs) runs older than the grace window."""
        now = self.clock()
        for run in await abandon_stale_claims(self.store.sessions, claimed_before=now - self.stale_after):
            log.warning("Briefing #%d run %d was interrupted before it was confirmed; not re-posted", run.schedule_id, run.id)
        async with self.store.sessions() as session:
            due = await due_schedules(session, now)
        claims = []
        for schedule in due:
            plan = plan_due(schedule.timing, schedule.next_run_at, now, self.grace)
            if plan is None:
                continue
            result = await claim_due(self.store.sessions, schedule.id, plan, now=now)
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

    async def deliver(self, claim: RunClaim) -> RunResult:
        try:
            return await deliver(
                self.store, self.poster, claim, clock=self.clock, sleep=self.sleep, retry_delays=self.retry_delays
            )
        except Exception as error:  # the database failed while recording an outcome: log it, keep the scheduler going
            log.exception("Briefing #%d run %d: could not record the outcome", claim.schedule.id, claim.run_id)
            return RunResult(claim.run_id, claim.schedule.id, "failed", detail=_brief(error))

    async def tick(self) -> list[RunResult]:
        """Claims what is due and posts it, waiting for every post (retries included) to finish."""
        claims = await self.claim_due()
        return list(await asyncio.gather(*(self.deliver(c) for c in claims)))

    async def _seconds_to_next(self) -> float:
        async with self.store.sessions() as session:
            earliest = await earliest_next_run(session)
        if earliest is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(1.0, (earliest - self.clock()).total_seconds()))

    async def run_forever(self) -> None:
        """Polls until cancelled; a failing poll is logged and retried, never fatal."""
        log.info("Briefing scheduler running (grace %s, poll %.0f s)", self.grace, self.poll_seconds)
        while True:
            delay = self.poll_seconds
            try:
                for claim in await self.claim_due():
                    task = asyncio.create_task(self.deliver(claim), name=f"briefing-run-{claim.run_id}")
                    self._posting.add(task)
                    task.add_done_callback(self._posting.discard)
                delay = await self._seconds_to_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Briefing scheduler poll failed; trying again in %.0f s", delay)
            await self.sleep(delay)

    async def stop(self) -> None:
        """Stops any post under way (whoever runs `run_forever` cancels it); an interrupted run is never re-posted."""
        tasks = [t for t in self._posting if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
