"""Sends a Reply as the answer to an interaction, whatever state the interaction is in."""

from __future__ import annotations

import functools
from typing import Any

import discord

from bot import deadline
from bot.render.layout import Reply
from bot.render.paginator import EditableView, MessageEditor, PageView

NO_PINGS = discord.AllowedMentions.none()


async def send_reply(interaction: discord.Interaction, reply: Reply, *, view: discord.ui.View | None = None) -> None:
    """Sends the reply's first page, with buttons for the others (or with `view`, for a one-page reply).

    Answers the interaction, or follows up on its "thinking…"; a view's `editor`
    is set to what edits the message when the view times out.
    """
    kwargs: dict[str, Any] = {
        "embeds": reply.first,
        "allowed_mentions": NO_PINGS,
        "ephemeral": reply.ephemeral,
    }
    if reply.content:
        kwargs["content"] = reply.content
    if reply.files:
        kwargs["files"] = [a.to_file() for a in reply.files]
    if view is None and len(reply.pages) > 1:
        view = PageView(reply, interaction.user.id)
    if view is not None:
        kwargs["view"] = view
    async with deadline.responding(interaction):
        deadline.answered(interaction)
        if not interaction.response.is_done():
            response = await interaction.response.send_message(**kwargs)
            if isinstance(view, EditableView):
                message_id = getattr(response, "message_id", None)
                view.editor = _editor(interaction, message_id) if message_id else interaction.edit_original_response
        else:
            if reply.ephemeral and interaction.extras.pop(deadline.PUBLIC_THINKING, False):
                # "thinking…" was shown to everyone, and the first follow-up would take its place, in public:
                # an answer for the person alone (an error, say) goes in a message of its own instead
                await interaction.delete_original_response()
            message = await interaction.followup.send(wait=True, **kwargs)
            if isinstance(view, EditableView):
                view.editor = _editor(interaction, message.id)
    if isinstance(view, PageView):
        view.sent()  # after the answer is on its way: the other pages wait, compressed, for the buttons


def _editor(interaction: discord.Interaction, message_id: int) -> MessageEditor:
    """What disables the buttons when they time out: an edit through the interaction's webhook.

    It holds the webhook and the message id only, not the interaction and the message
    with its embeds, which would otherwise stay in memory for as long as the buttons work.
    """
    return functools.partial(interaction.followup.edit_message, message_id)
