"""The posts scheduled briefings make: the next item of each rotation, rendered by the read commands' renderers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.render import briefings as render
from bot.render import embeds
from bot.render.layout import Reply
from db import queries as q
from db.briefing_models import Cadence, ContentKind
from db.briefings import (
    DatedEvent,
    RotationItem,
    ScheduleInfo,
    dated_events,
    events_on,
    next_event_day,
    next_item,
    rotation_items,
)
from db.store import Store


class NothingToPost(LookupError):
    """The store has nothing of this kind (e.g. every theme was removed)."""


@dataclass(frozen=True)
class BriefingPost:
    reply: Reply  # one channel message: heading line and embeds within Discord's limits
    item_key: str | None  # stored as the schedule's rotation state once the post succeeds
    label: str  # what the post is about, for confirmations and logs


async def build_post(
    store: Store, kind: ContentKind, *, rotation_key: str | None, on: date, cadence: Cadence | None,
    guild_id: int | None = None,
) -> BriefingPost | None:
    """The post after `rotation_key` in the kind's rotation; for "on this day", the anniversaries of `on`.

    It draws on what `guild_id`'s server sees (the shared base and its own layer), in one
    snapshot of the records. None when "on this day" has nothing for that date. Nothing is
    stored here: the caller advances the rotation after the post succeeds.
    """
    return await store.read(guild_id, _post, kind, rotation_key, on, render.post_heading(kind, cadence))


async def _post(session: AsyncSession, kind: ContentKind, rotation_key: str | None, on: date,
                heading: str) -> BriefingPost | None:
    if kind is ContentKind.on_this_day:
        events = events_on(await dated_events(session), on.month, on.day)
        if not events:
            return None
        anniversaries = render.on_this_day(on, events)
        return BriefingPost(render.as_post(anniversaries, heading), on.isoformat(), f"On this day, {on.day} {on:%B}")
    item = next_item(await rotation_items(session, kind), rotation_key)
    if item is None:
        raise NothingToPost(f"there is nothing to post for {render.kind_label(kind).lower()}")
    reply: Reply | None
    if kind is ContentKind.pillar:
        pillar = await q.pillar_explainer(session, int(item.key))
        reply, more = (embeds.pillar(pillar) if pillar else None), f"`/pillar explain pillar:{item.key}`"
    elif kind is ContentKind.dialogue:
        detail = await q.dialogue_detail(session, int(item.key))
        reply, more = (embeds.dialogue_detail(detail) if detail else None), f"`/dialogue show year:{item.key}`"
    elif kind is ContentKind.theme:
        states = await q.theme_states(session, item.key)
        reply, more = (embeds.theme_states(states, None) if states else None), f"`/theme states theme:{item.key}`"
    else:
        profile = await q.actor_profile(session, item.key)
        reply, more = (embeds.actor_profile(profile) if profile else None), f"`/state profile state:{item.key}`"
    if reply is None:
        raise NothingToPost(f"{item.label} was removed while the post was being prepared")
    return BriefingPost(render.as_post(reply, heading, more), item.key, item.label)


async def post_for_schedule(store: Store, schedule: ScheduleInfo, on: date, *, manual: bool = False) -> BriefingPost | None:
    """What `schedule` posts next (on `on`, its local date); a manual post has no cadence in its heading."""
    return await build_post(
        store, schedule.content, rotation_key=schedule.rotation_key, on=on,
        cadence=None if manual else schedule.timing.cadence, guild_id=schedule.guild_id,
    )


async def preview(
    store: Store, kind: ContentKind, today: date, guild_id: int | None = None
) -> tuple[BriefingPost | None, date | None]:
    """The first post of a new schedule of this kind, and the date it is for.

    "On this day" previews today's anniversaries, or the next day that has any.
    """
    if kind is ContentKind.on_this_day:
        events = await store.read(guild_id, dated_events)
        on = today if events_on(events, today.month, today.day) else next_event_day(events, today)
        if on is None:
            return None, None
        return await build_post(store, kind, rotation_key=None, on=on, cadence=None, guild_id=guild_id), on
    return await build_post(store, kind, rotation_key=None, on=today, cadence=None, guild_id=guild_id), today


async def first_item(store: Store, kind: ContentKind, guild_id: int | None = None) -> RotationItem | None:
    return next_item(await store.read(guild_id, rotation_items, kind), None)


async def next_anniversary(store: Store, on_or_after: date, guild_id: int | None = None) -> date | None:
    events = await store.read(guild_id, dated_events)
    if events_on(events, on_or_after.month, on_or_after.day):
        return on_or_after
    return next_event_day(events, on_or_after)


async def next_labels(store: Store, schedules: Sequence[ScheduleInfo], guild_id: int | None = None) -> dict[int, str]:
    """What each of a server's schedules posts next: its rotation's next item, or its next anniversary for "on this day"."""
    labels: dict[int, str] = {}
    items, events = await store.read(guild_id, _rotations, {s.content for s in schedules})
    for schedule in schedules:
        if schedule.content is ContentKind.on_this_day:
            local = schedule.next_run_at.astimezone(schedule.timing.zone).date()
            day = local if events_on(events, local.month, local.day) else next_event_day(events, local)
            if day is not None:
                labels[schedule.id] = f"the anniversaries of {day.day} {day:%B} (silent on other days)"
            continue
        item = next_item(items[schedule.content], schedule.rotation_key)
        if item is not None:
            labels[schedule.id] = item.label
    return labels


async def _rotations(session: AsyncSession, kinds: set[ContentKind]) -> tuple[dict[ContentKind, list[RotationItem]],
                                                                              list[DatedEvent]]:
    """Each kind's rotation, and the dated events when "on this day" is among `kinds`, in one snapshot."""
    items = {kind: await rotation_items(session, kind) for kind in kinds}
    return items, (await dated_events(session) if ContentKind.on_this_day in kinds else [])


__all__ = [
    "BriefingPost",
    "NothingToPost",
    "build_post",
    "first_item",
    "next_anniversary",
    "next_labels",
    "post_for_schedule",
    "preview",
]
