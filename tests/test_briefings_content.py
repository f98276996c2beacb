"""Briefing posts: each kind is a standalone message within Discord's limits that cites its sources."""

from __future__ import annotations

from datetime import date

import pytest

from bot.briefing_content import build_post, next_labels, preview
from bot.render import briefings as render
from bot.render.layout import Section, build_reply
from db.briefing_models import Cadence, ContentKind
from db.briefings import dated_events, events_on, next_event_day, next_item, rotation_items
from db.briefings.content import _days
from tests.payloads import message_problems

KINDS = [ContentKind.pillar, ContentKind.dialogue, ContentKind.theme, ContentKind.state]


def post_text(reply) -> str:
    embed = reply.first[0]
    return "\n".join([reply.content or "", embed.title or "", embed.description or ""] + [f.value for f in embed.fields])


def assert_postable(reply) -> None:
    assert len(reply.pages) == 1 and not reply.ephemeral
    assert message_problems(reply.content, reply.first) == []
    assert reply.content.startswith("📣 **")
    assert "Sources:" in (reply.first[0].footer.text or "")


@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
async def test_every_item_of_every_rotation_is_a_cited_post_within_limits(store, kind):
    async with store.sessions() as session:
        items = await rotation_items(session, kind)
    assert items
    key = None
    for item in items:
        post = await build_post(store, kind, rotation_key=key, on=date(2024, 5, 6), cadence=Cadence.weekly)
        assert post.item_key == item.key and post.label == item.label
        assert_postable(post.reply)
        assert post.reply.content.startswith(f"📣 **Weekly RtoP briefing · {render.kind_label(kind)}**")
        key = post.item_key


async def test_the_posts_reuse_the_read_commands_renderers(store):
    pillar = await build_post(store, ContentKind.pillar, rotation_key="1", on=date(2024, 5, 6), cadence=None)
    assert pillar.reply.first[0].title.startswith("Pillar 2:") and "`/pillar explain pillar:2`" in pillar.reply.content
    digest = await build_post(store, ContentKind.dialogue, rotation_key="2013", on=date(2024, 5, 6), cadence=None)
    assert digest.item_key == "2014" and "A/68/947" in post_text(digest.reply) and "Fourteen states" in post_text(digest.reply)
    theme = await build_post(store, ContentKind.theme, rotation_key=None, on=date(2024, 5, 6), cadence=None)
    assert theme.reply.first[0].title.startswith("Who raised") and "✅" in post_text(theme.reply)
    state = await build_post(store, ContentKind.state, rotation_key="Rwanda", on=date(2024, 5, 6), cadence=None)
    assert state.item_key != "Rwanda" and "/state profile state:" in state.reply.content


async def test_rotations_wrap_and_follow_the_timeline(store):
    async with store.sessions() as session:
        pillars = await rotation_items(session, ContentKind.pillar)
        dialogues = await rotation_items(session, ContentKind.dialogue)
        states = await rotation_items(session, ContentKind.state)
    assert [next_item(pillars, k).key for k in (None, "1", "2", "3")] == ["1", "2", "3", "1"]
    assert next_item(pillars, "no longer there").key == "1"
    years = [int(i.key) for i in dialogues]
    assert years == sorted(years) and 2009 in years and 2024 in years and 2020 not in years  # no meeting in 2020
    assert "Rwanda" in [i.key for i in states] and "Atlantis" not in [i.key for i in states]
    assert next_item([], None) is None


def test_dates_in_the_timeline_are_read_fully():
    assert _days("2009-07-21 (report presented); 2009-07-23/24/28 (debate)") == [
        date(2009, 7, 21), date(2009, 7, 23), date(2009, 7, 24), date(2009, 7, 28)
    ]
    assert _days("2012-07 (month only)") == []
    assert _days("2013-07-09 (made public 2013-08-05)") == [date(2013, 7, 9), date(2013, 8, 5)]


async def test_on_this_day_finds_meetings_reports_and_votes(store):
    async with store.sessions() as session:
        events = await dated_events(session)
    september_8 = events_on(events, 9, 8)
    assert {e.year for e in september_8} == {2014, 2015} and {e.what for e in september_8} == {"meeting"}
    assert [e.what for e in events_on(events, 9, 14)] == ["decision"]  # GA resolution 63/308, 2009
    june_27 = events_on(events, 6, 27)
    assert {e.year for e in june_27} == {2011, 2019}
    assert len({e.source.key for e in june_27 if e.year == 2011}) == 3  # the date as three sources give it
    assert next_event_day(events, date(2024, 9, 8)) == date(2024, 9, 11)
    assert events_on(events, 12, 25) == []

    post = await build_post(store, ContentKind.on_this_day, rotation_key=None, on=date(2025, 6, 27), cadence=Cadence.daily)
    assert_postable(post.reply)
    text = post_text(post.reply)
    assert "On this day — 27 June" in text and "**2011** (14 years ago)" in text and "2019" in text
    assert "sources differ: also given as 2011-07-07" in text and "/dialogue show year:2011" in text
    assert post.item_key == "2025-06-27"
    assert await build_post(store, ContentKind.on_this_day, rotation_key=None, on=date(2025, 12, 25), cadence=None) is None


async def test_preview_of_on_this_day_moves_to_the_next_anniversary(store):
    post, on = await preview(store, ContentKind.on_this_day, date(2025, 12, 25))
    assert on == date(2026, 1, 12) and "On this day — 12 January" in post.reply.first[0].title
    same, today = await preview(store, ContentKind.on_this_day, date(2025, 9, 8))
    assert today == date(2025, 9, 8)
    theme, _ = await preview(store, ContentKind.theme, date(2025, 9, 8))
    async with store.sessions() as session:
        first = next_item(await rotation_items(session, ContentKind.theme), None)
    assert theme.item_key == first.key


def test_a_reply_of_several_pages_is_posted_as_its_first_page_with_a_pointer():
    long = build_reply("Long record", sections=[Section("Lines", [f"line {i} " + "x" * 900 for i in range(20)])])
    assert len(long.pages) > 1
    post = render.as_post(long, render.post_heading(ContentKind.state, Cadence.monthly), "`/state profile state:Cuba`")
    assert len(post.pages) == 1 and post.first == long.pages[0]
    assert f"Part 1 of {len(long.pages)}" in post.content and "`/state profile state:Cuba`" in post.content
    assert post.content.startswith("📣 **Monthly RtoP briefing · State spotlight**")
    assert message_problems(post.content, post.first) == []


async def test_next_labels_say_what_each_schedule_posts_next(store):
    from datetime import UTC, datetime

    from db.briefings import Timing, create_schedule

    made = {}
    for kind in (ContentKind.pillar, ContentKind.on_this_day):
        made[kind] = await store.write(
            None, create_schedule, guild_id=1, channel_id=2, content=kind, created_by=3, created_by_name="t",
            timing=Timing(Cadence.daily, 9, 0, "Europe/Paris"), now=datetime(2025, 9, 7, 12, tzinfo=UTC),
        )
    labels = await next_labels(store, list(made.values()))
    assert labels[made[ContentKind.pillar].id].startswith("Pillar 1:")
    assert labels[made[ContentKind.on_this_day].id] == "the anniversaries of 8 September (silent on other days)"
