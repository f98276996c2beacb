"""Page buttons: the view discord.py keeps for a paged reply, under the events Discord sends it."""

from __future__ import annotations

from bot import discord_internals
from bot.console import CHANNEL_ID, GUILD_ID, USER_ID, format_message
from bot.render.layout import Section, build_reply
from bot.render.paginator import PageView


async def test_an_edit_of_a_paged_message_elsewhere_keeps_its_buttons_working(console):
    """MESSAGE_UPDATE for a message with a view makes discord.py refresh the view from the new components
    (`View._refresh(components)`), so PageView must not shadow that hook."""
    reply = build_reply("t", sections=[Section("s", [f"line {i} " + "x" * 1000 for i in range(12)])])
    view = PageView(reply, owner_id=USER_ID)
    sent = (await console.run("/theme list", turn_pages=False)).events[-1].message.data
    message_id = int(sent["id"])
    discord_internals.store_view(console.bot, view, message_id)
    update = {**sent, "guild_id": str(GUILD_ID), "channel_id": str(CHANNEL_ID),
              "components": [{"type": 1, "components": [item.to_component_dict() for item in view.children]}]}

    discord_internals.gateway_event(console.bot, "MESSAGE_UPDATE", update)  # raised TypeError before

    assert [item.label for item in view.children] == ["◀ Previous", "1 / 3", "Next ▶"]
    assert view.page_count == 3 and not view.is_finished()
    next_button = view.children[2]
    pressed = await console.click(next_button.custom_id, {**sent, "components": update["components"]})
    assert "line" in format_message(pressed[-1].message.data)
    view.stop()
