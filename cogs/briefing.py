"""/briefing schedule, list, pause, resume, cancel, preview and post-now: briefings posted on a rhythm.

Every command here makes the bot post or changes what it will post, so every
one is `admin_only()` (Manage Server or an admin role), like /admin.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot import briefing_content as content_of
from bot import choices, deadline
from bot.checks import admin_autocomplete, admin_only
from bot.client import BriefingBot, Interaction
from bot.errors import NotFound, UserFacingError
from bot.render import briefings as render
from bot.render import limits
from bot.render.send import send_reply
from bot.scheduler import LEASE, PROCESS_OWNER, Clock, Poster, Scheduler, deliver, missing_permissions
from bot.transformers import RecordId
from db import briefings as b
from db.briefing_models import Cadence, ContentKind, RunStatus, ScheduleStatus
from db.briefings.timing import (
    WEEKDAYS,
    clock_changes_ahead,
    describe_rhythm,
    find_timezone,
    parse_time,
    rank_timezones,
)
from db.store import Store

MAX_SCHEDULES = 25  # live (active or paused) schedules per server
POST_NOW_RETRIES = (2.0,)

CADENCE_CHOICES = choices.CADENCES
CONTENT_CHOICES = choices.CONTENT_KINDS
WEEKDAY_CHOICES = [app_commands.Choice(name=name, value=name.lower()) for name in WEEKDAYS]


def _permission_problem(channel: discord.abc.GuildChannel) -> str | None:
    """Why the bot could not post briefings in `channel`, or None when it can."""
    me: discord.Member | None = channel.guild.me  # None until the server's members are cached
    if me is None:
        return "The bot cannot see its own permissions in this server yet. Try again in a minute."
    missing = missing_permissions(channel.permissions_for(me))
    if missing:
        return (
            f"The bot needs {', '.join(f'**{m}**' for m in missing)} in {channel.mention} to post briefings there. "
            "Grant them in the channel's permission settings (for the bot or its role), or pick another channel. "
            "Nothing was scheduled."
        )
    return None


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Briefing(
    commands.GroupCog, group_name="briefing", group_description="Briefings posted to a channel on a rhythm"
):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.clock: Clock = bot.clock
        self._scheduler_task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Starts the scheduler in a bot logged in to Discord. The offline console and the tests'
        bots load the cogs without logging in, so they never post on their own."""
        if self.bot.http.token is None:
            return
        settings = self.bot.settings
        scheduler = Scheduler(
            self.store,
            self.poster(),
            grace=timedelta(minutes=settings.briefing_grace_minutes),
            poll_seconds=settings.briefing_poll_seconds,
            clock=self.clock,
        )
        self.bot.scheduler = scheduler
        self._scheduler_task = asyncio.create_task(self._run_scheduler(scheduler), name="briefing-scheduler")

    async def _run_scheduler(self, scheduler: Scheduler) -> None:
        # Waits for the gateway: `sync` logs in without connecting, so it never posts.
        await self.bot.wait_until_ready()
        scheduler.shards = self.bot.shard_set()  # known once connected: Discord may have chosen the count
        await scheduler.run_forever()

    async def cog_unload(self) -> None:
        """Stops polling and any post under way (the bot unloads every cog when it closes)."""
        if self._scheduler_task is not None:
            self._scheduler_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scheduler_task
            self._scheduler_task = None
        scheduler = self.bot.scheduler
        if scheduler is not None:
            await scheduler.stop()
            self.bot.scheduler = None

    # -- helpers ---------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.bot.store

    def poster(self) -> Poster:
        return self.bot.briefing_poster

    async def _schedule(self, interaction: Interaction, schedule_id: int) -> b.ScheduleInfo:
        info = await self.store.read(interaction.guild_id, b.get_schedule, schedule_id, interaction.guild_id)
        if info is None or info.status is ScheduleStatus.cancelled:
            raise NotFound(
                "No such schedule",
                f"This server has no live schedule #{schedule_id}. `/briefing list` shows them with their numbers.",
            )
        return info

    def _now(self) -> datetime:
        return self.clock()

    @admin_autocomplete
    async def schedule_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        schedules = await self.store.read(interaction.guild_id, b.list_schedules, interaction.guild_id)
        typed = str(current or "").strip().lstrip("#").casefold()
        choices = []
        for info in schedules:
            channel = interaction.guild.get_channel(info.channel_id) if interaction.guild else None
            where = f"#{channel.name}" if channel else f"channel {info.channel_id}"
            label = (
                f"#{info.id} · {render.kind_label(info.content)} · {describe_rhythm(info.timing)} · {where}"
                + (" · paused" if info.status is ScheduleStatus.paused else "")
            )
            if not typed or typed in label.casefold():
                choices.append(app_commands.Choice(name=limits.clip(label, limits.CHOICE_NAME), value=info.id))
        return choices[: limits.CHOICES]

    async def timezone_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in rank_timezones(current, limits.CHOICES)]

    # -- commands --------------------------------------------------------------------------

    @admin_only()
    @app_commands.command(name="schedule", description="Post a briefing to a channel on a rhythm")
    @app_commands.describe(
        channel="Where to post",
        cadence="How often",
        time="Local time, 24-hour HH:MM, e.g. 09:00",
        timezone="Time zone, e.g. Europe/Paris",
        content="What to post",
        weekday="Weekly: the day",
        day="Monthly: day of the month (shorter months use their last day)",
    )
    @app_commands.choices(cadence=CADENCE_CHOICES, content=CONTENT_CHOICES, weekday=WEEKDAY_CHOICES)
    @app_commands.autocomplete(timezone=timezone_choices)
    async def schedule(
        self,
        interaction: Interaction,
        channel: discord.TextChannel,
        cadence: app_commands.Choice[str],
        time: str,
        timezone: str,
        content: app_commands.Choice[str],
        weekday: app_commands.Choice[str] | None = None,
        day: app_commands.Range[int, 1, 31] | None = None,
    ) -> None:
        zone = find_timezone(timezone)
        if zone is None:
            raise UserFacingError(
                "Unknown time zone",
                f"“{discord.utils.escape_markdown(timezone[:60])}” is not an IANA time zone name. "
                "Pick one from the list as you type, e.g. Europe/Paris, America/New_York or Australia/Sydney.",
                rank_timezones(timezone, 8),
            )
        try:
            hour, minute = parse_time(time)
        except ValueError as error:
            raise UserFacingError("Invalid time", str(error)) from None
        rhythm = Cadence(cadence.value)
        kind = ContentKind(content.value)
        weekday_number = WEEKDAYS.index(weekday.name) if weekday else None
        if rhythm is Cadence.weekly and weekday_number is None:
            raise UserFacingError("Which day?", "A weekly schedule needs `weekday:`, e.g. `weekday:monday`.")
        if rhythm is Cadence.monthly and day is None:
            raise UserFacingError("Which day?", "A monthly schedule needs `day:` (1–31), e.g. `day:1`.")
        if rhythm is not Cadence.weekly and weekday_number is not None:
            raise UserFacingError("Weekday not used", f"`weekday:` is only for weekly schedules; a {rhythm.value} one ignores it. Leave it out.")
        if rhythm is not Cadence.monthly and day is not None:
            raise UserFacingError("Day not used", f"`day:` is only for monthly schedules; a {rhythm.value} one ignores it. Leave it out.")
        if kind is ContentKind.on_this_day and rhythm is not Cadence.daily:
            raise UserFacingError(
                "“On this day” is daily",
                "“On this day” posts only on the anniversary of a dated event, so it needs `cadence:daily` "
                "(it stays silent on other days).",
            )
        problem = _permission_problem(channel)
        if problem:
            raise UserFacingError("Cannot post in that channel", problem)
        timing = b.Timing(rhythm, hour, minute, zone, weekday_number, day)
        guild_id = interaction.guild_id
        assert guild_id is not None  # the group is guild-only
        now = self._now()
        live = await self.store.read(guild_id, b.list_schedules, guild_id)
        if len(live) >= MAX_SCHEDULES:
            raise UserFacingError(
                "Too many schedules",
                f"This server already has {len(live)} schedules, the most it can have. "
                "Cancel one with `/briefing cancel` first.",
            )
        duplicate = await self.store.read(guild_id, b.find_duplicate, guild_id, channel.id, timing, kind)
        if duplicate is not None:
            raise UserFacingError(
                "Already scheduled",
                f"Schedule #{duplicate} already posts this in {channel.mention} at that time. "
                "`/briefing list` shows it.",
            )
        info = await self.store.write(
            guild_id,
            b.create_schedule,
            guild_id=guild_id,
            channel_id=channel.id,
            timing=timing,
            content=kind,
            created_by=interaction.user.id,
            created_by_name=interaction.user.display_name,
            now=now,
        )
        first = await content_of.first_item(self.store, kind, guild_id)
        anniversary = None
        if kind is ContentKind.on_this_day:
            anniversary = await content_of.next_anniversary(
                self.store, info.next_run_at.astimezone(timing.zone).date(), guild_id
            )
        notes = render.clock_notes(timing.local_time, clock_changes_ahead(timing, now))
        await send_reply(
            interaction,
            render.schedule_confirmation(
                info, first=first.label if first else None, clock_notes=notes, first_anniversary=anniversary
            ),
        )

    @admin_only()
    @app_commands.command(name="list", description="This server's scheduled briefings")
    async def list_schedules(self, interaction: Interaction) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        overview = await self.store.read(guild_id, b.schedule_overview, guild_id)
        labels = await content_of.next_labels(
            self.store, [s for s in overview.schedules if s.status is ScheduleStatus.active], guild_id
        )
        await send_reply(
            interaction,
            render.schedule_list(overview.schedules, next_labels=labels, last_runs=overview.last_runs,
                                 cancelled=overview.cancelled),
        )

    @admin_only()
    @app_commands.command(name="pause", description="Stop a schedule posting until it is resumed")
    @app_commands.describe(id="The schedule's number (see /briefing list)")
    @app_commands.autocomplete(id=schedule_choices)
    async def pause(self, interaction: Interaction, id: RecordId) -> None:
        info = await self._schedule(interaction, id)
        if info.status is ScheduleStatus.paused:
            raise UserFacingError("Already paused", f"#{id} is already paused. `/briefing resume id:{id}` restarts it.")
        reason = f"{interaction.user.display_name} paused it with /briefing pause."
        updated = await self.store.write(
            interaction.guild_id, b.set_status, id, ScheduleStatus.paused, now=self._now(), reason=reason, only_from=(ScheduleStatus.active,)
        )
        if updated is None:
            raise UserFacingError("Not paused", f"#{id} changed meanwhile. See `/briefing list`.")
        await send_reply(
            interaction,
            render.status_changed(
                f"Paused #{id}",
                f"{render.kind_label(info.content)} in {render.channel_mention(info.channel_id)} will not post until "
                f"you run `/briefing resume id:{id}`. Runs that fall while it is paused are skipped, not caught up.",
            ),
        )

    @admin_only()
    @app_commands.command(name="resume", description="Restart a paused schedule")
    @app_commands.describe(id="The schedule's number (see /briefing list)")
    @app_commands.autocomplete(id=schedule_choices)
    async def resume(self, interaction: Interaction, id: RecordId) -> None:
        info = await self._schedule(interaction, id)
        if info.status is ScheduleStatus.active:
            raise UserFacingError("Not paused", f"#{id} is already active; its next post is {render.timestamp(info.next_run_at)}.")
        guild = interaction.guild
        if guild is not None:
            channel = guild.get_channel(info.channel_id)
            if channel is None:
                raise UserFacingError(
                    "Channel gone",
                    f"The channel of #{id} no longer exists, or the bot cannot see it. "
                    f"Cancel it with `/briefing cancel id:{id}` and schedule the briefing in another channel.",
                )
            problem = _permission_problem(channel)
            if problem:
                raise UserFacingError("Cannot post in that channel", problem.replace("Nothing was scheduled.", f"#{id} stays paused."))
        updated = await self.store.write(
            interaction.guild_id, b.set_status, id, ScheduleStatus.active, now=self._now(), only_from=(ScheduleStatus.paused,)
        )
        if updated is None:
            raise UserFacingError("Not resumed", f"#{id} changed meanwhile. See `/briefing list`.")
        await send_reply(
            interaction,
            render.status_changed(
                f"Resumed #{id}",
                f"{render.kind_label(updated.content)} {describe_rhythm(updated.timing)} in "
                f"{render.channel_mention(updated.channel_id)}; next post {render.timestamp(updated.next_run_at)} "
                f"({render.timestamp(updated.next_run_at, 'R')}).",
            ),
        )

    @admin_only()
    @app_commands.command(name="cancel", description="Stop a schedule for good")
    @app_commands.describe(id="The schedule's number (see /briefing list)")
    @app_commands.autocomplete(id=schedule_choices)
    async def cancel(self, interaction: Interaction, id: RecordId) -> None:
        info = await self._schedule(interaction, id)
        updated = await self.store.write(interaction.guild_id, b.set_status, id, ScheduleStatus.cancelled, now=self._now())
        if updated is None:
            raise UserFacingError("Not cancelled", f"#{id} changed meanwhile. See `/briefing list`.")
        await send_reply(
            interaction,
            render.status_changed(
                f"Cancelled #{id}",
                f"{render.kind_label(info.content)} {describe_rhythm(info.timing)} in "
                f"{render.channel_mention(info.channel_id)} will not post again. Posts already made stay in the channel.",
            ),
        )

    @admin_only()
    @app_commands.command(name="preview", description="See privately what a schedule of this kind would post")
    @app_commands.describe(content="What to preview")
    @app_commands.choices(content=CONTENT_CHOICES)
    async def preview(self, interaction: Interaction, content: app_commands.Choice[str]) -> None:
        kind = ContentKind(content.value)
        today = self._now().date()
        try:
            post, on = await content_of.preview(self.store, kind, today, interaction.guild_id)
        except content_of.NothingToPost as error:
            raise UserFacingError("Nothing to post", f"A {render.kind_label(kind).lower()} schedule has nothing to post: {error}.") from None
        if post is None:
            raise UserFacingError("Nothing to post", render.preview_notice(kind, None, None, today))
        notice = render.preview_notice(kind, post.label, on, today)
        await send_reply(interaction, render.with_notice(post.reply, notice))

    @admin_only()
    @app_commands.command(name="post-now", description="Post a schedule's next briefing now")
    @app_commands.describe(id="The schedule's number (see /briefing list)")
    @app_commands.autocomplete(id=schedule_choices)
    async def post_now(self, interaction: Interaction, id: RecordId) -> None:
        info = await self._schedule(interaction, id)
        await deadline.defer(interaction, ephemeral=True)
        scheduler = self.bot.scheduler
        owner = scheduler.owner if scheduler is not None else PROCESS_OWNER
        claim = await self.store.write(interaction.guild_id, b.start_manual_run, id, now=self._now(), owner=owner,
                                       lease_until=self._now() + LEASE)
        if claim is None:
            raise NotFound("No such schedule", f"#{id} was cancelled meanwhile.")
        result = await deliver(self.store, self.poster(), claim, clock=self.clock, retry_delays=POST_NOW_RETRIES,
                               owner=owner)
        where = render.channel_mention(info.channel_id)
        if result.status is RunStatus.posted:
            assert result.message_id is not None
            link = render.message_link(info.guild_id, info.channel_id, result.message_id)
            text = (
                f"Posted **{discord.utils.escape_markdown(result.label)}** in {where}: [open the post]({link}). "
                "The rotation moves on; the timetable is unchanged"
                + (f" (next post {render.timestamp(info.next_run_at)})." if info.status is ScheduleStatus.active else ".")
            )
            await send_reply(interaction, render.status_changed(f"Posted #{id}", text))
            return
        if result.status is RunStatus.skipped:
            raise UserFacingError("Nothing to post", result.detail)
        if result.paused:
            raise UserFacingError(
                "Could not post",
                f"{result.detail}\n#{id} is now paused; fix the channel, then `/briefing resume id:{id}`.",
            )
        raise UserFacingError(
            "Could not post",
            f"{result.detail}\nIf Discord did not answer in time the post may still appear; check {where} before trying again.",
        )


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Briefing(bot))
