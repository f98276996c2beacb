"""/briefing through the real command tree (offline console), with a real cached guild and channel."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from discord import app_commands

from bot import discord_internals
from bot.checks import CHANGES_DATA, admin_predicate
from bot.console import (
    BOT_USER,
    GUILD_ID,
    USER_ID,
    ConsoleUser,
    Outcome,
    format_outcome,
)
from bot.render.layout import Reply
from bot.scheduler import DiscordPoster, PostRefused
from db.briefing_models import Cadence, ContentKind, ScheduleStatus
from db.briefings import Timing, create_schedule, get_schedule, list_runs, list_schedules, pause_for_failure, start_manual_run
from tests.payloads import payload_problems
from tests.discord_double.harness import FakeClock
from tests.test_briefings_scheduler import RecordingPoster, not_found

BOT_ROLE = 1_000_000_000_000_010
BRIEFINGS = 1_000_000_000_000_020
ANNOUNCEMENTS = 1_000_000_000_000_021
POSTING = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # a Wednesday


# -- a server in the bot's cache, as the GUILD_CREATE event would put it there ------------------------


def _role(role_id: int, name: str, permissions: discord.Permissions, position: int) -> dict[str, Any]:
    return {"id": str(role_id), "name": name, "permissions": str(permissions.value), "position": position,
            "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}


def _channel(channel_id: int, name: str, position: int, deny: discord.Permissions | None = None) -> dict[str, Any]:
    overwrites = [{"id": str(BOT_ROLE), "type": 0, "allow": "0", "deny": str(deny.value)}] if deny else []
    return {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": name, "position": position,
            "permission_overwrites": overwrites, "nsfw": False, "parent_id": None, "topic": None}


def add_guild(bot: discord.Client, *, announcements_deny: discord.Permissions | None = None, channels: bool = True) -> discord.Guild:
    """Caches the console's server with the bot as a member, #briefings and #announcements."""
    data = {
        "id": str(GUILD_ID), "name": "Coalition", "owner_id": str(USER_ID), "icon": None, "splash": None,
        "discovery_splash": None, "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
        "premium_tier": 0, "preferred_locale": "en-GB", "features": [], "emojis": [], "stickers": [],
        "roles": [_role(GUILD_ID, "@everyone", discord.Permissions.none(), 0), _role(BOT_ROLE, "RtoP Briefings", POSTING, 1)],
        "members": [{"user": BOT_USER, "roles": [str(BOT_ROLE)], "joined_at": "2024-01-01T00:00:00+00:00",
                     "deaf": False, "mute": False, "flags": 0}],
        "channels": [_channel(BRIEFINGS, "briefings", 0), _channel(ANNOUNCEMENTS, "announcements", 1, announcements_deny)]
        if channels else [],
        "threads": [], "member_count": 2, "large": False, "unavailable": False,
    }
    return discord_internals.add_guild(bot, data)


async def run(console, line: str, *, channel: discord.TextChannel | None = None, user: ConsoleUser | None = None) -> Outcome:
    """Like `console.run`, with the `channel:` option pointed at `channel` (sent as Discord sends it: type 7)."""
    if channel is not None:
        line = re.sub(r"channel:\S+", f"channel:{channel.id}", line)
    return await console.run(line, user)


def text_of(outcome: Outcome) -> str:
    """As the console prints it (Discord timestamps shown in UTC)."""
    return format_outcome(outcome)


def raw_of(outcome: Outcome) -> str:
    """The markdown as sent to Discord, with `<t:…>` timestamps and `<#…>` channel mentions."""
    parts = []
    for event in outcome.events:
        data = event.message.data
        parts.append(data.get("content") or "")
        for embed in data.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts).replace("**", "")


def assert_private_and_within_limits(outcome: Outcome) -> None:
    assert outcome.events, "the interaction was left unanswered"
    for event in outcome.events:
        assert payload_problems(event.body, event.message.data) == []
        assert event.message.ephemeral


@pytest.fixture
def cog(console):
    cog = console.bot.get_cog("Briefing")
    clock = FakeClock(NOW)
    cog.clock = console.bot.clock = clock  # the console shows relative times from the bot's clock too
    return cog


@pytest.fixture
def guild(console) -> discord.Guild:
    return add_guild(console.bot, announcements_deny=discord.Permissions(embed_links=True))


SCHEDULE = "/briefing schedule channel:{c} cadence:weekly weekday:monday time:09:00 timezone:europe/paris content:theme"


# -- /briefing schedule ------------------------------------------------------------------------------


async def test_schedule_confirms_in_the_schedules_time_zone_and_stores_utc(console, cog, guild):
    outcome = await run(console, SCHEDULE.format(c=BRIEFINGS), channel=guild.get_channel(BRIEFINGS))
    assert not outcome.error
    assert_private_and_within_limits(outcome)
    text = raw_of(outcome)
    next_post = datetime(2024, 5, 6, 7, tzinfo=UTC)  # Monday 09:00 CEST
    assert (
        f"Scheduled #1: theme spotlight every Monday at 09:00 Europe/Paris in <#{BRIEFINGS}>; "
        f"next post <t:{int(next_post.timestamp())}:F>"
    ) in text
    assert "Mon 6 May 2024, 09:00 CEST" in text and "First up: RtoP on the General Assembly's formal agenda" in text
    async with console.bot.store.sessions() as session:
        info = await get_schedule(session, 1, GUILD_ID)
    assert info.timing == Timing(Cadence.weekly, 9, 0, "Europe/Paris", weekday=0)
    assert (info.content, info.next_run_at, info.status, info.created_by) == (ContentKind.theme, next_post, ScheduleStatus.active, USER_ID)


async def test_schedule_warns_about_times_the_clock_change_skips_or_repeats(console, cog, guild):
    line = "/briefing schedule channel:x cadence:daily time:02:30 timezone:Europe/Paris content:pillar"
    outcome = await run(console, line, channel=guild.get_channel(BRIEFINGS))
    text = text_of(outcome)
    assert "On 30 March 2025 the clocks go forward past 02:30" in text
    assert "On 27 October 2024 the clocks go back and 02:30 happens twice" in text


async def test_schedule_refuses_a_channel_where_the_bot_cannot_embed(console, cog, guild):
    outcome = await run(console, SCHEDULE.format(c=ANNOUNCEMENTS), channel=guild.get_channel(ANNOUNCEMENTS))
    assert outcome.error
    assert_private_and_within_limits(outcome)
    text = text_of(outcome)
    assert "Cannot post in that channel" in text and "Embed Links" in text and "Nothing was scheduled" in text
    assert "Send Messages" not in text
    async with console.bot.store.sessions() as session:
        assert await list_schedules(session, GUILD_ID) == []


@pytest.mark.parametrize(
    "options, expected",
    [
        ("cadence:weekly time:09:00 timezone:UTC content:theme", "needs `weekday:`"),
        ("cadence:monthly time:09:00 timezone:UTC content:theme", "needs `day:`"),
        ("cadence:daily time:09:00 timezone:UTC content:theme day:3", "only for monthly"),
        ("cadence:monthly time:09:00 timezone:UTC content:theme day:3 weekday:friday", "only for weekly"),
        ("cadence:daily time:25:00 timezone:UTC content:theme", "hours go from 00 to 23"),
        ("cadence:daily time:9am timezone:UTC content:theme", "HH:MM"),
        ("cadence:daily time:09:00 timezone:Europe/Pariss content:theme", "Europe/Paris"),
        ("cadence:weekly weekday:monday time:09:00 timezone:UTC content:on-this-day", "needs `cadence:daily`"),
    ],
)
async def test_schedule_explains_what_is_wrong_with_the_options(console, cog, guild, options, expected):
    outcome = await run(console, f"/briefing schedule channel:x {options}", channel=guild.get_channel(BRIEFINGS))
    assert outcome.error
    assert_private_and_within_limits(outcome)
    assert expected in text_of(outcome)


async def test_schedule_refuses_duplicates_and_more_than_the_limit(console, cog, guild):
    channel = guild.get_channel(BRIEFINGS)
    assert not (await run(console, SCHEDULE.format(c=BRIEFINGS), channel=channel)).error
    again = await run(console, SCHEDULE.format(c=BRIEFINGS), channel=channel)
    assert again.error and "Schedule #1 already posts this" in text_of(again)
    for hour in range(24):
        await console.bot.store.write(
            None, create_schedule, guild_id=GUILD_ID, channel_id=BRIEFINGS, timing=Timing(Cadence.daily, hour, 5, "UTC"),
            content=ContentKind.pillar, created_by=1, created_by_name="t", now=NOW,
        )
    full = await run(console, SCHEDULE.format(c=BRIEFINGS).replace("09:00", "10:00"), channel=channel)
    assert full.error and "already has 25 schedules" in text_of(full)


# -- /briefing list, pause, resume, cancel ----------------------------------------------------------------


async def _schedule(console, content: ContentKind = ContentKind.pillar, timing: Timing | None = None, guild_id: int = GUILD_ID):
    return await console.bot.store.write(
        None, create_schedule, guild_id=guild_id, channel_id=BRIEFINGS,
        timing=timing or Timing(Cadence.weekly, 9, 0, "Europe/Paris", weekday=0), content=content,
        created_by=USER_ID, created_by_name="console-user", now=NOW,
    )


async def test_list_shows_channel_rhythm_next_run_status_and_pause_reason(console, cog, guild):
    active = await _schedule(console, ContentKind.theme)
    lost = await _schedule(console, ContentKind.state, Timing(Cadence.monthly, 18, 0, "Australia/Sydney", day=31))
    claim = await console.bot.store.write(None, start_manual_run, lost.id, now=NOW)
    await console.bot.store.write(None, pause_for_failure, claim.run_id,
                                  "The channel was not found (Discord: 404 Unknown Channel).", now=NOW, attempts=1)
    outcome = await console.run("/briefing list")
    assert not outcome.error
    assert_private_and_within_limits(outcome)
    text = raw_of(outcome)
    assert f"#{active.id} · Theme spotlight · ▶️ active" in text and f"#{lost.id} · State spotlight · ⏸️ paused" in text
    assert f"Where: <#{BRIEFINGS}>" in text
    assert "When: every Monday at 09:00 Europe/Paris" in text
    assert f"Next post: Mon 6 May 2024, 09:00 CEST · <t:{int(active.next_run_at.timestamp())}:F>" in text
    assert "Next up: RtoP on the General Assembly's formal agenda" in text
    assert "The channel was not found (Discord: 404 Unknown Channel)." in text and f"/briefing resume id:{lost.id}" in text
    assert "2 schedules, 1 paused" in text


async def test_a_long_list_pages_with_the_usual_buttons(console, cog, guild):
    for minute in range(25):  # the most a server can have
        await _schedule(console, ContentKind.dialogue, Timing(Cadence.daily, 7, minute, "America/Santiago"))
    outcome = await console.run("/briefing list")
    text = text_of(outcome)
    assert "page 1 of 2" in text and "page 2 of 2" in text and "#25 · Dialogue digest" in text
    assert_private_and_within_limits(outcome)


async def test_list_is_empty_with_a_hint(console, cog, guild):
    outcome = await console.run("/briefing list")
    assert not outcome.error and "No scheduled briefings" in text_of(outcome) and "/briefing schedule" in text_of(outcome)


async def test_pause_resume_and_cancel(console, cog, guild):
    info = await _schedule(console)
    paused = await console.run(f"/briefing pause id:{info.id}")
    assert not paused.error and f"Paused #{info.id}" in text_of(paused)
    assert_private_and_within_limits(paused)
    assert (await console.run(f"/briefing pause id:{info.id}")).error

    cog.clock.set(datetime(2024, 5, 20, 12, tzinfo=UTC))  # two Mondays later
    resumed = await console.run(f"/briefing resume id:{info.id}")
    assert not resumed.error
    monday = datetime(2024, 5, 27, 7, tzinfo=UTC)
    assert f"next post <t:{int(monday.timestamp())}:F>" in raw_of(resumed)
    assert "next post Monday, 27 May 2024 07:00 UTC (in 7 days)" in text_of(resumed)  # the missed Mondays are not caught up
    async with console.bot.store.sessions() as session:
        now_active = await get_schedule(session, info.id)
    assert now_active.status is ScheduleStatus.active and now_active.next_run_at == monday

    cancelled = await console.run(f"/briefing cancel id:{info.id}")
    assert not cancelled.error and "will not post again" in text_of(cancelled)
    listing = text_of(await console.run("/briefing list"))
    assert "No scheduled briefings" in listing and "1 cancelled schedule is not shown" in listing
    gone = await console.run(f"/briefing resume id:{info.id}")
    assert gone.error and "no live schedule" in text_of(gone)


async def test_resume_refuses_while_the_channel_is_gone(console, cog):
    add_guild(console.bot, channels=False)
    info = await _schedule(console)
    await console.run(f"/briefing pause id:{info.id}")
    outcome = await console.run(f"/briefing resume id:{info.id}")
    assert outcome.error and "Channel gone" in text_of(outcome) and f"/briefing cancel id:{info.id}" in text_of(outcome)


async def test_another_servers_schedules_cannot_be_touched(console, cog, guild):
    theirs = await _schedule(console, guild_id=999)
    for command in ("pause", "resume", "cancel", "post-now"):
        outcome = await console.run(f"/briefing {command} id:{theirs.id}")
        assert outcome.error and f"no live schedule #{theirs.id}" in text_of(outcome)
    assert "No scheduled briefings" in text_of(await console.run("/briefing list"))


# -- /briefing preview and post-now ------------------------------------------------------------------


async def test_preview_shows_privately_exactly_what_would_be_posted(console, cog, guild):
    from bot.briefing_content import build_post

    outcome = await console.run("/briefing preview content:dialogue")
    assert not outcome.error
    assert_private_and_within_limits(outcome)
    expected = await build_post(console.bot.store, ContentKind.dialogue, rotation_key=None, on=NOW.date(), cadence=None)
    sent = outcome.events[-1].message.data
    assert sent["embeds"] == [e.to_dict() for e in expected.reply.first]
    assert sent["content"].startswith("🔍 Preview of the first post of a new dialogue digest schedule")
    assert sent["content"].endswith(expected.reply.content)


async def test_preview_of_on_this_day_without_an_anniversary_today(console, cog, guild):
    cog.clock.set(datetime(2024, 12, 25, 9, tzinfo=UTC))
    text = text_of(await console.run("/briefing preview content:on-this-day"))
    assert "Nothing is on record for today" in text and "12 January" in text and "On this day — 12 January" in text


async def test_post_now_posts_the_next_item_and_keeps_the_timetable(console, cog, guild):
    poster = RecordingPoster()
    console.bot.briefing_poster = poster
    info = await _schedule(console, ContentKind.pillar)
    outcome = await console.run(f"/briefing post-now id:{info.id}")
    assert not outcome.error and outcome.events[0].action == "defer"
    assert_private_and_within_limits(outcome)
    [sent] = poster.sent
    assert sent.channel_id == BRIEFINGS and sent.reply.first[0].title.startswith("Pillar 1:")
    assert sent.reply.content.startswith("📣 **RtoP briefing · Pillar explainer**")
    link = f"https://discord.com/channels/{GUILD_ID}/{BRIEFINGS}/{sent.message_id}"
    assert link in text_of(outcome)
    async with console.bot.store.sessions() as session:
        after = await get_schedule(session, info.id)
        [run_] = await list_runs(session, info.id)
    assert after.rotation_key == "1" and after.next_run_at == info.next_run_at and after.last_message_id == sent.message_id
    assert run_.trigger.value == "manual" and run_.message_id == sent.message_id


async def test_post_now_to_a_deleted_channel_pauses_and_says_so(console, cog, guild):
    console.bot.briefing_poster = RecordingPoster(always_fail=not_found())
    info = await _schedule(console, ContentKind.theme)
    outcome = await console.run(f"/briefing post-now id:{info.id}")
    assert outcome.error
    assert_private_and_within_limits(outcome)
    text = text_of(outcome)
    assert "Could not post" in text and "channel was not found" in text and f"/briefing resume id:{info.id}" in text
    async with console.bot.store.sessions() as session:
        after = await get_schedule(session, info.id)
    assert after.status is ScheduleStatus.paused and after.rotation_key is None


# -- the command group -----------------------------------------------------------------------------


def _group(console) -> app_commands.Group:
    group = console.bot.tree.get_command("briefing")
    assert isinstance(group, app_commands.Group)
    return group


def test_every_briefing_command_is_admin_only_and_the_group_is_guild_only(console):
    group = _group(console)
    names = sorted(c.name for c in group.commands)
    assert names == ["cancel", "list", "pause", "post-now", "preview", "resume", "schedule"]
    for command in group.commands:
        assert command.extras.get(CHANGES_DATA) is True, command.name
        assert admin_predicate in command.checks, command.name
    assert group.guild_only and group.default_permissions == discord.Permissions(manage_guild=True)
    schedule = group.get_command("schedule")
    assert [p.name for p in schedule.parameters] == ["channel", "cadence", "time", "timezone", "content", "weekday", "day"]
    assert schedule.get_parameter("channel").channel_types == [discord.ChannelType.text, discord.ChannelType.news]


def _text_size(node: Any) -> int:
    """What Discord counts toward the 8000-character limit: names, descriptions, choice names and values."""
    if isinstance(node, list):
        return sum(_text_size(x) for x in node)
    if not isinstance(node, dict):
        return 0
    size = sum(len(str(node.get(k) or "")) for k in ("name", "description"))
    if "value" in node and "options" not in node:
        size += len(str(node["value"]))
    return size + _text_size(node.get("options", [])) + _text_size(node.get("choices", []))


def test_the_briefing_group_fits_discords_size_limit(console):
    payload = _group(console).to_dict(console.bot.tree)
    assert _text_size(payload) < 4000  # Discord allows 8000
    assert len(json.dumps(payload)) < 8000


async def test_members_without_manage_server_are_refused(console, cog, guild):
    stranger = ConsoleUser(id=42, name="member", admin=False)
    for line in ("/briefing list", "/briefing preview content:pillar", "/briefing pause id:1"):
        outcome = await console.run(line, stranger)
        assert outcome.error and "Manage Server" in text_of(outcome), line
    refused = await run(console, SCHEDULE.format(c=BRIEFINGS), channel=guild.get_channel(BRIEFINGS), user=stranger)
    assert refused.error and "Nothing was changed" in text_of(refused)


async def test_time_zone_autocomplete_ranks_prefixes_before_substrings(console, cog):
    async def names(typed: str) -> list[str]:
        return [c["value"] for c in await console.autocomplete(f"/briefing schedule timezone:{typed}", "timezone")]

    assert (await names("paris"))[0] == "Europe/Paris"
    assert (await names("new york"))[0] == "America/New_York"
    assert "Australia/Sydney" in await names("Australia/S")
    assert (await names("sydney"))[0] == "Australia/Sydney"
    assert all("ber" in n.casefold() for n in await names("ber"))
    everything = await names("a")
    assert len(everything) == 25 and all(n.casefold().startswith("a") for n in everything[:10])


async def test_schedule_id_autocomplete_lists_this_servers_schedules(console, cog, guild):
    mine = await _schedule(console, ContentKind.theme)
    await _schedule(console, ContentKind.pillar, guild_id=999)
    choices = await console.autocomplete("/briefing pause id:", "id")
    assert [c["value"] for c in choices] == [mine.id]
    assert choices[0]["name"] == f"#{mine.id} · Theme spotlight · every Monday at 09:00 Europe/Paris · #briefings"


# -- the production poster ----------------------------------------------------------------------------


async def test_discord_poster_sends_embeds_with_a_nonce_and_no_pings(console, guild, monkeypatch):
    sent: list[dict[str, Any]] = []

    async def send_message(channel_id, *, params):
        sent.append({"channel_id": channel_id, **params.payload})
        return {"id": "123456789012345678", "channel_id": str(channel_id), "type": 0, "content": params.payload.get("content", ""),
                "author": BOT_USER, "embeds": params.payload.get("embeds", []), "attachments": [], "mentions": [],
                "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
                "timestamp": "2024-05-06T07:00:00+00:00", "edited_timestamp": None, "flags": 0, "components": []}

    monkeypatch.setattr(console.bot.http, "send_message", send_message)
    reply = Reply(pages=[[discord.Embed(title="Pillar 1", description="@everyone")]], content="📣 **Briefing**")
    poster = DiscordPoster(console.bot)
    assert await poster.post(BRIEFINGS, reply, nonce="rtop-run-7") == 123456789012345678
    [payload] = sent
    assert payload["channel_id"] == BRIEFINGS and payload["nonce"] == "rtop-run-7" and payload["enforce_nonce"] is True
    assert payload["allowed_mentions"] == {"parse": []}
    assert payload["embeds"][0]["title"] == "Pillar 1" and payload["content"] == "📣 **Briefing**"

    with pytest.raises(PostRefused, match="lacks Embed Links in #announcements"):
        await poster.post(ANNOUNCEMENTS, reply, nonce="rtop-run-8")
    assert len(sent) == 1


async def test_the_scheduler_only_starts_when_logged_in(console):
    assert console.bot.scheduler is None  # the console calls setup_hook without logging in
    assert isinstance(console.bot.briefing_poster, DiscordPoster)
    assert timedelta(minutes=console.bot.settings.briefing_grace_minutes) == timedelta(hours=1)


async def test_the_readme_shows_what_the_console_prints_for_a_schedule(console, cog):
    """README.md, "Scheduled briefings": its example, run on the Wednesday it names (NOW)."""
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Scheduled briefings", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, *shown = block.strip().splitlines()
    assert command.startswith("> /briefing schedule ")
    printed = text_of(await console.run(command.removeprefix("> ")))
    assert printed.splitlines() == shown
