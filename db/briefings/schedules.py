"""Schedule queries: create, list, pause, resume, cancel, and the run lifecycle.

A due run is *claimed* before anything is posted: one transaction moves
`next_run_at` on with a compare-and-set (``UPDATE … WHERE id = ? AND
next_run_at = ? AND status = 'active'``) and inserts the run row. Only the
scheduler whose UPDATE changed the row goes on to post, so a run posts at most
once even with a restart or a second process on the same database. The run
row's unique key (schedule, trigger, due time) backs this up.

The functions that write take the session of a write transaction (`Store.write`
opens one, and commits it when the function returns). Each starts with its write,
so it holds SQLite's write lock before it reads anything: a transaction that read first and wrote
later would fail with "database is locked" whenever another connection (a
second process) committed in between, and the busy timeout cannot help it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack, cast

from sqlalchemy import ColumnElement, CursorResult, Result, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.briefing_models import (
    BriefingRun,
    BriefingSchedule,
    ContentKind,
    RunStatus,
    RunTrigger,
    ScheduleStatus,
)
from db.briefings.timing import DuePlan, Timing, as_utc, next_run, parse_time
from db.models import Origin


def _rows_changed(result: Result[Unpack[tuple[Any, ...]]]) -> int:
    """Rows an UPDATE changed (`session.execute` types its result as a plain Result)."""
    return cast(CursorResult[Unpack[tuple[Any, ...]]], result).rowcount


DETAIL_CHARS = 500
REASON_CHARS = 500


@dataclass(frozen=True)
class ShardSet:
    """The servers one bot process serves when the bot runs in shards across processes.

    A server belongs to shard `(guild_id >> 22) % count` (the rule by which Discord sends
    a server's events to one shard); a process running shards `ids` posts the briefings of
    those servers only, and leaves every other server's to the process that runs its shard.
    """

    count: int
    ids: frozenset[int]

    def holds(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids

    def clause(self, guild_id: Any) -> ColumnElement[bool]:
        """The same test in SQL, on a column of server ids (SQLite and PostgreSQL both have `>>` and `%`)."""
        shard = guild_id.op(">>")(literal_column("22")) % self.count  # PostgreSQL shifts a bigint by an integer only
        return cast(ColumnElement[bool], shard.in_(sorted(self.ids)))


@dataclass(frozen=True)
class ScheduleInfo:
    id: int
    guild_id: int
    channel_id: int
    timing: Timing
    content: ContentKind
    rotation_key: str | None
    status: ScheduleStatus
    pause_reason: str | None
    paused_at: datetime | None
    next_run_at: datetime
    last_message_id: int | None
    last_posted_at: datetime | None
    posts_count: int
    created_by: int
    created_by_name: str
    created_at: datetime


@dataclass(frozen=True)
class RunInfo:
    id: int
    schedule_id: int
    trigger: RunTrigger
    due_at: datetime
    claimed_at: datetime
    status: RunStatus
    item_key: str | None
    message_id: int | None
    posted_at: datetime | None
    attempts: int
    detail: str | None
    claimed_by: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True)
class RunClaim:
    """A run this process won and must now post (or report why it could not)."""

    run_id: int
    schedule: ScheduleInfo
    due_at: datetime
    trigger: RunTrigger
    recovering: bool = False  # taken over from a scheduler that is gone: it may have posted already

    @property
    def nonce(self) -> str:
        """The same on every attempt of this run, so Discord drops a duplicate of a post that did land."""
        return f"rtop-run-{self.run_id}"


@dataclass(frozen=True)
class ClaimResult:
    won: bool  # this process moved next_run_at on; False: another scheduler did, or the schedule was paused
    claim: RunClaim | None = None  # set when there is a run to post now


def _opt_utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def schedule_info(row: BriefingSchedule) -> ScheduleInfo:
    hour, minute = parse_time(row.local_time)
    return ScheduleInfo(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        timing=Timing(row.cadence, hour, minute, row.timezone, row.weekday, row.day),
        content=row.content,
        rotation_key=row.rotation_key,
        status=row.status,
        pause_reason=row.pause_reason,
        paused_at=_opt_utc(row.paused_at),
        next_run_at=as_utc(row.next_run_at),
        last_message_id=row.last_message_id,
        last_posted_at=_opt_utc(row.last_posted_at),
        posts_count=row.posts_count,
        created_by=row.created_by,
        created_by_name=row.created_by_name,
        created_at=as_utc(row.created_at),
    )


def run_info(row: BriefingRun) -> RunInfo:
    return RunInfo(
        id=row.id,
        schedule_id=row.schedule_id,
        trigger=row.trigger,
        due_at=as_utc(row.due_at),
        claimed_at=as_utc(row.claimed_at),
        status=row.status,
        item_key=row.item_key,
        message_id=row.message_id,
        posted_at=_opt_utc(row.posted_at),
        attempts=row.attempts,
        detail=row.detail,
        claimed_by=row.claimed_by,
        lease_until=_opt_utc(row.lease_until),
    )


# -- schedules ----------------------------------------------------------------------------


async def create_schedule(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    timing: Timing,
    content: ContentKind,
    created_by: int,
    created_by_name: str,
    now: datetime,
) -> ScheduleInfo:
    """Stores a new active schedule whose first run is the first occurrence after `now`."""
    row = BriefingSchedule(
        guild_id=guild_id,
        channel_id=channel_id,
        cadence=timing.cadence,
        weekday=timing.weekday,
        day=timing.day,
        local_time=timing.local_time,
        timezone=timing.timezone,
        content=content,
        status=ScheduleStatus.active,
        next_run_at=next_run(timing, now),
        posts_count=0,
        created_by=created_by,
        created_by_name=created_by_name[:100],
        origin=Origin.admin,
        created_at=as_utc(now),
        updated_at=as_utc(now),
    )
    session.add(row)
    await session.flush()
    return schedule_info(row)


async def get_schedule(session: AsyncSession, schedule_id: int, guild_id: int | None = None) -> ScheduleInfo | None:
    """One schedule; with `guild_id`, only if it belongs to that server."""
    row = await session.get(BriefingSchedule, schedule_id, populate_existing=True)
    if row is None or (guild_id is not None and row.guild_id != guild_id):
        return None
    return schedule_info(row)


async def list_schedules(session: AsyncSession, guild_id: int, *, include_cancelled: bool = False) -> list[ScheduleInfo]:
    query = select(BriefingSchedule).where(BriefingSchedule.guild_id == guild_id).order_by(BriefingSchedule.id)
    if not include_cancelled:
        query = query.where(BriefingSchedule.status != ScheduleStatus.cancelled)
    return [schedule_info(row) for row in await session.scalars(query)]


async def count_cancelled(session: AsyncSession, guild_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(BriefingSchedule)
        .where(BriefingSchedule.guild_id == guild_id, BriefingSchedule.status == ScheduleStatus.cancelled)
    ) or 0


@dataclass(frozen=True)
class ScheduleOverview:
    """A server's live schedules with each one's latest run, and how many it cancelled: /briefing list."""

    schedules: list[ScheduleInfo]
    last_runs: dict[int, RunInfo]
    cancelled: int


async def schedule_overview(session: AsyncSession, guild_id: int) -> ScheduleOverview:
    schedules = await list_schedules(session, guild_id)
    return ScheduleOverview(
        schedules, await last_runs(session, [s.id for s in schedules]), await count_cancelled(session, guild_id)
    )


async def find_duplicate(session: AsyncSession, guild_id: int, channel_id: int, timing: Timing, content: ContentKind) -> int | None:
    """The id of a live schedule that already posts the same thing at the same time in the same channel."""
    return await session.scalar(
        select(BriefingSchedule.id).where(
            BriefingSchedule.guild_id == guild_id,
            BriefingSchedule.channel_id == channel_id,
            BriefingSchedule.status != ScheduleStatus.cancelled,
            BriefingSchedule.content == content,
            BriefingSchedule.cadence == timing.cadence,
            BriefingSchedule.weekday.is_(None) if timing.weekday is None else BriefingSchedule.weekday == timing.weekday,
            BriefingSchedule.day.is_(None) if timing.day is None else BriefingSchedule.day == timing.day,
            BriefingSchedule.local_time == timing.local_time,
            BriefingSchedule.timezone == timing.timezone,
        )
    )


async def due_schedules(session: AsyncSession, now: datetime, shards: ShardSet | None = None) -> list[ScheduleInfo]:
    """Active schedules (of the servers on `shards`) whose next run is at or before `now`, the most overdue first."""
    query = (
        select(BriefingSchedule)
        .where(BriefingSchedule.status == ScheduleStatus.active, BriefingSchedule.next_run_at <= as_utc(now))
        .order_by(BriefingSchedule.next_run_at, BriefingSchedule.id)
    )
    if shards is not None:
        query = query.where(shards.clause(BriefingSchedule.guild_id))
    return [schedule_info(row) for row in await session.scalars(query)]


async def earliest_next_run(session: AsyncSession, shards: ShardSet | None = None) -> datetime | None:
    query = select(func.min(BriefingSchedule.next_run_at)).where(BriefingSchedule.status == ScheduleStatus.active)
    if shards is not None:
        query = query.where(shards.clause(BriefingSchedule.guild_id))
    return _opt_utc(await session.scalar(query))


async def set_status(
    session: AsyncSession, schedule_id: int, status: ScheduleStatus, *, now: datetime, reason: str | None = None,
    only_from: tuple[ScheduleStatus, ...] = (ScheduleStatus.active, ScheduleStatus.paused),
) -> ScheduleInfo | None:
    """Pauses (with a reason), resumes or cancels a schedule; None if it was not in one of `only_from`.

    Resuming computes the next run from `now`: runs that fell while it was paused are not caught up.
    """
    now = as_utc(now)
    changed = await session.execute(
        update(BriefingSchedule)
        .where(BriefingSchedule.id == schedule_id, BriefingSchedule.status.in_(only_from))
        .values(status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rows_changed(changed) != 1:
        return None
    row = await session.get(BriefingSchedule, schedule_id, populate_existing=True)
    assert row is not None
    if status is ScheduleStatus.paused:
        row.pause_reason = (reason or "Paused by an admin.")[:REASON_CHARS]
        row.paused_at = now
    else:
        row.pause_reason = None
        row.paused_at = None
    if status is ScheduleStatus.active:
        row.next_run_at = next_run(schedule_info(row).timing, now)
    await session.flush()
    return schedule_info(row)


# -- runs ---------------------------------------------------------------------------------


def _missed_detail(plan: DuePlan) -> str:
    count = f"{plan.missed}+" if plan.missed >= 1000 else str(plan.missed)
    span = (
        f"at {plan.first_missed:%Y-%m-%d %H:%M} UTC"
        if plan.first_missed == plan.last_missed
        else f"from {plan.first_missed:%Y-%m-%d %H:%M} to {plan.last_missed:%Y-%m-%d %H:%M} UTC"
    )
    return f"{count} run(s) missed while the bot was offline longer than the grace window, {span}; not posted."


async def claim_due(
    session: AsyncSession, schedule_id: int, plan: DuePlan, *, now: datetime,
    owner: str | None = None, lease_until: datetime | None = None,
) -> ClaimResult:
    """Compare-and-set `next_run_at` from `plan.expected` to `plan.next_run_at` and record the run(s), atomically.

    Missed occurrences get one `missed` row. When `plan.run_at` is set, a `claimed`
    run row is returned for this process to post.
    """
    now = as_utc(now)
    result = await session.execute(
        update(BriefingSchedule)
        .where(
            BriefingSchedule.id == schedule_id,
            BriefingSchedule.next_run_at == as_utc(plan.expected),
            BriefingSchedule.status == ScheduleStatus.active,
        )
        .values(next_run_at=as_utc(plan.next_run_at), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rows_changed(result) != 1:
        return ClaimResult(won=False)
    if plan.missed and plan.first_missed is not None:
        session.add(
            BriefingRun(
                schedule_id=schedule_id, trigger=RunTrigger.scheduled, due_at=as_utc(plan.first_missed),
                claimed_at=now, status=RunStatus.missed, attempts=0, detail=_missed_detail(plan)[:DETAIL_CHARS],
            )
        )
    if plan.run_at is None:
        return ClaimResult(won=True)
    run = BriefingRun(
        schedule_id=schedule_id, trigger=RunTrigger.scheduled, due_at=as_utc(plan.run_at),
        claimed_at=now, status=RunStatus.claimed, attempts=0, claimed_by=owner, lease_until=_opt_utc(lease_until),
    )
    session.add(run)
    await session.flush()
    row = await session.get(BriefingSchedule, schedule_id, populate_existing=True)
    assert row is not None
    return ClaimResult(True, RunClaim(run.id, schedule_info(row), as_utc(plan.run_at), RunTrigger.scheduled))


async def start_manual_run(
    session: AsyncSession, schedule_id: int, *, now: datetime, owner: str | None = None, lease_until: datetime | None = None
) -> RunClaim | None:
    """A run for /briefing post-now; it leaves `next_run_at` alone. None if the schedule is gone or cancelled."""
    now = as_utc(now)
    run = BriefingRun(
        schedule_id=schedule_id, trigger=RunTrigger.manual, due_at=now, claimed_at=now,
        status=RunStatus.claimed, attempts=0, claimed_by=owner, lease_until=_opt_utc(lease_until),
    )
    live = await session.execute(  # a write that changes nothing: takes the lock, checks the status
        update(BriefingSchedule)
        .where(BriefingSchedule.id == schedule_id, BriefingSchedule.status != ScheduleStatus.cancelled)
        .values(updated_at=BriefingSchedule.updated_at)
        .execution_options(synchronize_session=False)
    )
    if _rows_changed(live) != 1:
        return None
    session.add(run)
    await session.flush()
    row = await session.get(BriefingSchedule, schedule_id, populate_existing=True)
    assert row is not None
    return RunClaim(run.id, schedule_info(row), now, RunTrigger.manual)


async def record_posted(
    session: AsyncSession, run_id: int, *, message_id: int, posted_at: datetime, item_key: str | None, attempts: int
) -> None:
    """Marks the run posted and, in the same transaction, advances the schedule's rotation."""
    await session.execute(
        update(BriefingRun)
        .where(BriefingRun.id == run_id)
        .values(status=RunStatus.posted, message_id=message_id, posted_at=as_utc(posted_at), item_key=item_key, attempts=attempts)
        .execution_options(synchronize_session=False)
    )
    values: dict[str, object] = {
        "last_message_id": message_id,
        "last_posted_at": as_utc(posted_at),
        "posts_count": BriefingSchedule.posts_count + 1,
    }
    if item_key is not None:
        values["rotation_key"] = item_key
    await session.execute(
        update(BriefingSchedule)
        .where(BriefingSchedule.id == select(BriefingRun.schedule_id).where(BriefingRun.id == run_id).scalar_subquery())
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def finish_run(
    session: AsyncSession, run_id: int, status: RunStatus, detail: str, *, attempts: int, item_key: str | None = None
) -> None:
    """Closes a run that did not post (skipped or failed) with the reason."""
    await session.execute(
        update(BriefingRun)
        .where(BriefingRun.id == run_id)
        .values(status=status, detail=detail[:DETAIL_CHARS], attempts=attempts, item_key=item_key)
        .execution_options(synchronize_session=False)
    )


async def pause_for_failure(
    session: AsyncSession, run_id: int, reason: str, *, now: datetime, attempts: int
) -> bool:
    """The run failed for good (channel gone, no permission): close it and pause its schedule, in one transaction.

    Returns whether the schedule was active (and is now paused); a schedule
    cancelled meanwhile stays cancelled.
    """
    now = as_utc(now)
    await session.execute(
        update(BriefingRun)
        .where(BriefingRun.id == run_id)
        .values(status=RunStatus.failed, detail=reason[:DETAIL_CHARS], attempts=attempts)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        update(BriefingSchedule)
        .where(
            BriefingSchedule.id == select(BriefingRun.schedule_id).where(BriefingRun.id == run_id).scalar_subquery(),
            BriefingSchedule.status == ScheduleStatus.active,
        )
        .values(status=ScheduleStatus.paused, pause_reason=reason[:REASON_CHARS], paused_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rows_changed(result) == 1


async def schedule_status(session: AsyncSession, schedule_id: int) -> ScheduleStatus | None:
    return await session.scalar(select(BriefingSchedule.status).where(BriefingSchedule.id == schedule_id))


async def claimed_runs(session: AsyncSession, shards: ShardSet | None = None) -> list[RunInfo]:
    """Runs a scheduler claimed and has not closed (of the servers on `shards`): posting now, or left by a
    process that stopped."""
    query = select(BriefingRun).where(BriefingRun.status == RunStatus.claimed).order_by(BriefingRun.id)
    if shards is not None:
        query = query.join(BriefingSchedule, BriefingSchedule.id == BriefingRun.schedule_id).where(
            shards.clause(BriefingSchedule.guild_id)
        )
    return [run_info(row) for row in await session.scalars(query)]


async def renew_lease(session: AsyncSession, run_id: int, *, owner: str, lease_until: datetime) -> None:
    """The claiming process is still at it (before each attempt): others leave the run alone until `lease_until`."""
    await session.execute(
        update(BriefingRun)
        .where(BriefingRun.id == run_id, BriefingRun.status == RunStatus.claimed, BriefingRun.claimed_by == owner)
        .values(lease_until=as_utc(lease_until))
        .execution_options(synchronize_session=False)
    )


async def release_claims(session: AsyncSession, owners: list[str], *, now: datetime) -> int:
    """Ends the leases of the runs `owners` still hold (a process stopping), so another process takes
    them over at once instead of when the lease runs out; returns how many. The run stays claimed:
    its post may have reached Discord, so whoever takes it over looks for it in the channel first."""
    result = await session.execute(
        update(BriefingRun)
        .where(BriefingRun.status == RunStatus.claimed, BriefingRun.claimed_by.in_(owners))
        .values(lease_until=as_utc(now))
        .execution_options(synchronize_session=False)
    )
    return _rows_changed(result)


async def take_over(
    session: AsyncSession, run: RunInfo, *, owner: str, lease_until: datetime
) -> RunClaim | None:
    """Compare-and-set a run left claimed by a process that is gone over to `owner`; None if another won it."""
    previous = BriefingRun.claimed_by.is_(None) if run.claimed_by is None else BriefingRun.claimed_by == run.claimed_by
    result = await session.execute(
        update(BriefingRun)
        .where(BriefingRun.id == run.id, BriefingRun.status == RunStatus.claimed, previous)
        .values(claimed_by=owner, lease_until=as_utc(lease_until))
        .execution_options(synchronize_session=False)
    )
    if _rows_changed(result) != 1:
        return None
    row = await session.get(BriefingSchedule, run.schedule_id, populate_existing=True)
    if row is None:
        return None
    return RunClaim(run.id, schedule_info(row), run.due_at, run.trigger, recovering=True)


async def recorded_message_ids(session: AsyncSession, channel_id: int, after: int | None) -> set[int]:
    """Messages in `channel_id` (newer than `after`) already recorded as some run's post."""
    query = (
        select(BriefingRun.message_id)
        .join(BriefingSchedule, BriefingSchedule.id == BriefingRun.schedule_id)
        .where(BriefingSchedule.channel_id == channel_id, BriefingRun.message_id.is_not(None))
    )
    if after is not None:
        query = query.where(BriefingRun.message_id > after)
    return {m for m in await session.scalars(query) if m is not None}


async def list_runs(session: AsyncSession, schedule_id: int) -> list[RunInfo]:
    rows = await session.scalars(
        select(BriefingRun).where(BriefingRun.schedule_id == schedule_id).order_by(BriefingRun.id)
    )
    return [run_info(row) for row in rows]


async def last_runs(session: AsyncSession, schedule_ids: list[int]) -> dict[int, RunInfo]:
    """The most recent run of each schedule that has one."""
    if not schedule_ids:
        return {}
    newest = (
        select(func.max(BriefingRun.id))
        .where(BriefingRun.schedule_id.in_(schedule_ids))
        .group_by(BriefingRun.schedule_id)
    )
    rows = await session.scalars(select(BriefingRun).where(BriefingRun.id.in_(newest)))
    return {row.schedule_id: run_info(row) for row in rows}


__all__ = [
    "RunClaim",
    "ClaimResult",
    "RunInfo",
    "ScheduleInfo",
    "ShardSet",
    "claim_due",
    "claimed_runs",
    "count_cancelled",
    "create_schedule",
    "due_schedules",
    "earliest_next_run",
    "find_duplicate",
    "finish_run",
    "get_schedule",
    "last_runs",
    "list_runs",
    "list_schedules",
    "pause_for_failure",
    "record_posted",
    "recorded_message_ids",
    "release_claims",
    "renew_lease",
    "schedule_info",
    "schedule_status",
    "set_status",
    "start_manual_run",
    "take_over",
]
