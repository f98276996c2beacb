"""Sends a Reply as the answer to an interaction, whatever state the interaction is in."""

from __future__ import annotations

import functools

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
        response = await interaction.response.send_message(**kwargs)
        if view is not None:
            message_id = getattr(response, "message_id", None)
            view.editor = _editor(interaction, message_id) if message_id else interaction.edit_original_response
    else:
        message = await interaction.followup.send(wait=True, **kwargs)
        if view is not None:
            view.editor = _editor(interaction, message.id)
    if view is not None:
        view.pack()  # after the answer is on its way: the other pages wait, compressed, for the buttons


def _editor(interaction: discord.Interaction, message_id: int):  # type: ignore[no-untyped-def]
    """What disables the buttons when they time out: an edit through the interaction's webhook.

    It holds the webhook and the message id only, not the interaction and the message
    with its embeds, which would otherwise stay in memory for as long as the buttons work.
    """
    return functools.partial(interaction.followup.edit_message, message_id)
