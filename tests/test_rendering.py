"""The layout packer keeps any result within Discord's limits, paging instead of cutting."""

from __future__ import annotations

import random

from bot.render import limits
from bot.render.layout import Citations, Section, build_reply
from db.results import SourceRef


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
        assert limits.violations(None, page) == []
        assert "Sources:" in page[0].footer.text
    joined = "\n".join(f.value for page in reply.pages for f in page[0].fields)
    assert all(line in joined for line in lines)  # nothing lost
    assert not reply.truncated


def test_an_overlong_line_continues_in_the_next_field():
    reply = build_reply("t", sections=[Section("s", ["word " * 600])])
    fields = reply.pages[0][0].fields
    assert [f.name for f in fields] == ["s", "s (continued)", "s (continued)"]
    assert not reply.truncated
    assert limits.violations(None, reply.pages[0]) == []


def test_beyond_the_page_cap_the_reply_says_it_was_shortened():
    from bot.render.layout import MAX_PAGES

    reply = build_reply("t", sections=[Section("s", ["x" * 1000] * 400)])
    assert len(reply.pages) == MAX_PAGES and reply.truncated
    assert "Shortened" in reply.pages[0][0].footer.text


def test_violations_detects_each_limit():
    import discord

    embed = discord.Embed(title="t" * 257, description="d" * 4097)
    for _ in range(26):
        embed.add_field(name="n", value="v")
    embed.set_footer(text="f" * 2049)
    problems = limits.violations("c" * 2001, [embed] * 11)
    for word in ("content", "embeds", "title", "description", "fields", "footer", "total"):
        assert any(word in p for p in problems), word
