"""Every slash command through its real callback, for a success and an error case."""

from __future__ import annotations

import pytest

from bot.console import ConsoleInputError, ConsoleUser, format_outcome
from tests.conftest import READS_ONLY
from tests.payloads import assert_within_limits


def text_of(outcome) -> str:
    return format_outcome(outcome)


SUCCESS = {
    "/dialogue list": ["2009", "2024", "detailed records", "Timeline"],
    "/dialogue show year:2014": ["A/68/947", "sixty-seven", "Adama Dieng", "Jean Ping", "Fourteen states"],
    "/dialogue show year:2011": ["2011-07-07", "2011-06-27", "sources differ", "Singapore"],
    "/dialogue show year:2018": ["From early warning to early action", "No detailed record"],
    "/theme list": ["Veto restraint", "veto-restraint", "named"],
    "/theme list dialogue:2012": ["Responsibility while protecting", "Singapore" if False else "named"],
    "/theme states theme:prevention dialogue:2014": ["Costa Rica", "Luxembourg", "partial list", "and many others"],
    "/theme states theme:veto": ["Fourteen states", "not named in the source", "Singapore"],
    "/theme states theme:imperialist doctrine": ["Cuba", "Pakistan", "Venezuela"],
    "/state profile state:Ivory Coast": ["Côte d'Ivoire", "CIV", "civil society"],
    "/state profile state:Rwanda": ["on behalf of Group of Friends", "2014"],
    "/state profile state:Group of Friends": ["Rwanda spoke on its behalf"],
    "/state profile state:Singapore": ["distributed but not delivered"],
    "/pillar explain pillar:3": ["timely and decisive", "Arab League", "Veto restraint"],
    "/ask question:Who spoke for the Group of Friends?": ["Rwanda"],
    "/sources": ["ICRtoP", "2011-08-10", "Timeline of UN General Assembly meetings"],
    "/help": ["/theme states", "/ask", "e.g."],
}


@pytest.mark.parametrize("line, expected", SUCCESS.items())
@READS_ONLY
async def test_command_succeeds_with_cited_payload_within_limits(reading_console, line, expected):
    outcome = await reading_console.run(line)
    assert not outcome.error
    assert_within_limits(outcome)
    text = text_of(outcome)
    for fragment in expected:
        assert fragment in text, f"{fragment!r} missing from {line}"
    if line not in ("/help",):
        assert "Sources:" in text or "/sources" in line or "Timeline" in text


ERRORS = {
    "/dialogue show year:1999": ["No meeting that year", "2009"],
    "/theme list dialogue:2016": ["No detailed records", "2014"],
    "/theme states theme:Atlantis": ["Unknown theme", "/theme list"],
    "/theme states theme:prevnetion": ["Unknown theme", "Prevention as the cornerstone"],
    "/theme chart dialogue:2030": ["No meeting that year"],
    "/state profile state:Atlantis": ["Unknown state or organisation"],
    "/state profile state:Venezeula": ["Venezuela (Bolivarian Republic of)"],
    "/ask question:   ": ["Empty question"],
}


@pytest.mark.parametrize("line, expected", ERRORS.items())
@READS_ONLY
async def test_user_errors_get_an_ephemeral_reply_with_suggestions(reading_console, line, expected):
    outcome = await reading_console.run(line)
    assert outcome.error
    assert_within_limits(outcome)
    assert all(e.message.ephemeral for e in outcome.events)
    text = text_of(outcome)
    for fragment in expected:
        assert fragment in text


async def test_pillar_choice_out_of_range_is_refused(console):
    outcome = await console.run("/pillar explain pillar:7")
    assert outcome.error
    assert "not a valid value" in text_of(outcome) or "Invalid" in text_of(outcome)


async def test_unexpected_errors_are_logged_with_an_id_the_user_can_quote(console, caplog, monkeypatch):
    from db import queries

    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(queries, "dialogues_with_sources", broken)
    outcome = await console.run("/dialogue list")
    assert outcome.error
    text = text_of(outcome)
    assert "error id" in text
    error_id = text.split("error id ")[1].split()[0].strip("`.")
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    assert "database on fire" not in text
    assert all(e.message.ephemeral for e in outcome.events)


async def test_chart_is_a_png_attachment_after_deferring(console):
    outcome = await console.run("/theme chart dialogue:2014")
    assert not outcome.error
    assert outcome.events[0].action == "defer"
    final = outcome.events[-1]
    assert final.message.files and final.message.files[0].filename == "themes.png"
    png = final.message.files[0].data
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert final.message.data["embeds"][0]["image"]["url"] == "attachment://themes.png"
    assert_within_limits(outcome)


async def test_long_results_paginate_and_pages_refuse_other_users(console):
    outcome = await console.run("/theme list", turn_pages=False)
    first = outcome.events[0].message.data
    buttons = [c for row in first["components"] for c in row["components"]]
    assert [b["label"] for b in buttons] == ["◀ Previous", "1 / 2", "Next ▶"]
    next_button = buttons[2]

    stranger = ConsoleUser(id=42, name="someone-else", admin=False)
    refused = await console.click(next_button["custom_id"], first, stranger)
    assert len(refused) == 1 and refused[0].message.ephemeral
    assert "belong to the person who ran the command" in refused[0].message.data["content"]

    turned = await console.click(next_button["custom_id"], first)
    assert turned[-1].action == "update"
    page_two = turned[-1].message.data
    assert "Page 2/2" in page_two["embeds"][0]["footer"]["text"]
    labels = {b["label"]: b.get("disabled", False) for row in page_two["components"] for b in row["components"]}
    assert labels["Next ▶"] is True and labels["◀ Previous"] is False

    # the console prints every page
    full = await console.run("/theme list")
    assert "page 1 of 2" in text_of(full) and "page 2 of 2" in text_of(full)


async def test_page_buttons_are_disabled_on_timeout(console):
    from bot.render.layout import build_reply, Section
    from bot.render.paginator import PageView

    reply = build_reply("t", sections=[Section("s", ["x" * 1000] * 12)])
    view = PageView(reply, owner_id=1, timeout=0.05)
    edits = []

    async def editor(**kwargs):
        edits.append(kwargs)

    view.editor = editor
    import asyncio

    from bot import discord_internals

    discord_internals.store_view(console.bot, view, 1234)  # what sending the message does
    assert await asyncio.wait_for(view.wait(), 2) is True  # timed out
    await asyncio.sleep(0)
    assert edits and all(item.disabled for item in edits[0]["view"].children)


async def test_console_rejects_unknown_commands_and_missing_options(console):
    with pytest.raises(ConsoleInputError, match="Unknown command"):
        await console.run("/nonsense")
    with pytest.raises(ConsoleInputError, match="needs theme"):
        await console.run("/theme states")
    with pytest.raises(ConsoleInputError, match="not a number"):
        await console.run("/dialogue show year:twenty")


async def test_mentions_in_user_input_never_ping(console):
    outcome = await console.run("/ask question:@everyone <@123> what did Cuba say?")
    assert_within_limits(outcome)
    text = text_of(outcome)
    assert "Cuba" in text


async def test_past_the_most_live_page_views_the_oldest_stop_and_say_so(console, monkeypatch):
    from bot.render import paginator

    monkeypatch.setattr(paginator, "MAX_LIVE_VIEWS", 2)
    monkeypatch.setattr(paginator, "_LIVE", type(paginator._LIVE)())
    answers = [await console.run("/theme list", turn_pages=False) for _ in range(3)]
    assert len(paginator._LIVE) == 2
    requests = len(console.api.events)  # retiring a view sends nothing to Discord
    oldest, newest = (answers[i].events[0].message.data for i in (0, 2))

    def next_button(message):  # type: ignore[no-untyped-def]
        return next(c for row in message["components"] for c in row["components"] if c["label"] == "Next ▶")

    assert len(console.api.events) == requests
    pressed = await console.click(next_button(oldest)["custom_id"], oldest)
    assert len(pressed) == 1 and pressed[0].message.ephemeral
    assert pressed[0].message.data["content"] == paginator.RETIRED_NOTE
    turned = await console.click(next_button(newest)["custom_id"], newest)
    assert turned and turned[0].action == "update"
    assert "Page 2/2" in turned[0].message.data["embeds"][0]["footer"]["text"]


async def test_every_help_example_runs_as_written(console):
    """/help shows one example per command (per group for admins): each one is a command that answers."""
    from cogs.reference import command_catalogue

    examples = [example for _, _, example in command_catalogue(console.bot.tree)]
    assert "/admin audit" in examples and "/briefing list" in examples
    for example in examples:
        outcome = await console.run(example, turn_pages=False)
        assert outcome.events and not outcome.error, example


async def test_theme_list_shows_a_new_theme_without_positions_marked(console):
    added = await console.run("/admin theme add slug:early-warning-apps name:Early-warning apps"
                              " || description:Apps that warn communities. keywords:apps, phones")
    assert not added.error, format_outcome(added)
    listed = format_outcome(await console.run("/theme list"))
    assert "Early-warning apps · `early-warning-apps` — no positions recorded yet" in listed.replace("\\", "")
    assert "early-warning-apps" not in format_outcome(await console.run("/theme list dialogue:2014"))


async def test_tab_completes_commands_then_options_then_choices(console):
    from bot.console import completions

    tree = console.bot.tree
    assert "/theme " in completions(tree, "/") and completions(tree, "/th") == ["/theme "]
    assert completions(tree, "/theme s") == ["states "]
    assert completions(tree, "/theme states ") == ["theme:", "dialogue:"]
    assert completions(tree, "/theme states theme:veto d") == ["dialogue:"]  # options already given are not offered
    assert completions(tree, "/briefing schedule cadence:w") == ["cadence:weekly "]
    assert completions(tree, "theme") == []
    for offer in completions(tree, "/admin position "):  # each subcommand offered then offers its options
        assert completions(tree, "/admin position " + offer)
