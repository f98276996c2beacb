"""What every part of /admin shares: the server's `Admin`, replies, forms, record pickers and cited sources."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Coroutine

import discord
from discord import app_commands
from discord.ext import commands

from bot.admin_ui import Field, RecordModal
from bot.checks import admin_autocomplete
from bot.client import BriefingBot, Interaction
from bot.render import admin as render
from bot.render.send import send_reply
from db.admin.entities import Portable, RecordKind
from db.admin.service import Admin, Change, ChangeAuthor

Choice = app_commands.Choice
Picker = Callable[[Interaction, str], Coroutine[Any, Any, list[Choice[int]]]]


def author_of(interaction: discord.Interaction[Any]) -> ChangeAuthor:
    return ChangeAuthor(interaction.user.id, interaction.user.display_name, interaction.guild_id)


def admin_of(interaction: Interaction) -> Admin:
    """Changes in the interaction's server: its own layer, or the shared base in a curator server."""
    return Admin(interaction.client.store, interaction.guild_id)


def picker(kind: RecordKind) -> Picker:
    """Autocomplete for an option that picks a record of `kind` by its number."""

    @admin_autocomplete
    async def complete(interaction: Interaction, current: str) -> list[Choice[int]]:
        found = await admin_of(interaction).pick(kind, current)
        return [Choice(name=label[:100], value=record_id) for record_id, label in found]

    return complete


@admin_autocomplete
async def source_autocomplete(interaction: Interaction, current: str) -> list[Choice[str]]:
    found = await admin_of(interaction).sources(current)
    return [Choice(name=f"{key} · {title}"[:100], value=key) for key, title in found]


def cited(source: str | None, values: dict[str, str]) -> Any:
    """The cited source: an existing key, or a new one from the modal's title and URL."""
    if source:
        return source
    return {"title": values.get("source_title", ""), "url": values.get("source_url", "")}


def source_fields(source: str | None) -> list[Field]:
    """The form asks for a new source's title and URL when no `source:` option was given."""
    if source:
        return []
    return [
        Field("source_title", "Source title (or pick a source option)", max_length=300),
        Field("source_url", "Source URL", required=False, max_length=500, placeholder="https://…"),
    ]


class AdminBase(commands.Cog):
    """The parts of the /admin cog (one mixin per record kind) share the bot and these helpers.

    A cog class, as discord.py types a group's commands by it; only `AdminCog` is instantiated.
    """

    bot: BriefingBot

    async def done(self, interaction: discord.Interaction[Any], change: Awaitable[Change]) -> None:
        await send_reply(interaction, render.change(await change))

    async def open_form(self, interaction: Interaction, title: str, fields: list[Field],
                        then: Callable[[dict[str, str]], Awaitable[Change]]) -> None:
        """Opens a modal; its values go to `then`, whose change is the reply to the submit."""

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await self.done(modal_interaction, then(values))

        await interaction.response.send_modal(RecordModal(title, fields, submit))

    async def change(self, interaction: Interaction, kind: RecordKind, record_id: int | None, data: Portable) -> None:
        """Adds (no `record_id`) or edits a record of `kind` now, and replies with the change."""
        admin = admin_of(interaction)
        if record_id is None:
            await self.done(interaction, admin.add(kind, data, author_of(interaction)))
        else:
            await self.done(interaction, admin.edit(kind, record_id, data, author_of(interaction)))

    async def remove(self, interaction: Interaction, kind: RecordKind, record_id: int) -> None:
        await self.done(interaction, admin_of(interaction).remove(kind, record_id, author_of(interaction)))
