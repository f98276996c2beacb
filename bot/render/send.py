"""Sends a Reply as the answer to an interaction, whatever state the interaction is in."""

from __future__ import annotations

import discord

from bot.render.layout import Reply
from bot.render.paginator import PageView

NO_PINGS = discord.AllowedMentions.none()


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    kwargs: dict = {
        "embeds": reply.first,
        "allowed_mentions": NO_PINGS,
        "ephemeral": reply.ephemeral,
    }
    if reply.content:
        kwargs["content"] = reply.content
    if reply.files:
        kwargs["files"] = [a.to_file() for a in reply.files]
    view = PageView(reply, interaction.user.id) if len(reply.pages) > 1 else None
    if view is not None:
        kwargs["view"] = view
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
        if view is not None:
            view.editor = interaction.edit_original_response
    else:
        message = await interaction.followup.send(wait=True, **kwargs)
        if view is not None:
            view.editor = message.edit
