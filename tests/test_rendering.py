"""The layout packer keeps any result within Discord's limits, paging instead of cutting."""

from __future__ import annotations

import random

from bot.render.layout import Citations, Section, build_reply
from db.results import SourceRef
from tests.payloads import message_problems


def _ref(i: int) -> SourceRef:
    return SourceRef(f"k{i}", "A very long source title " * 8, "Publisher (PUB)", None, "undated", "kind")


def test_huge_results_are_paged_not_cut():
    rng = random.Random(7)
    lines = [f"line {i} " + "word " * rng.randint(1, 150) for i in range(200)]
    citations = Citations()
    for i in range(12):
        citations.cite(_ref(i))
    reply = build_reply(
        "T" * 400,
        description="d" * 9000,
        sections=[Section(f"section {n} " + "n" * 300, lines[n * 40 : (n + 1) * 40]) for n in range(5)],
        citations=citations,
    )
    assert len(reply.pages) > 5
    for page in reply.pages:
        assert message_problems(None, page) == []
        assert "Sources:" in page[0].footer.text
    joined = "\n".join(f.value for page in reply.pages for f in page[0].fields)
    assert all(line in joined for line in lines)  # nothing lost
    assert not reply.truncated


def test_an_overlong_line_continues_in_the_next_field():
    reply = build_reply("t", sections=[Section("s", ["word " * 600])])
    fields = reply.pages[0][0].fields
    assert [f.name for f in fields] == ["s", "s (continued)", "s (continued)"]
    assert not reply.truncated
    assert message_problems(None, reply.pages[0]) == []


def test_beyond_the_page_cap_the_reply_says_it_was_shortened():
    from bot.render.layout import MAX_PAGES

    reply = build_reply("t", sections=[Section("s", ["x" * 1000] * 400)])
    assert len(reply.pages) == MAX_PAGES and reply.truncated
    assert "Shortened" in reply.pages[0][0].footer.text


async def test_a_remembered_reply_cannot_be_changed_by_whoever_gets_it(store):
    """The renderers hand the very same reply to everyone who asks the same thing: it is read-only."""
    import discord
    import pytest

    from bot.render import embeds
    from bot.render.layout import FrozenReplyError
    from db import queries as q

    async with store.sessions() as session:
        themes, sources = await q.list_themes(session, 2014), await q.list_sources(session, [2014])
    reply = embeds.theme_list(themes, 2014, sources)
    assert embeds.theme_list(themes, 2014, sources) is reply
    embed = reply.first[0]
    footer = embed.footer.text
    for change in (lambda: embed.set_footer(text="mine"), lambda: embed.add_field(name="n", value="v"),
                   lambda: setattr(embed, "title", "mine"), embed.clear_fields, lambda: setattr(reply, "content", "x")):
        with pytest.raises(FrozenReplyError):
            change()
    with pytest.raises((TypeError, AttributeError)):
        reply.pages[0].append(discord.Embed())  # type: ignore[attr-defined]
    assert embeds.theme_list(themes, 2014, sources).first[0].footer.text == footer
    copy = discord.Embed.from_dict(embed.to_dict()).set_footer(text="mine")  # a copy may be changed
    assert copy.footer.text == "mine" and embed.footer.text == footer


async def test_a_cog_that_changes_a_shared_reply_fails_its_command(console, monkeypatch):
    """What the command tests would see if a cog added a footer to a remembered reply."""
    import sys

    from bot.render.send import send_reply

    async def send_with_a_footer(interaction, reply, **kwargs):
        reply.first[0].set_footer(text="changed for everyone")
        await send_reply(interaction, reply, **kwargs)

    monkeypatch.setattr(sys.modules["cogs.themes"], "send_reply", send_with_a_footer)  # the loaded extension
    outcome = await console.run("/theme list dialogue:2014")
    assert outcome.error
    monkeypatch.undo()
    assert "changed for everyone" not in str((await console.run("/theme list dialogue:2014")).events[-1].message.data)
