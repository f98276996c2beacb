"""/admin audit, undo, export and import: a server's changes as a whole."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import deadline
from bot.admin_ui import ImportView
from bot.checks import admin_only
from bot.client import Interaction
from bot.errors import UserFacingError
from bot.render import admin as render
from bot.render.send import send_reply
from bot.transformers import RecordId
from cogs.admin.common import AdminBase, admin_of, author_of
from db.admin.transfer import Transfer

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def transfer_of(interaction: Interaction) -> Transfer:
    return Transfer(interaction.client.store, interaction.guild_id)


class RecordsAdmin(AdminBase):
    @admin_only()
    @app_commands.command(name="audit", description="Recent changes")
    @app_commands.describe(limit="How many (default 50)")
    async def audit(self, interaction: Interaction, limit: app_commands.Range[int, 1, 500] = 50) -> None:
        entries = await admin_of(interaction).audit(interaction.guild_id, limit)
        await send_reply(interaction, render.audit(entries))

    @admin_only()
    @app_commands.command(name="undo", description="Revert a change (default: the latest)")
    @app_commands.describe(entry="Audit entry number")
    async def undo(self, interaction: Interaction, entry: RecordId | None = None) -> None:
        await self.done(interaction, admin_of(interaction).undo(entry, author_of(interaction)))

    @admin_only()
    @app_commands.command(name="export", description="Admin records as JSON, positions as CSV")
    async def export(self, interaction: Interaction) -> None:
        await deadline.defer(interaction, ephemeral=True)
        records, positions = await transfer_of(interaction).export()
        await send_reply(interaction, render.export(records, positions))

    @admin_only()
    @app_commands.command(name="import", description="Import an export file (dry run first)")
    @app_commands.describe(file="A JSON file made by /admin export")
    async def import_(self, interaction: Interaction, file: discord.Attachment) -> None:
        if file.size > MAX_IMPORT_BYTES:
            raise UserFacingError("File too large", f"Imports are limited to {MAX_IMPORT_BYTES // 1024 // 1024} MB.")
        if not file.filename.lower().endswith(".json"):
            raise UserFacingError("Not a JSON file", "Attach the `admin-records.json` file that /admin export made.")
        payload = await file.read()
        transfer = transfer_of(interaction)
        editor = author_of(interaction)
        plan = await transfer.plan(payload, editor)
        reply = render.import_plan(plan)
        if not plan.ok:
            interaction.extras["error"] = True
            await send_reply(interaction, reply)
            return

        async def apply(button_interaction: discord.Interaction) -> None:
            result = await transfer.apply(payload, editor)
            await button_interaction.followup.send(
                embeds=render.import_plan(result, applied=result.ok).first, ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )

        await send_reply(interaction, reply, view=ImportView(interaction.user.id, apply))
