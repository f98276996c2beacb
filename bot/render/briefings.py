"""Renderers for scheduled briefings: posts framed for a channel, "on this day", schedule lists and confirmations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Mapping, Sequence

from bot.render import labels, limits
from bot.render.embeds import esc
from bot.render.layout import INFO, NOTICE, Citations, Reply, Section, build_reply, message_reply
from db.briefing_models import Cadence, ContentKind, RunStatus, ScheduleStatus
from db.briefings import DatedEvent, RunInfo, ScheduleInfo
from db.briefings.timing import describe_rhythm, local_label

EVENT_MARKS = {"meeting": "🏛️", "report": "📄", "publication": "📰", "decision": "🗳️"}


def kind_label(kind: ContentKind) -> str:
    return labels.content_kind(kind)


def kind_phrase(kind: ContentKind) -> str:
    """"theme spotlight", "“on this day” briefing": the kind inside a sentence."""
    return "“on this day” briefing" if kind is ContentKind.on_this_day else kind_label(kind).lower()


def timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def channel_mention(channel_id: int) -> str:
    return f"<#{channel_id}>"


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def post_heading(kind: ContentKind, cadence: Cadence | None) -> str:
    rhythm = f"{labels.CADENCES[cadence]} " if cadence else ""
    return f"📣 **{rhythm}RtoP briefing · {kind_label(kind)}**"


def as_post(reply: Reply, heading: str, more: str | None = None) -> Reply:
    """One channel message from a rendered reply: a heading line, then the first page.

    Channel posts have no page buttons, so a reply that needs several pages is
    posted as its first page with a pointer to the command that shows it all.
    """
    lines = [heading]
    if len(reply.pages) > 1 and more:
        lines.append(f"Part 1 of {len(reply.pages)} — the whole briefing: {more}")
    elif more:
        lines.append(f"More: {more}")
    return Reply(pages=reply.pages[:1], content=limits.clip("\n".join(lines), limits.CONTENT), files=list(reply.files))


def on_this_day(day: date, events: Sequence[DatedEvent]) -> Reply:
    """The anniversaries of `day`, oldest first; one line per event, its sources cited."""
    citations = Citations()
    grouped: dict[tuple[int, str, str], list[DatedEvent]] = {}
    for event in sorted(events, key=lambda e: (e.day.year, e.what, e.text)):
        grouped.setdefault((event.day.year, event.what, event.text), []).append(event)
    lines = []
    for (year, what, text), same in grouped.items():
        ago = day.year - year
        when = f"**{year}**" + (f" ({ago} year{'s' if ago != 1 else ''} ago)" if ago > 0 else "")
        refs = "".join(dict.fromkeys(citations.cite(e.source) for e in same))
        lines.append(f"{when} · {EVENT_MARKS.get(what, '•')} {esc(text)} {refs}")
    years = sorted({e.year for e in events})
    more = [f"`/dialogue show year:{y}`" for y in years]
    on = f"{day.day} {day:%B}"
    return build_reply(
        f"On this day — {on}",
        description=f"What happened on {on} in the General Assembly's work on the Responsibility to Protect.",
        sections=[Section("Anniversaries", lines), Section("Read more", [" · ".join(more)])],
        citations=citations,
    )


def schedule_confirmation(
    info: ScheduleInfo, *, first: str | None, clock_notes: Sequence[str], first_anniversary: date | None = None
) -> Reply:
    """"Scheduled #3: theme spotlight every Monday at 09:00 Europe/Paris in #briefings; next post …"."""
    rhythm = describe_rhythm(info.timing)
    lines = [
        f"Scheduled **#{info.id}**: {kind_phrase(info.content)} {rhythm} in {channel_mention(info.channel_id)}; "
        f"next post {timestamp(info.next_run_at)} ({timestamp(info.next_run_at, 'R')}).",
        f"That is {local_label(info.next_run_at, info.timing.timezone)} in {info.timing.timezone}.",
    ]
    if info.content is ContentKind.on_this_day:
        when = f" The next one is {first_anniversary.day} {first_anniversary:%B}." if first_anniversary else ""
        lines.append(f"It posts only on days that are the anniversary of a dated event, and stays silent otherwise.{when}")
    elif first:
        lines.append(f"First up: **{esc(first)}**, then the rotation moves on after each successful post.")
    lines += list(clock_notes)
    lines.append(
        f"See exactly what it posts with `/briefing preview content:{info.content.value}`; "
        f"`/briefing pause id:{info.id}`, `/briefing cancel id:{info.id}` or `/briefing list` to manage it."
    )
    return build_reply("Briefing scheduled", description="\n".join(lines), colour=INFO, ephemeral=True)


def clock_notes(timing_desc: str, changes: Mapping[str, date]) -> list[str]:
    """What happens on the days the clocks change, when the chosen time is affected."""
    notes = []
    for change, day in sorted(changes.items(), key=lambda item: item[1]):
        if change == "gap":
            notes.append(
                f"🕑 On {day.day} {day:%B %Y} the clocks go forward past {timing_desc}: that day the post goes out "
                "as if they had not changed yet (later on the clock by the time skipped)."
            )
        else:
            notes.append(
                f"🕑 On {day.day} {day:%B %Y} the clocks go back and {timing_desc} happens twice: the post goes out "
                "once, at the first one."
            )
    return notes


def _schedule_lines(
    info: ScheduleInfo, next_label: str | None, last_run: RunInfo | None
) -> list[str]:
    lines = [
        f"**Where:** {channel_mention(info.channel_id)}",
        f"**When:** {esc(describe_rhythm(info.timing))}",
    ]
    if info.status is ScheduleStatus.active:
        lines.append(
            f"**Next post:** {local_label(info.next_run_at, info.timing.timezone)} · {timestamp(info.next_run_at)} "
            f"({timestamp(info.next_run_at, 'R')})"
        )
    else:
        since = f" since {timestamp(info.paused_at, 'R')}" if info.paused_at else ""
        lines.append(f"**Status:** paused{since} — {esc(info.pause_reason or 'paused by an admin.')}")
        failed = last_run is not None and last_run.detail == info.pause_reason
        fix = " once the channel and the bot's permissions there are right" if failed else ""
        lines.append(f"Resume with `/briefing resume id:{info.id}`{fix}.")
    if next_label:
        lines.append(f"**Next up:** {esc(next_label)}")
    if info.last_posted_at and info.last_message_id:
        link = message_link(info.guild_id, info.channel_id, info.last_message_id)
        lines.append(f"**Last post:** {timestamp(info.last_posted_at, 'R')} · [open]({link}) · {info.posts_count} so far")
    if (
        last_run is not None
        and last_run.status not in (RunStatus.posted, RunStatus.claimed)
        and last_run.detail != info.pause_reason
    ):
        detail = f" — {esc(limits.clip(last_run.detail or '', 200))}" if last_run.detail else ""
        lines.append(f"**Last run:** {labels.RUN_STATUSES[last_run.status]} {timestamp(last_run.claimed_at, 'R')}{detail}")
    return lines


def schedule_list(
    schedules: Sequence[ScheduleInfo],
    *,
    next_labels: Mapping[int, str],
    last_runs: Mapping[int, RunInfo],
    cancelled: int = 0,
) -> Reply:
    """Every live schedule of a server, one section each (the packer pages long lists)."""
    hidden = f" {cancelled} cancelled schedule{'s are' if cancelled != 1 else ' is'} not shown." if cancelled else ""
    if not schedules:
        return message_reply(
            "No scheduled briefings",
            "This server has no scheduled briefings yet. Create one with `/briefing schedule`, "
            f"e.g. `/briefing schedule channel:#briefings cadence:weekly weekday:monday time:09:00 "
            f"timezone:Europe/Paris content:theme`.{hidden}",
            colour=NOTICE,
        )
    sections = [
        Section(
            f"#{info.id} · {kind_label(info.content)} · {labels.SCHEDULE_STATUS_MARKS[info.status]}",
            _schedule_lines(info, next_labels.get(info.id), last_runs.get(info.id)),
        )
        for info in schedules
    ]
    paused = sum(1 for s in schedules if s.status is ScheduleStatus.paused)
    summary = f"{len(schedules)} schedule{'s' if len(schedules) != 1 else ''}"
    if paused:
        summary += f", {paused} paused"
    return build_reply(
        "Scheduled briefings",
        description=f"{summary}. Times are shown in each schedule's time zone and in yours.{hidden}",
        sections=sections,
        ephemeral=True,
    )


def preview_notice(kind: ContentKind, first: str | None, on: date | None, today: date) -> str:
    """The line above a preview that says what the post below is."""
    if kind is ContentKind.on_this_day:
        if on is None:
            return "🔍 Preview: no dated event is on record, so an “on this day” schedule would never post."
        if on == today:
            return f"🔍 Preview of what an “on this day” schedule posts today, {on.day} {on:%B}:"
        return (
            f"🔍 Nothing is on record for today; an “on this day” schedule stays silent until {on.day} {on:%B}, "
            "when it posts this:"
        )
    label = f" ({esc(first)})" if first else ""
    return f"🔍 Preview of the first post of a new {kind_label(kind).lower()} schedule{label}, exactly as it would appear:"


def with_notice(post: Reply, notice: str) -> Reply:
    """A post shown privately to the admin, under a line saying it is a preview."""
    content = limits.clip(f"{notice}\n\n{post.content or ''}".strip(), limits.CONTENT)
    return Reply(pages=post.pages, content=content, files=post.files, ephemeral=True)


def status_changed(title: str, text: str) -> Reply:
    return build_reply(title, description=text, colour=INFO, ephemeral=True)
